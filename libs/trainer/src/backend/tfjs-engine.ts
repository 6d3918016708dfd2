// Runs the bottleneck sub-model with whatever tfjs backend is active (native tensorflow or wasm).
import type { LayersModel } from '@tensorflow/tfjs';
import { tf } from './tf-runtime.js';
import type { BottleneckEngine } from './engine.js';
import type { ComputeBackendName } from '../types.js';

export function tfjsEngine(name: ComputeBackendName, sub: LayersModel, size: number): BottleneckEngine {
  return {
    name,
    preferredBatch: name === 'wasm' ? 8 : 32,
    async run(input, n) {
      const out = tf.tidy(() => sub.predict(tf.tensor4d(input, [n, size, size, 3])) as tf.Tensor);
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    },
    async dispose() {},
  };
}
