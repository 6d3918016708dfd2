// Dense head on one bottleneck: logits = x·W + b, softmax, top-K. Plain loops: 768x1000 is ~1 ms, no tensors needed.
import type { Head } from '../types.js';

export interface Prediction {
  label: string;
  unit: number;
  probability: number;
}

export function headLogits(head: Head, x: Float32Array, out = new Float32Array(head.classes)): Float32Array {
  const { weights: w, classes: k } = head;
  out.set(head.bias);
  for (let i = 0; i < head.inDim; i++) {
    const xi = x[i];
    if (xi === 0) continue; // ReLU6 bottlenecks are sparse
    const row = i * k;
    for (let c = 0; c < k; c++) out[c] += xi * w[row + c];
  }
  return out;
}

export function softmaxInPlace(z: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) z[i] /= sum;
  return z;
}

export function topPredictions(probs: Float32Array, labels: string[], k: number): Prediction[] {
  const idx = Array.from(probs.keys())
    .sort((a, b) => probs[b] - probs[a] || a - b)
    .slice(0, Math.max(1, k));
  return idx.map((unit) => ({ label: labels[unit], unit, probability: probs[unit] }));
}

export function predictFromBottleneck(head: Head, labels: string[], x: Float32Array, k: number): Prediction[] {
  return topPredictions(softmaxInPlace(headLogits(head, x)), labels, k);
}
