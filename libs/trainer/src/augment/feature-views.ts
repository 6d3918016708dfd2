// Crop and zoom views taken from the feature map of ONE backbone pass instead of one pass per augmented image:
// view id 0 is the plain bottleneck (the average over the whole s×s map); ids 1..k average a sub-window of the map,
// which approximates the bottleneck of a crop of that region (each cell already sees a large patch of the image).
// A flip or a brightness change has no feature-map equivalent; the measured trade-off against image-space
// augmentations: bench/results/growth-feature-views.json vs growth-image-views.json (README, "Training jobs");
// the mirror-and-map kind (extract/extract-bottlenecks.ts) adds a pass on the mirror as view 1.

export interface FeatureWindow {
  x: number;
  y: number;
  /** Window side in cells. */
  size: number;
}

/** Deterministic window of view id ≥ 1 on a side×side map: corners and centre at side-1, then at side-2, then cycling. */
export function featureWindow(id: number, side: number): FeatureWindow {
  if (!Number.isInteger(id) || id < 1) throw new Error(`feature view id must be an integer ≥ 1, got ${id}`);
  if (side < 3) return { x: 0, y: 0, size: side };
  const big = side - 1;
  const small = side - 2;
  const c = Math.floor((side - small) / 2);
  const windows: FeatureWindow[] = [
    { x: 0, y: 0, size: big },
    { x: 1, y: 1, size: big },
    { x: c, y: c, size: small },
    { x: 1, y: 0, size: big },
    { x: 0, y: 1, size: big },
    { x: 0, y: 0, size: small },
    { x: 2, y: 2, size: small },
    { x: 2, y: 0, size: small },
    { x: 0, y: 2, size: small },
  ];
  return windows[(id - 1) % windows.length]!;
}

/**
 * Average of `maps` (NCHW, image `img`, dim channels, side×side) over a window, written into a new vector.
 */
export function poolWindow(maps: Float32Array, img: number, dim: number, side: number, w: FeatureWindow): Float32Array {
  const out = new Float32Array(dim);
  const plane = side * side;
  const base = img * dim * plane;
  const inv = 1 / (w.size * w.size);
  for (let ch = 0; ch < dim; ch++) {
    const o = base + ch * plane;
    let sum = 0;
    for (let y = w.y; y < w.y + w.size; y++) {
      const row = o + y * side;
      for (let x = w.x; x < w.x + w.size; x++) sum += maps[row + x]!;
    }
    out[ch] = sum * inv;
  }
  return out;
}
