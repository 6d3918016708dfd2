// A worker thread running one of this lib's modules. Node 20's worker threads do not inherit the loader hooks of
// `--import tsx`, so a .ts source (tests, `npm start` from sources) registers them before importing the module.
import { Worker } from 'node:worker_threads';

/** Starts `url` (a module URL next to the caller, .ts or .js as the caller is) on a worker thread. */
export function moduleWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  return new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
      `.then((t) => { t.register(); return import(${JSON.stringify(url.href)}); })`,
    { eval: true, workerData },
  );
}

/** The same module name with the caller's extension (.ts from sources, .js once built). */
export function siblingModule(callerUrl: string, name: string): URL {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, callerUrl);
}
