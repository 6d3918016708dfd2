// A BottleneckEngine turns a batch of preprocessed images into bottleneck vectors on one compute backend.
import type { ComputeBackendName, FeatureMaps } from '../types.js';

export interface BottleneckEngine {
  name: ComputeBackendName;
  preferredBatch: number;
  run(input: Float32Array, n: number): Promise<Float32Array>;
  /** Bottlenecks and the feature maps they pool (NCHW), when the engine can give both from one pass. */
  runMaps?(input: Float32Array, n: number): Promise<FeatureMaps>;
  dispose(): Promise<void>;
}
