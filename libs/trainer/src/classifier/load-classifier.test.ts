import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBackbone } from '../backbone/load-backbone.js';
import { ImageRejectedError } from '../preprocess/errors.js';
import { imagenetSample, modelDir } from '../testing/fixtures.js';
import { loadClassifier, type Classifier } from './load-classifier.js';
import type { Backbone } from '../types.js';

describe('loadClassifier (base backbone)', () => {
  let dir: string;
  let backbone: Backbone;
  let clf: Classifier;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'accrete-clf-'));
    backbone = await loadBackbone(modelDir, { cacheDir: dir });
    clf = await loadClassifier({ backbone });
  });
  after(async () => {
    await clf?.dispose();
    await backbone?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns top-K {label, unit, probability} sorted by probability, recognising ImageNet photos', async () => {
    const rows = imagenetSample(1000).filter((_, i) => i % 50 === 3); // 20 classes across the range
    let top1 = 0;
    let top5 = 0;
    for (const r of rows) {
      const preds = await clf.predict(r.path, 5);
      assert.equal(preds.length, 5);
      for (let i = 1; i < 5; i++) assert.ok(preds[i - 1].probability >= preds[i].probability);
      assert.ok(preds.reduce((s, p) => s + p.probability, 0) <= 1 + 1e-6);
      assert.equal(preds[0].label, backbone.labels[preds[0].unit]);
      if (preds[0].unit === r.unit) top1++;
      if (preds.some((p) => p.unit === r.unit)) top5++;
    }
    // README: 84.9% top-1 / 96.5% top-5 on this set with a centre crop.
    assert.ok(top1 >= 13, `top-1 ${top1}/20`);
    assert.ok(top5 >= 17, `top-5 ${top5}/20`);
  });

  it('rejects bad input with ImageRejectedError', async () => {
    await assert.rejects(clf.predict(new Uint8Array([1, 2, 3]), 5), ImageRejectedError);
  });

  it('refuses a head that does not fit the labels', async () => {
    await assert.rejects(loadClassifier({ backbone, labels: ['a', 'b'] }), /2 labels for 1000 output units/);
  });
});
