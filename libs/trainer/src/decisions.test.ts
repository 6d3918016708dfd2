// Per-label decisions through growVersion on the real backbone: a new class whose images the parent mostly calls an
// existing class. Flowers' daisy photos are added as a NEW class "marguerite" (no merge), so ImageNet's `daisy`
// (unit 985) answers most of them in the parent: the overlap every decision is about.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { imageRef } from './cache/image-ref.js';
import { growVersion, type GrowRequest, type LabelledImage } from './grow-version.js';
import { DEFAULT_TAKEOVER_SHARE } from './growth/grow-head.js';
import { dataOverlap, overlapFromAnswers } from './growth/overlap.js';
import { flowerImages, imagenetSample, openGrowthScratch, type GrowthScratch } from './testing/fixtures.js';
import type { ImageRef } from './types.js';

const DAISY = 985;

describe('per-label decisions (real backbone, a new class overlapping ImageNet daisy)', () => {
  let scratch: GrowthScratch;
  let train: LabelledImage[];
  let val: LabelledImage[];
  let rehearsal: ImageRef[];
  const as = async (cls: string, label: string, n: number, split: 'train' | 'val') =>
    Promise.all(flowerImages(cls, n, split).map(async (p) => ({ ...(await imageRef(p)), label })));

  before(async () => {
    scratch = await openGrowthScratch('accrete-decisions-');
    train = [...(await as('daisy', 'marguerite', 30, 'train')), ...(await as('tulips', 'tulips', 30, 'train'))];
    val = [...(await as('daisy', 'marguerite', 20, 'val')), ...(await as('tulips', 'tulips', 20, 'val'))];
    const inet = imagenetSample(1000);
    rehearsal = await Promise.all(inet.filter((r) => r.unit % 8 === 0).map((r) => imageRef(r.path)));
    // ImageNet's own daisy photo in the evaluation set: retention must report it apart when daisy is taken over
    const daisyPhoto = inet.find((r) => r.unit === DAISY)!;
    val.push({ ...(await imageRef(daisyPhoto.path)), label: scratch.backbone.labels[DAISY], unit: DAISY });
    for (const r of inet.filter((r) => r.unit % 8 === 1).slice(0, 60))
      val.push({ ...(await imageRef(r.path)), label: scratch.backbone.labels[r.unit], unit: r.unit });
  });
  after(async () => {
    await scratch?.close();
  });

  const grow = (extra: Partial<GrowRequest> = {}) =>
    growVersion({
      backbone: scratch.backbone,
      parent: { head: scratch.backbone.baseHead, labels: scratch.backbone.labels },
      newClasses: ['marguerite', 'tulips'],
      train,
      val,
      rehearsal,
      strategy: 'guarded',
      options: { augmentations: 0, autoMerge: false },
      cache: scratch.cache,
      ...extra,
    });
  const label = (res: Awaited<ReturnType<typeof grow>>, name: string) =>
    res.evaluation.newLabels.find((l) => l.label === name)!;

  it('by default a new class wins over the old unit that answers its images, and answers for images like them', async () => {
    const res = await grow();
    const m = res.decisions.marguerite;
    assert.equal(m.source, 'default');
    assert.deepEqual(m.winsOver, [DAISY]);
    assert.ok(m.shares![DAISY] >= DEFAULT_TAKEOVER_SHARE);
    assert.deepEqual(res.decisions.tulips.winsOver.includes(DAISY), false);
    // the user's daisy photos are answered "marguerite", not ImageNet's daisy
    assert.ok(label(res, 'marguerite').top1Leaf >= 0.75, `marguerite top-1 ${label(res, 'marguerite').top1Leaf}`);
    const r = res.evaluation.retention!;
    assert.deepEqual(r.takenOver.units, [DAISY]);
    assert.equal(r.takenOver.count, 1);
    assert.equal(r.count, 60); // the rest of the old rows
    // guarded's L2 on a new column scales with its class's share of the labelled rows (here a half each)
    const l2 = res.details.l2 as { newMin: number; newMax: number };
    for (const v of [l2.newMin, l2.newMax]) assert.ok(Math.abs(v - (3e-3 * 0.5) / 0.2) < 1e-8, `l2 ${v}`);
  });

  it("the overlap report shows the parent's answers per label and the default decision growth will apply", async () => {
    const overlap = await dataOverlap({
      backbone: scratch.backbone,
      parent: { head: scratch.backbone.baseHead, labels: scratch.backbone.labels },
      images: train,
      cache: scratch.cache,
    });
    const m = overlap.find((o) => o.label === 'marguerite')!;
    assert.equal(m.images, 30);
    assert.equal(m.answers[0].unit, DAISY);
    assert.equal(m.answers[0].label, scratch.backbone.labels[DAISY]);
    assert.ok(m.answers[0].share >= 0.5, `daisy share ${m.answers[0].share}`);
    assert.ok(m.answers.length <= 3);
    const res = await grow();
    for (const o of overlap) assert.deepEqual(o.defaultWinsOver, res.decisions[o.label].winsOver, o.label);
  });

  it('a decision with empty lists opts the label out of the default', async () => {
    const res = await grow({ labelDecisions: { marguerite: {} } });
    assert.equal(res.decisions.marguerite.source, 'given');
    assert.deepEqual(res.decisions.marguerite.winsOver, []);
    assert.deepEqual(res.evaluation.retention!.takenOver.units, res.decisions.tulips.winsOver);
  });

  it('declared descendants count at leaf-or-descendant level and are reported apart', async () => {
    const res = await grow({ labelDecisions: { marguerite: { descendants: [DAISY] } } });
    assert.deepEqual(res.decisions.marguerite.descendants, [DAISY]);
    const m = label(res, 'marguerite');
    assert.ok(m.top1LeafOrDescendant >= m.top1Leaf);
    assert.ok(m.top1LeafOrDescendant >= 0.85, `leaf-or-descendant ${m.top1LeafOrDescendant}`);
    assert.ok(res.evaluation.top1LeafOrDescendant >= res.evaluation.top1Leaf);
    assert.ok(res.evaluation.retention!.takenOver.units.includes(DAISY));
  });

  it('the default rule: top-3 answers with a share of at least a quarter, never a unit the request has images of', () => {
    const labels = ['a', 'b', 'c', 'd', 'e'];
    const images = [...Array(10).fill({ label: 'x' }), ...Array(4).fill({ label: 'y' })];
    //                x: a×5, b×3, c×1, d×1      y: e×2 (50%), d×1, c×1
    const top1 = [0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 4, 3, 2];
    const [x, y] = overlapFromAnswers(labels, images, top1);
    assert.deepEqual(
      x.answers.map((a) => [a.label, a.share]),
      [
        ['a', 0.5],
        ['b', 0.3],
        ['c', 0.1],
      ],
    );
    assert.deepEqual(x.defaultWinsOver, [0, 1]);
    assert.deepEqual(y.defaultWinsOver, [2, 3, 4]); // 25% each for c and d
    assert.deepEqual(overlapFromAnswers(labels, images, top1, new Set([0]))[0].defaultWinsOver, [1]);
    // a label merged into a parent unit is that unit: like resolveDecisions, no default take-over for it
    assert.deepEqual(overlapFromAnswers(labels, images, top1, new Set([0]), new Set(['x']))[0].defaultWinsOver, []);
    assert.deepEqual(
      overlapFromAnswers(labels, images, top1, new Set([0]), new Set(['x']))[1].defaultWinsOver,
      [2, 3, 4],
    );
    // each answer says what the default does with it and why: the report explains the kept ones
    const status = (o: { answers: { label: string; byDefault: string }[] }) =>
      o.answers.map((a) => [a.label, a.byDefault]);
    assert.deepEqual(status(x), [
      ['a', 'TAKEN_OVER'],
      ['b', 'TAKEN_OVER'],
      ['c', 'BELOW_SHARE'],
    ]);
    assert.deepEqual(status(overlapFromAnswers(labels, images, top1, new Set([0]))[0]), [
      ['a', 'HAS_IMAGES'],
      ['b', 'TAKEN_OVER'],
      ['c', 'BELOW_SHARE'],
    ]);
    assert.deepEqual(status(overlapFromAnswers(labels, images, top1, new Set([0]), new Set(['x']))[0]), [
      ['a', 'LABEL_MERGED'],
      ['b', 'LABEL_MERGED'],
      ['c', 'BELOW_SHARE'],
    ]);
  });

  it('rejects decisions on labels that are not requested and units the parent does not have', async () => {
    await assert.rejects(
      grow({ labelDecisions: { roses: { winsOver: [1] } } }),
      /"roses", which is not a requested class/,
    );
    await assert.rejects(
      grow({ labelDecisions: { marguerite: { winsOver: [5000] } } }),
      /names 5000, which is not a unit of the parent/,
    );
  });
});
