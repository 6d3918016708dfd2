// A BottleneckEngine turns a batch of preprocessed images into bottleneck vectors on one compute backend.
import type { ComputeBackendName } from '../types.js';

export interface BottleneckEngine {
  name: ComputeBackendName;
  preferredBatch: number;
  run(input: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}
