import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportModel } from './export-model.js';
import { loadBackbone } from '../backbone/load-backbone.js';
import { loadClassifier } from '../classifier/load-classifier.js';
import { preprocess } from '../preprocess/preprocess.js';
import { flowerImages, imagenetSample, modelDir } from '../testing/fixtures.js';
import type { Backbone, Head } from '../types.js';

const run = promisify(execFile);

/** Base head + one imprinted column per new class (scaled mean bottleneck): a small but real grown head. */
async function imprintedHead(backbone: Backbone, classes: string[][]): Promise<Head> {
  const { inDim, classes: k, weights, bias } = backbone.baseHead;
  const K = k + classes.length;
  const w = new Float32Array(inDim * K);
  for (let i = 0; i < inDim; i++) w.set(weights.subarray(i * k, (i + 1) * k), i * K);
  const b = new Float32Array(K);
  b.set(bias);
  for (const [c, paths] of classes.entries()) {
    const mean = new Float32Array(inDim);
    for (const p of paths)
      (await backbone.computeBottlenecks(await preprocess(p), 1)).forEach((v, i) => (mean[i] += v / paths.length));
    const sq = mean.reduce((s, v) => s + v * v, 0);
    for (let i = 0; i < inDim; i++) w[i * K + k + c] = (mean[i] / sq) * 30;
  }
  return { inDim, classes: K, weights: w, bias: b };
}

describe('exportModel', () => {
  let dir: string;
  let backbone: Backbone;
  let head: Head;
  let labels: string[];
  /** v2, exported once in `before`: the first test checks the export, the others read it. */
  let v2: { out: string; files: Record<string, string> };
  const images = [
    ...flowerImages('dandelion', 2, 'val'),
    ...flowerImages('tulips', 2, 'val'),
    ...imagenetSample(300)
      .filter((_, i) => i % 150 === 7)
      .map((r) => r.path),
  ];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'accrete-export-'));
    backbone = await loadBackbone(modelDir, { cacheDir: join(dir, 'onnx') });
    head = await imprintedHead(backbone, [flowerImages('dandelion', 6), flowerImages('tulips', 6)]);
    labels = [...backbone.labels, 'dandelion', 'tulips'];
    const out = join(dir, 'v2');
    const { files } = await exportModel(backbone, head, labels, out, {
      parentVersion: 'v1',
      strategy: 'imprint',
      note: 'test',
    });
    v2 = { out, files };
  });
  after(async () => {
    await backbone?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes model.json, weights.bin, labels.json and a manifest with every file hash', async () => {
    const { out, files } = v2;
    assert.deepEqual(readdirSync(out).sort(), ['labels.json', 'manifest.json', 'model.json', 'weights.bin']);
    for (const [name, sha] of Object.entries(files)) {
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(out, name)))
          .digest('hex'),
        sha,
        name,
      );
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.parentVersion, 'v1');
    assert.equal(manifest.strategy, 'imprint');
    assert.equal(manifest.note, 'test');
    assert.equal(manifest.backboneId, backbone.id);
    // the backbone's directory, not where the server keeps it: the artifact is exported to anyone who may read
    assert.equal(manifest.backboneSource, `…/${basename(backbone.source)}`);
    assert.equal(manifest.classes, 1002);
    assert.match(manifest.created, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(Object.keys(manifest.files).sort(), ['labels.json', 'model.json', 'weights.bin']);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')), labels);
    assert.ok(!readdirSync(dir).some((n) => n.endsWith('.tmp')), 'no temp dir left');
  });

  it('writes the class → parent chain as taxonomy.json beside labels.json, hashed in the manifest', async () => {
    const out = join(dir, 'v2-chain');
    const taxonomy = {
      format: 'accrete-taxonomy/1',
      classes: [{ unit: 1001, name: 'dandelion', path: ['plant', 'dandelion'], rollsUpTo: [] }],
    };
    const { files } = await exportModel(backbone, head, labels, out, {}, taxonomy);
    assert.deepEqual(readdirSync(out).sort(), [
      'labels.json',
      'manifest.json',
      'model.json',
      'taxonomy.json',
      'weights.bin',
    ]);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'taxonomy.json'), 'utf8')), taxonomy);
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(out, 'taxonomy.json')))
        .digest('hex'),
      files['taxonomy.json'],
    );
  });

  it('refuses to overwrite a version or to export a head that does not fit', async () => {
    await assert.rejects(exportModel(backbone, head, labels, v2.out), /already exists/);
    await assert.rejects(
      exportModel(backbone, head, labels.slice(1), join(dir, 'bad')),
      /1001 labels for 1002 output units/,
    );
    assert.ok(!readdirSync(dir).includes('bad'));
  });

  it('loads in a fresh process with plain @tensorflow/tfjs and agrees with the head-matrix classifier on top-1', async () => {
    const { out } = v2;
    const px = 224 * 224 * 3;
    const inputs = new Float32Array(images.length * px);
    for (const [i, p] of images.entries()) inputs.set(await preprocess(p), i * px);
    const inputsFile = join(dir, 'inputs.f32');
    writeFileSync(inputsFile, inputs);
    const script = fileURLToPath(new URL('./testdata/predict-fresh.mjs', import.meta.url));
    const { stdout } = await run(process.execPath, [script, out, inputsFile, String(images.length)], {
      maxBuffer: 1 << 20,
    });
    const fresh = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      top1: number[];
      sums: number[];
      outputShape: number[];
    };
    assert.deepEqual(fresh.outputShape, [images.length, 1002]);
    fresh.sums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-4, `softmax sums to ${s}`));

    // Fast path three ways: the grown head in memory, the artifact with the shared backbone, the artifact alone.
    const inMemory = await loadClassifier({ backbone, head, labels });
    const shared = await loadClassifier({ artifactDir: out, backbone });
    const own = await loadClassifier({ artifactDir: out, cacheDir: join(dir, 'onnx') });
    try {
      assert.equal(shared.backbone, backbone, 'same backbone id → shared, not reloaded');
      assert.equal(own.backbone.id, backbone.id, 'an exported model has the id of the backbone it grew from');
      for (const [i, p] of images.entries()) {
        const [a] = await inMemory.predict(p, 3);
        const [b] = await shared.predict(readFileSync(p), 3);
        const [c] = await own.predict(p, 1);
        assert.equal(a.unit, fresh.top1[i], `image ${i}: fast path ${a.unit} vs exported model ${fresh.top1[i]}`);
        assert.equal(b.unit, a.unit);
        assert.equal(c.unit, a.unit);
        assert.equal(a.label, labels[a.unit]);
        assert.ok(a.probability > 0 && a.probability <= 1);
      }
      // The new units are really used: the flower photos land on their imprinted classes.
      assert.deepEqual(fresh.top1.slice(0, 4), [1000, 1000, 1001, 1001]);
    } finally {
      await Promise.all([inMemory.dispose(), shared.dispose(), own.dispose()]);
    }
  });
});
