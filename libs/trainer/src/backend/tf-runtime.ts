// One place that decides which TensorFlow.js backend the process uses (tfjs is a process-wide singleton).
// Order: tfjs-node-gpu → tfjs-node (native, optional deps) → wasm (SIMD) → cpu (pure JS, slow but always there).
// tfjs itself is imported on first use (initTf), not when the trainer is imported: it costs ~100 MB of heap, and a
// process that only serves queries (the API before its first prediction) should not pay for it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Tfjs from '@tensorflow/tfjs';

/** The tfjs module, set by initTf() (every path that computes calls it first). */
// A live binding (ESM): importers see the module once loadTfjs() has filled it in.
export let tf: typeof Tfjs = new Proxy({} as typeof Tfjs, {
  get: (_t, key) => {
    throw new Error(`tfjs used before initTf() (tf.${String(key)})`);
  },
});
// Types under the same name (tf.Tensor2D, tf.LayersModel…), as with `import * as tf`.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace tf {
  export type Tensor = Tfjs.Tensor;
  export type Tensor1D = Tfjs.Tensor1D;
  export type Tensor2D = Tfjs.Tensor2D;
  export type LayersModel = Tfjs.LayersModel;
  export type SymbolicTensor = Tfjs.SymbolicTensor;
}

let loading: Promise<typeof Tfjs> | undefined;
/** Imports tfjs once per process. */
export function loadTfjs(): Promise<typeof Tfjs> {
  loading ??= import('@tensorflow/tfjs').then((m) => (tf = m));
  return loading;
}

export type NativeTfName = 'tfjs-node-gpu' | 'tfjs-node';
export interface TfRuntime {
  /** tfjs backend name as registered in tf.engine(): 'tensorflow' | 'wasm' | 'cpu'. */
  tfBackend: string;
  /** Which native binding was loaded, if any. */
  native?: NativeTfName;
}

const require = createRequire(import.meta.url);
let runtime: Promise<TfRuntime> | undefined;
const nativeTried = new Map<NativeTfName, Promise<boolean>>();

/** Dynamic import of an optional native tfjs binding; any error (absent, ABI, missing CUDA) means "not available". */
export function tryNativeTf(name: NativeTfName, log?: (m: string) => void): Promise<boolean> {
  let p = nativeTried.get(name);
  if (!p) {
    p = (async () => {
      await loadTfjs();
      try {
        // A variable specifier keeps TypeScript from requiring the (uninstalled) optional package's types.
        const spec: string = `@tensorflow/${name}`;
        await import(spec);
        return tf.findBackend('tensorflow') !== undefined && (await tf.setBackend('tensorflow'));
      } catch (err) {
        log?.(`${name} unavailable: ${(err as Error).message.split('\n')[0]}`);
        return false;
      }
    })();
    nativeTried.set(name, p);
  }
  return p;
}

/** Registers the wasm backend with its .wasm files read from node_modules (no network). */
export async function tryWasmTf(log?: (m: string) => void): Promise<boolean> {
  await loadTfjs();
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    wasm.setWasmPaths(dist);
    return await tf.setBackend('wasm');
  } catch (err) {
    log?.(`tfjs wasm backend unavailable: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
}

/**
 * Picks the best tfjs backend once per process. `allowNative: false` skips the native bindings
 * (used when the caller already knows they are absent or was told to use another backend).
 */
export function initTf(opts: { allowNative?: boolean; log?: (m: string) => void } = {}): Promise<TfRuntime> {
  runtime ??= (async (): Promise<TfRuntime> => {
    await loadTfjs();
    const log = opts.log;
    if (opts.allowNative !== false) {
      for (const name of ['tfjs-node-gpu', 'tfjs-node'] as const) {
        if (await tryNativeTf(name, log)) return { tfBackend: 'tensorflow', native: name };
      }
    }
    if (await tryWasmTf(log)) return { tfBackend: 'wasm' };
    await tf.setBackend('cpu');
    await tf.ready();
    return { tfBackend: 'cpu' };
  })();
  return runtime;
}
