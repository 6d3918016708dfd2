import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBackbone } from '../backbone/load-backbone.js';
import { preprocess } from '../preprocess/preprocess.js';
import { flowerImages, imagenetSample, modelDir } from '../testing/fixtures.js';
import type { Backbone } from '../types.js';

describe('ONNX backbone (onnxruntime-node) vs the TF.js reference (wasm)', () => {
  let cacheDir: string;
  let onnx: Backbone;
  let tfjs: Backbone;
  const images = [
    ...flowerImages('daisy', 1),
    ...flowerImages('sunflowers', 1),
    ...imagenetSample(40)
      .filter((_, i) => i % 10 === 0)
      .map((r) => r.path),
  ];

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'accrete-onnx-'));
    onnx = await loadBackbone(modelDir, { backend: 'onnx', cacheDir });
    tfjs = await loadBackbone(modelDir, { backend: 'wasm', cacheDir });
  });
  after(async () => {
    await onnx?.dispose();
    await tfjs?.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('gives the same 768-d bottlenecks within 1e-4 (max abs) on real images', async () => {
    assert.equal(onnx.backend, 'onnx');
    assert.equal(tfjs.backend, 'wasm');
    assert.equal(onnx.id, tfjs.id);
    const n = images.length;
    const input = new Float32Array(n * 224 * 224 * 3);
    for (let i = 0; i < n; i++) input.set(await preprocess(images[i]), i * 224 * 224 * 3);
    const a = await onnx.computeBottlenecks(input, n);
    const b = await tfjs.computeBottlenecks(input, n);
    assert.equal(a.length, n * 768);
    let maxDiff = 0;
    let maxVal = 0;
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxVal = Math.max(maxVal, Math.abs(b[i]));
    }
    assert.ok(maxVal > 0.5, 'bottlenecks are not trivially zero');
    assert.ok(maxDiff < 1e-4, `max abs diff ${maxDiff}`);
  });

  it('batches give the same vectors as single images', async () => {
    const x = await preprocess(images[0]);
    const two = new Float32Array(2 * x.length);
    two.set(x, 0);
    two.set(await preprocess(images[1]), x.length);
    const single = await onnx.computeBottlenecks(x, 1);
    const batched = await onnx.computeBottlenecks(two, 2);
    for (let i = 0; i < 768; i++) assert.ok(Math.abs(single[i] - batched[i]) < 1e-5);
  });

  it('with the base head, classifies imagenet-sample photos as the base model does', async () => {
    const rows = imagenetSample(20);
    let correct = 0;
    for (const r of rows) {
      const f = await onnx.computeBottlenecks(await preprocess(r.path), 1);
      const { weights, bias, classes } = onnx.baseHead;
      let best = -Infinity;
      let arg = -1;
      for (let c = 0; c < classes; c++) {
        let z = bias[c];
        for (let i = 0; i < 768; i++) z += f[i] * weights[i * classes + c];
        if (z > best) [best, arg] = [z, c];
      }
      if (arg === r.unit) correct++;
    }
    // The README reports 84.9% top-1 on this set; 20 photos leave room for a few misses.
    assert.ok(correct >= 14, `top-1 ${correct}/20`);
  });
});
