// Fast CPU path: onnxruntime-node running the ONNX form of the frozen backbone (intra-op threads: the caller picks).
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import type { BottleneckEngine } from './engine.js';
import { startThreadSession } from './onnx-thread.js';

type InferenceSessionOptions = InferenceSession.SessionOptions;
type Outputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

export interface OnnxEngineOptions {
  /**
   * Run the session on a worker thread (onnxruntime-node's run is synchronous on its caller): for a process that
   * serves requests, whose event loop must not wait on inference. A training process, which does nothing else,
   * runs it in-thread (no copies).
   */
  thread?: boolean;
  /** Intra-op threads per pass (default ONNX_DEFAULT_THREADS). */
  threads?: number;
}

/** Intra-op threads unless told otherwise: all cores (at most 8), for the lowest latency of one call. */
export const ONNX_DEFAULT_THREADS = Math.max(1, Math.min(availableParallelism(), 8));

export async function onnxEngine(
  onnxPath: string,
  size: number,
  dim: number,
  opts: OnnxEngineOptions = {},
): Promise<BottleneckEngine> {
  const threads = opts.threads ?? ONNX_DEFAULT_THREADS;
  let run: (input: Float32Array, dims: number[], maps: boolean) => Promise<Outputs>;
  let outputNames: readonly string[];
  let release: () => Promise<void>;
  if (opts.thread) {
    const s = await startThreadSession({ onnxPath, intraOpNumThreads: threads });
    ({ run, outputNames } = s);
    release = () => s.release();
  } else {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(onnxPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      // No busy-waiting: sharp decodes on the same cores, and spinning threads starve it (2-3x slower measured).
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    } as InferenceSessionOptions);
    outputNames = session.outputNames;
    run = async (input, dims, maps) => {
      const n = dims.reduce((a, b) => a * b, 1);
      const out = await session.run(
        { input: new ort.Tensor('float32', input.subarray(0, n), dims) },
        maps ? [...session.outputNames] : ['bottleneck'],
      );
      return Object.fromEntries(
        Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]),
      );
    };
    release = () => session.release();
  }
  // onnxruntime runs one session.run at a time well; serialise so concurrent callers don't fight over threads.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const job = queue.then(f);
    queue = job.catch(() => undefined);
    return job;
  };
  const bottlenecks = (data: Float32Array, n: number) => {
    if (data.length !== n * dim) throw new Error(`onnx bottleneck has ${data.length} values, expected ${n * dim}`);
    return data;
  };
  const hasMaps = outputNames.includes('feature_map');
  return {
    name: 'onnx',
    preferredBatch: 1, // single images stay in cache: measured faster per image than batches of 4-32 on MobileNet
    run: (input, n) =>
      serial(async () => bottlenecks((await run(input, [n, size, size, 3], false)).bottleneck!.data, n)),
    ...(hasMaps
      ? {
          runMaps: (input: Float32Array, n: number) =>
            serial(async () => {
              const out = await run(input, [n, size, size, 3], true);
              const maps = out.feature_map!;
              const side = maps.dims[2]!;
              if (maps.dims.length !== 4 || maps.dims[1] !== dim || maps.dims[3] !== side)
                throw new Error(`onnx feature map has shape [${maps.dims}]`);
              return { bottlenecks: bottlenecks(out.bottleneck!.data, n), maps: maps.data, side };
            }),
        }
      : {}),
    dispose: release,
  };
}
