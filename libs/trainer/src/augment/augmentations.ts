// Deterministic augmentations by id: 0 = plain centre crop; 1..k = fixed list of distortions, cycling with
// seeded combinations beyond the list. Same id → same pixels, so cached bottlenecks stay valid.

import { rng } from '../growth/rng.js'; // seeded, so ids past the list are reproducible combinations

export interface Augmentation {
  /** Horizontal mirror. */
  flip: boolean;
  /** Crop window as fractions of the oriented image's shorter side... 1 = whole centre square. */
  crop: number;
  /** Crop centre position in [0,1]² over the room left by the crop (0.5 = centred). */
  cx: number;
  cy: number;
  /** Stretch: 'cover' keeps the aspect ratio; 'fill' squashes the whole image into the square. */
  fit: 'cover' | 'fill';
  /** Multiplier on pixel values (brightness). */
  brightness: number;
}

const PLAIN: Augmentation = { flip: false, crop: 1, cx: 0.5, cy: 0.5, fit: 'cover', brightness: 1 };
const a = (p: Partial<Augmentation>): Augmentation => ({ ...PLAIN, ...p });

/** The first ids, most useful first (a request for k augmentations uses ids 1..k). */
const LIST: Augmentation[] = [
  a({ flip: true }),
  a({ crop: 0.8, cx: 0, cy: 0 }),
  a({ crop: 0.8, cx: 1, cy: 1 }),
  a({ brightness: 1.25 }),
  a({ crop: 0.8, cx: 1, cy: 0, flip: true }),
  a({ crop: 0.8, cx: 0, cy: 1, flip: true }),
  a({ brightness: 0.8, flip: true }),
  a({ fit: 'fill' }),
  a({ crop: 0.65 }),
  a({ crop: 0.8, brightness: 1.15 }),
  a({ crop: 0.65, flip: true, brightness: 0.9 }),
  a({ fit: 'fill', flip: true, brightness: 1.1 }),
];

export function augmentation(id: number): Augmentation {
  if (!Number.isInteger(id) || id < 0) throw new Error(`augmentation id must be an integer ≥ 0, got ${id}`);
  if (id === 0) return PLAIN;
  if (id <= LIST.length) return LIST[id - 1];
  const r = rng(id * 2654435761);
  return {
    flip: r() < 0.5,
    crop: 0.7 + 0.3 * r(),
    cx: r(),
    cy: r(),
    fit: r() < 0.15 ? 'fill' : 'cover',
    brightness: 0.8 + 0.4 * r(),
  };
}

/** Crop rectangle (integer pixels) for an augmentation on an oriented image of width×height. */
export function cropRect(
  aug: Augmentation,
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number } {
  if (aug.fit === 'fill' && aug.crop === 1) return { left: 0, top: 0, width, height };
  const side = Math.min(width, height);
  // 'cover' on the full image crops the centre square; a crop < 1 takes a smaller square inside the image.
  const cw = aug.fit === 'fill' ? Math.round(width * aug.crop) : Math.max(1, Math.round(side * aug.crop));
  const ch = aug.fit === 'fill' ? Math.round(height * aug.crop) : cw;
  const left = Math.round((width - cw) * aug.cx);
  const top = Math.round((height - ch) * aug.cy);
  return { left, top, width: cw, height: ch };
}
