// Reads a backbone for a serving process on a short-lived worker thread: importing tfjs (~0.6 s of compile), parsing
// the weights, fingerprinting them and writing the ONNX form held the API's event loop for over a second on its
// first prediction (bench/hostile.ts, "8 predict aliases": /health max 614 ms). The thread ends once it has
// answered, and its heap (tfjs, the layers model) with it; the caller keeps the description and the ONNX path.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { moduleWorker, siblingModule } from '../backend/module-worker.js';
import type { BackboneDescription, LoadBackboneOptions } from './load-backbone.js';

interface DescribeSpec {
  describeBackbone: { source: string; backend: LoadBackboneOptions['backend']; cacheDir?: string };
}
type Described = { description: BackboneDescription; onnxPath: string | null } | null;
type Reply =
  { type: 'log'; message: string } | { type: 'done'; result: Described } | { type: 'error'; message: string };

/** describeForServing on a worker thread; rejects with the reading's error (a bad model dir…). */
export function describeOffThread(source: string, opts: LoadBackboneOptions): Promise<Described> {
  const spec: DescribeSpec = { describeBackbone: { source, backend: opts.backend, cacheDir: opts.cacheDir } };
  const worker = moduleWorker(siblingModule(import.meta.url, 'describe-thread'), spec);
  return new Promise<Described>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: Reply) => {
      if (m.type === 'log') opts.log?.(m.message);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new Error(m.message)));
    });
    worker.once('error', (e) => settle(() => reject(e)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`the thread reading the backbone exited (code ${code})`))),
    );
  });
}

// ---- the worker side (not awaited at the top level: load-backbone.ts imports this module, and a top-level await
// on it from here would wait on itself)
const spec = workerData as DescribeSpec | undefined;
if (!isMainThread && parentPort && spec?.describeBackbone) void describeHere(parentPort, spec.describeBackbone);

async function describeHere(
  port: NonNullable<typeof parentPort>,
  { source, backend, cacheDir }: DescribeSpec['describeBackbone'],
) {
  try {
    const { describeForServing } = await import('./load-backbone.js');
    const result = await describeForServing(source, {
      backend,
      cacheDir,
      log: (message) => port.postMessage({ type: 'log', message } satisfies Reply),
    });
    const transfer = result
      ? [result.description.baseHead.weights.buffer, result.description.baseHead.bias.buffer]
      : [];
    port.postMessage({ type: 'done', result } satisfies Reply, transfer as ArrayBuffer[]);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies Reply);
  }
}
