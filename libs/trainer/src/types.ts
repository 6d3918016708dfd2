// Shared shapes of the trainer's public contract (its verbs: ./index.ts; what they do: ../README.md).
export type ComputeBackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'onnx' | 'wasm';

/** A dense classifier head: logits = x · weights + bias. */
export interface Head {
  inDim: number;
  classes: number;
  /** Row-major [inDim][classes]. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface Progress {
  phase: string;
  done: number;
  total: number;
  etaSeconds?: number;
}

/** An image file on disk, identified by the sha256 of its bytes. */
export interface ImageRef {
  sha256: string;
  path: string;
}

/** One backbone pass: n bottlenecks and the n feature maps they average (NCHW: [n][dim][side][side]). */
export interface FeatureMaps {
  bottlenecks: Float32Array;
  maps: Float32Array;
  side: number;
}

export interface Backbone {
  /**
   * Identifies the bottleneck space: sha256 over the frozen layers up to the bottleneck (structure + weight bytes).
   * The same for the base model and every model exported from it, so their caches are shared.
   */
  id: string;
  /** sha256 of model.json followed by its weight files, as read from `source`. */
  filesSha256: string;
  source: string;
  labels: string[];
  inputSize: number;
  bottleneckDim: number;
  bottleneckLayer: string;
  headLayer: string;
  baseHead: Head;
  backend: ComputeBackendName;
  /** Bottlenecks of n preprocessed images (NHWC, n·size·size·3 floats in [-1,1]) → n·bottleneckDim floats. */
  computeBottlenecks(input: Float32Array, n: number): Promise<Float32Array>;
  /** Bottlenecks plus their feature maps from the same pass (onnx backend); absent when the engine cannot. */
  computeFeatureMaps?(input: Float32Array, n: number): Promise<FeatureMaps>;
  /** Largest batch computeBottlenecks is fed by the extractor. */
  preferredBatch: number;
  dispose(): Promise<void>;
}
