// The ONNX session on a worker thread. onnxruntime-node's session.run is synchronous on the calling thread (its
// promise only defers the call), so on a process that serves HTTP one MobileNet pass (7 ms alone, hundreds of ms
// when a training process shares the cores) held the event loop: every other request waited behind each
// prediction. Here the main thread only posts the preprocessed input and gets the bottleneck back.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { moduleWorker, siblingModule } from './module-worker.js';

interface SessionSpec {
  onnxPath: string;
  intraOpNumThreads: number;
}
type Request = { id: number; input: Float32Array; dims: number[]; maps: boolean };
type Reply =
  | { type: 'ready'; outputNames: string[] }
  | { type: 'out'; id: number; outputs: Record<string, { data: Float32Array; dims: readonly number[] }> }
  | { type: 'error'; id: number; message: string };

/** A session living on its own thread: `run` resolves with the named outputs (copies owned by the caller). */
export interface ThreadSession {
  outputNames: string[];
  run(
    input: Float32Array,
    dims: number[],
    maps: boolean,
  ): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
  release(): Promise<void>;
}

export async function startThreadSession(spec: SessionSpec): Promise<ThreadSession> {
  const worker = moduleWorker(siblingModule(import.meta.url, 'onnx-thread'), spec);
  worker.unref(); // an idle predictor never keeps the process alive
  const waiting = new Map<number, { resolve: (o: never) => void; reject: (e: Error) => void }>();
  let failed: Error | null = null;
  const failAll = (e: Error) => {
    failed = e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  const ready = new Promise<string[]>((resolve, reject) => {
    worker.on('message', (m: Reply) => {
      if (m.type === 'ready') return resolve(m.outputNames);
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.type === 'out') w.resolve(m.outputs as never);
      else if (m.id === -1) reject(new Error(m.message));
      else w.reject(new Error(m.message));
      if (waiting.size === 0) worker.unref();
    });
    worker.once('error', (e) => {
      reject(e);
      failAll(e);
    });
    worker.once('exit', (code) => {
      const e = new Error(`the inference thread exited (code ${code})`);
      reject(e);
      failAll(e);
    });
  });
  // a failed session creation arrives as an error with id -1
  waiting.set(-1, { resolve: () => undefined, reject: () => undefined });
  const outputNames = await ready.catch(async (e: Error) => {
    await worker.terminate();
    throw e;
  });
  waiting.delete(-1);
  let nextId = 1;
  return {
    outputNames,
    run(input, dims, maps) {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      // a copy of exactly the batch (a view would clone its whole buffer), handed over without another copy
      const own = input.slice(
        0,
        dims.reduce((a, b) => a * b, 1),
      );
      worker.ref(); // a request in flight keeps the process up until it is answered
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (o: never) => void, reject });
        worker.postMessage({ id, input: own, dims, maps } satisfies Request, [own.buffer]);
      });
    },
    async release() {
      await worker.terminate();
    },
  };
}

// ---- the worker side
if (!isMainThread && parentPort && (workerData as SessionSpec | undefined)?.onnxPath) {
  const port = parentPort;
  const spec = workerData as SessionSpec;
  try {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(spec.onnxPath, {
      intraOpNumThreads: spec.intraOpNumThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // one image at a time: the arena's retained blocks cost the serving process ~15–25 MiB of idle RSS (bench/jobs.ts
      // apiIdle 400–421 → 386–396 MiB) for no measurable inference time (bench/api.ts predict inference p50 8.1 vs 8.2 ms)
      enableCpuMemArena: false,
      executionProviders: ['cpu'],
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    } as Parameters<typeof ort.InferenceSession.create>[1]);
    port.on('message', async (m: Request) => {
      try {
        const out = await session.run(
          { input: new ort.Tensor('float32', m.input, m.dims) },
          m.maps ? [...session.outputNames] : ['bottleneck'],
        );
        const outputs: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of Object.entries(out)) {
          const data = (t.data as Float32Array).slice(); // ORT owns the tensor's memory: send a copy
          outputs[name] = { data, dims: t.dims };
          transfer.push(data.buffer);
        }
        port.postMessage({ type: 'out', id: m.id, outputs } satisfies Reply, transfer);
      } catch (e) {
        port.postMessage({ type: 'error', id: m.id, message: (e as Error).message } satisfies Reply);
      }
    });
    port.postMessage({ type: 'ready', outputNames: [...session.outputNames] } satisfies Reply);
  } catch (e) {
    port.postMessage({ type: 'error', id: -1, message: (e as Error).message } satisfies Reply);
  }
}
