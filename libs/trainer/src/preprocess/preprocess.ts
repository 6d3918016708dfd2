// Image → model input: decode, auto-orient, crop/resize to size×size with sharp, RGB, scaled to [-1, 1].
import type { default as Sharp } from 'sharp';
import { augmentation, cropRect } from '../augment/augmentations.js';
import { ImageRejectedError, classifySharpError } from './errors.js';

export interface PreprocessOptions {
  /** 0 = plain centre crop (default); 1..k = deterministic augmentations. */
  augmentation?: number;
  /** Square input side (224 for MobileNet). */
  size?: number;
  /** Decoding bombs are rejected above this many pixels. */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 40_000_000;

// sharp (libvips) is loaded on the first image, not at import: ~19 MiB of RSS an idle API does not need.
let sharpLoaded: Promise<typeof Sharp> | undefined;
/** The sharp module, loaded once on first use. */
export const loadSharp = (): Promise<typeof Sharp> => (sharpLoaded ??= import('sharp').then((m) => m.default));

/** The one way images are opened for pixels: same decoder options for training, prediction and import checks. */
async function openImage(input: Uint8Array | string, maxPixels = DEFAULT_MAX_PIXELS) {
  const sharp = await loadSharp();
  return sharp(typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength), {
    limitInputPixels: maxPixels,
    failOn: 'warning', // truncated/corrupt data is an error, not a grey stripe in the training set
    sequentialRead: true,
  });
}

/** RGB bytes (size·size·3) for one image and augmentation; the expensive part, kept separate for worker pools. */
export async function preprocessRgb(input: Uint8Array | string, opts: PreprocessOptions = {}): Promise<Uint8Array> {
  const size = opts.size ?? 224;
  const aug = augmentation(opts.augmentation ?? 0);
  const path = typeof input === 'string' ? input : undefined;
  const open = () => openImage(input, opts.maxPixels);
  try {
    let img = (await open()).autoOrient();
    if (aug.crop !== 1 || aug.fit !== 'cover') {
      const meta = await (await open()).metadata();
      const w = meta.autoOrient?.width ?? meta.width;
      const h = meta.autoOrient?.height ?? meta.height;
      if (!w || !h) throw new ImageRejectedError('not an image', 'no dimensions', path);
      img = img.extract(cropRect(aug, w, h));
    }
    img = img.resize(size, size, { fit: aug.fit, position: 'centre', kernel: 'lanczos3' });
    if (aug.flip) img = img.flop();
    if (aug.brightness !== 1) img = img.linear(aug.brightness, 0);
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== size || info.height !== size || data.length !== size * size * 3) {
      throw new ImageRejectedError('unsupported pixel format', `${info.width}x${info.height}x${info.channels}`, path);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    if (err instanceof ImageRejectedError) throw err;
    throw classifySharpError(err, path);
  }
}

/**
 * Decodes the whole image as preprocessRgb does (decoder, orientation, colour conversion) but ends in a tiny
 * nearest-neighbour thumbnail instead of the network's lanczos resize: an import check that what passes here
 * decodes for training, at about half of preprocessRgb's CPU (the resize is the other half; trainer README).
 * Throws ImageRejectedError like preprocessRgb.
 */
export async function verifyDecodes(input: Uint8Array | string, opts: { maxPixels?: number } = {}): Promise<void> {
  try {
    await (
      await openImage(input, opts.maxPixels)
    )
      .autoOrient()
      .resize(VERIFY_SIDE, VERIFY_SIDE, { fit: 'inside', kernel: 'nearest' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
  } catch (err) {
    throw classifySharpError(err, typeof input === 'string' ? input : undefined);
  }
}
// Small enough to cost nothing; the decode itself still reads every byte (a truncated file fails).
const VERIFY_SIDE = 32;

// byte → input value, the same float32 values as computing v / 127.5 - 1 per pixel, at a table look-up's cost
const TO_INPUT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/** Scales RGB bytes to [-1, 1] (MobileNet's input range) into `out` at `offset`. */
export function rgbToInput(rgb: Uint8Array, out = new Float32Array(rgb.length), offset = 0): Float32Array {
  const dst = out.subarray(offset, offset + rgb.length);
  for (let i = 0; i < rgb.length; i++) dst[i] = TO_INPUT[rgb[i]!]!;
  return out;
}

/** Decodes and normalises one image: size·size·3 floats in [-1, 1], NHWC order. */
export async function preprocess(
  bytesOrPath: Uint8Array | string,
  opts: PreprocessOptions = {},
): Promise<Float32Array> {
  return rgbToInput(await preprocessRgb(bytesOrPath, opts));
}
