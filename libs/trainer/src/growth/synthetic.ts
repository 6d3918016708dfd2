// Synthetic negatives: convex mixtures of rehearsal bottlenecks. A bottleneck is an average over 7×7 positions, so
// the mean of several images' vectors approximates a mosaic of those images — "busy" scenes the new columns must not
// claim. They cost nothing to make and cover feature regions that the few rehearsal images leave empty.
import { matrix } from './matrix.js';
import { rng } from './rng.js';
import type { FeatureMatrix } from './types.js';

export function mixtureNegatives(
  source: FeatureMatrix,
  rows: ArrayLike<number>,
  count: number,
  parts: number,
  seed: number,
): FeatureMatrix {
  if (rows.length === 0 || count <= 0) return matrix(0, source.dim);
  const rand = rng(seed);
  const { dim, data } = source;
  const out = matrix(count, dim);
  const w = new Float64Array(parts);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let p = 0; p < parts; p++) sum += w[p] = -Math.log(rand() + 1e-12); // Dirichlet(1,…,1) weights
    const o = i * dim;
    for (let p = 0; p < parts; p++) {
      const r = rows[Math.floor(rand() * rows.length)];
      const a = w[p] / sum;
      for (let d = 0; d < dim; d++) out.data[o + d] += a * data[r * dim + d];
    }
  }
  return out;
}
