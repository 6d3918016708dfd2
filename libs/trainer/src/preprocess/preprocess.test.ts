import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { preprocess, preprocessRgb, verifyDecodes } from './preprocess.js';
import { ImageRejectedError } from './errors.js';
import { flowerImages } from '../testing/fixtures.js';

const [photo] = flowerImages('roses', 1);
const bytes = new Uint8Array(readFileSync(photo));

const rejectedFor = async (p: Promise<unknown>, reason: string) =>
  assert.rejects(
    p,
    (e: unknown) => e instanceof ImageRejectedError && e.reason === reason && e.message.includes(reason),
  );

describe('preprocess', () => {
  it('gives 224x224x3 floats in [-1, 1], the same from a path or from bytes', async () => {
    const a = await preprocess(photo);
    const b = await preprocess(bytes);
    assert.equal(a.length, 224 * 224 * 3);
    assert.deepEqual(a, b);
    let min = Infinity;
    let max = -Infinity;
    for (const v of a) [min, max] = [Math.min(min, v), Math.max(max, v)];
    assert.ok(min >= -1 && max <= 1 && max - min > 1, `range ${min}..${max}`);
  });

  it('centre-crops with cover: a wide image keeps its middle', async () => {
    // Left third red, middle third green, right third blue: the 224 crop of a 672x224 image is all green.
    const w = 672;
    const raw = Buffer.alloc(w * 224 * 3);
    for (let y = 0; y < 224; y++) for (let x = 0; x < w; x++) raw[(y * w + x) * 3 + Math.floor((x * 3) / w)] = 255;
    const png = await sharp(raw, { raw: { width: w, height: 224, channels: 3 } })
      .png()
      .toBuffer();
    const rgb = await preprocessRgb(png);
    const mid = (112 * 224 + 112) * 3;
    assert.deepEqual([...rgb.subarray(mid, mid + 3)], [0, 255, 0]);
    assert.deepEqual([...rgb.subarray(0, 3)], [0, 255, 0]);
  });

  it('makes grey, alpha and 16-bit images into 3-channel RGB', async () => {
    for (const img of [
      sharp(bytes).greyscale().jpeg(),
      sharp(bytes).ensureAlpha(0.5).png(),
      sharp(bytes).toColourspace('rgb16').png(),
    ]) {
      assert.equal((await preprocess(await img.toBuffer())).length, 224 * 224 * 3);
    }
  });

  it('applies EXIF orientation before cropping', async () => {
    const rotated = await sharp(bytes).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const upright = await sharp(bytes).rotate(90).jpeg().toBuffer();
    const a = await preprocessRgb(rotated, { augmentation: 2 });
    const b = await preprocessRgb(upright, { augmentation: 2 });
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
    assert.ok(diff / a.length < 8, `mean abs diff ${diff / a.length}`); // only JPEG re-encoding noise
  });

  it('augmentations are deterministic and differ from each other and from the plain crop', async () => {
    const seen = new Set<string>();
    for (let id = 0; id <= 16; id++) {
      const once = await preprocessRgb(photo, { augmentation: id });
      const twice = await preprocessRgb(photo, { augmentation: id });
      assert.deepEqual(once, twice, `augmentation ${id} is not deterministic`);
      const key = Buffer.from(once).toString('base64');
      assert.ok(!seen.has(key), `augmentation ${id} repeats an earlier one`);
      seen.add(key);
    }
    // id 1 is a mirror of the plain crop.
    const plain = await preprocessRgb(photo);
    const flip = await preprocessRgb(photo, { augmentation: 1 });
    const px = (img: Uint8Array, x: number, y: number) => [...img.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3)];
    assert.deepEqual(px(flip, 0, 100), px(plain, 223, 100));
    await assert.rejects(preprocess(photo, { augmentation: -1 }), /augmentation id/);
  });

  it('rejects unusable input naming the reason', async () => {
    await rejectedFor(preprocess(new TextEncoder().encode('hello, not a picture')), 'not an image');
    await rejectedFor(preprocess(new Uint8Array(0)), 'not an image');
    await rejectedFor(preprocess(bytes.subarray(0, Math.floor(bytes.length / 2))), 'truncated image');
    await rejectedFor(preprocess(photo, { maxPixels: 10_000 }), 'too many pixels');
    await rejectedFor(preprocess('/nonexistent/photo.jpg'), 'file not found');
  });

  it('verifyDecodes (the import check) rejects what preprocessRgb rejects, for the same reason', async () => {
    await verifyDecodes(bytes);
    await verifyDecodes(photo);
    const png = new Uint8Array(await sharp(photo).png().toBuffer());
    await verifyDecodes(png);
    await rejectedFor(verifyDecodes(new TextEncoder().encode('hello, not a picture')), 'not an image');
    await rejectedFor(verifyDecodes(bytes.subarray(0, Math.floor(bytes.length / 2))), 'truncated image');
    await rejectedFor(verifyDecodes(png.subarray(0, Math.floor(png.length / 2))), 'truncated image');
    await rejectedFor(preprocessRgb(png.subarray(0, Math.floor(png.length / 2))), 'truncated image');
    await rejectedFor(verifyDecodes(photo, { maxPixels: 10_000 }), 'too many pixels');
  });
});
