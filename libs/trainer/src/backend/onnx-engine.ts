// Fast CPU path: onnxruntime-node running the ONNX form of the frozen backbone (intra-op threads: the caller picks).
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import type { BottleneckEngine } from './engine.js';

type InferenceSessionOptions = InferenceSession.SessionOptions;

/** Intra-op threads unless told otherwise: all cores (at most 8), for the lowest latency of one call. */
export const ONNX_DEFAULT_THREADS = Math.max(1, Math.min(availableParallelism(), 8));

export async function onnxEngine(
  onnxPath: string,
  size: number,
  dim: number,
  threads = ONNX_DEFAULT_THREADS,
): Promise<BottleneckEngine> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    // No busy-waiting: sharp decodes on the same cores, and spinning threads starve it (2-3x slower measured).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  } as InferenceSessionOptions);
  // onnxruntime runs one session.run at a time well; serialise so concurrent callers don't fight over threads.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const job = queue.then(f);
    queue = job.catch(() => undefined);
    return job;
  };
  const feeds = (input: Float32Array, n: number) => ({
    input: new ort.Tensor('float32', input.subarray(0, n * size * size * 3), [n, size, size, 3]),
  });
  const bottlenecks = (data: Float32Array, n: number) => {
    if (data.length !== n * dim) throw new Error(`onnx bottleneck has ${data.length} values, expected ${n * dim}`);
    return data;
  };
  const hasMaps = session.outputNames.includes('feature_map');
  return {
    name: 'onnx',
    preferredBatch: 1, // single images stay in cache: measured faster per image than batches of 4-32 on MobileNet
    run: (input, n) =>
      serial(async () =>
        bottlenecks((await session.run(feeds(input, n), ['bottleneck'])).bottleneck.data as Float32Array, n),
      ),
    ...(hasMaps
      ? {
          runMaps: (input: Float32Array, n: number) =>
            serial(async () => {
              const out = await session.run(feeds(input, n));
              const maps = out.feature_map;
              const side = maps.dims[2];
              if (maps.dims.length !== 4 || maps.dims[1] !== dim || maps.dims[3] !== side)
                throw new Error(`onnx feature map has shape [${maps.dims}]`);
              return {
                bottlenecks: bottlenecks(out.bottleneck.data as Float32Array, n),
                maps: maps.data as Float32Array,
                side,
              };
            }),
        }
      : {}),
    async dispose() {
      await session.release();
    },
  };
}
