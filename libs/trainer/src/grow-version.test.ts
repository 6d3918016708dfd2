// growVersion and the strategies on real bottlenecks: a small, fixed subset of the shared flowers and
// imagenet-sample (even class_index for rehearsal, odd for retention), through the real backbone and cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { imageRef } from './cache/image-ref.js';
import { softmaxInPlace } from './classifier/head-math.js';
import { extractBottlenecks } from './extract/extract-bottlenecks.js';
import { evaluateLogits } from './eval/evaluate.js';
import { parentTop1 } from './eval/tradeoff.js';
import { growHead } from './growth/grow-head.js';
import { logits, matrix } from './growth/matrix.js';
import type { GrowthProblem, GrowthStrategy } from './growth/types.js';
import { growVersion, type LabelledImage } from './grow-version.js';
import { flowerImages, imagenetSample, openGrowthScratch, type GrowthScratch } from './testing/fixtures.js';
import type { Head, ImageRef } from './types.js';

const FLOWERS = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];
const UNITS: Record<string, number> = { daisy: 985, dandelion: 1000, roses: 1001, sunflowers: 1002, tulips: 1003 };
const K = 1; // one distortion per image keeps extraction short

describe('growVersion (real backbone, small flowers + imagenet-sample subset)', () => {
  let scratch: GrowthScratch;
  let train: LabelledImage[];
  let val: LabelledImage[];
  let rehearsal: ImageRef[];
  let odd: (ImageRef & { unit: number })[];
  // features for growHead-level checks
  let feats: { train: Float32Array[][]; val: Float32Array[]; pool: Float32Array[][]; odd: Float32Array[] };
  const labelled = async (cls: string, n: number, split: 'train' | 'val') =>
    Promise.all(flowerImages(cls, n, split).map(async (p) => ({ ...(await imageRef(p)), label: cls })));

  before(async () => {
    scratch = await openGrowthScratch('accrete-grow-');
    train = (await Promise.all(FLOWERS.map((c) => labelled(c, 30, 'train')))).flat();
    val = (await Promise.all(FLOWERS.map((c) => labelled(c, 16, 'val')))).flat();
    const inet = imagenetSample(1000);
    rehearsal = await Promise.all(
      inet.filter((r) => r.unit % 2 === 0 && r.unit % 8 === 0).map((r) => imageRef(r.path)),
    ); // 125 even
    odd = await Promise.all(
      inet
        .filter((r) => r.unit % 2 === 1 && r.unit % 8 === 1)
        .map(async (r) => ({ ...(await imageRef(r.path)), unit: r.unit })),
    ); // 125 odd
    const all = async (imgs: ImageRef[], k: number) =>
      extractBottlenecks(scratch.backbone, imgs, { cache: scratch.cache, augmentations: k });
    const t = await all(train, K);
    const p = await all(rehearsal, K);
    feats = {
      train: t.plain.map((v, i) => [v, ...t.augmented[i]]),
      val: (await all(val, 0)).plain,
      pool: p.plain.map((v, i) => [v, ...p.augmented[i]]),
      odd: (await all(odd, 0)).plain,
    };
  });
  after(async () => {
    await scratch?.close();
  });

  const rows = (vs: Float32Array[]) => {
    const m = matrix(vs.length, 768);
    vs.forEach((v, i) => m.data.set(v, i * 768));
    return m;
  };
  const problem = (
    parent: { head: Head; labels: string[] },
    newClasses: string[],
    units: Record<string, number>,
    knob: number,
  ): GrowthProblem => {
    const keep = train.map((img, i) => (img.label in units ? i : -1)).filter((i) => i >= 0);
    const x: Float32Array[] = [];
    const unit: number[] = [];
    const image: number[] = [];
    const aug: number[] = [];
    for (let a = 0; a <= K; a++)
      for (const i of keep) {
        x.push(feats.train[i][a]);
        unit.push(units[train[i].label]);
        image.push(i);
        aug.push(a);
      }
    const px: Float32Array[] = [];
    const pimg: number[] = [];
    const paug: number[] = [];
    for (let a = 0; a <= K; a++)
      feats.pool.forEach((v, i) => {
        px.push(v[a]);
        pimg.push(i);
        paug.push(a);
      });
    return {
      parent: parent.head,
      parentLabels: parent.labels,
      baseClasses: scratch.backbone.baseHead.classes,
      newClasses,
      train: {
        x: rows(x),
        unit: Int32Array.from(unit),
        image: Int32Array.from(image),
        augmentation: Uint16Array.from(aug),
      },
      pool: { x: rows(px), image: Int32Array.from(pimg), augmentation: Uint16Array.from(paug) },
      options: { retentionKnob: knob, seed: 3 },
    };
  };
  const base = () => ({ head: scratch.backbone.baseHead, labels: scratch.backbone.labels });
  const top1 = async (head: Head, vs: Float32Array[], units: number[]) => {
    const t = parentTop1(await logits(head, rows(vs)), head.classes);
    return units.reduce((s, u, i) => s + (t[i] === u ? 1 : 0), 0) / units.length;
  };
  const oddDrop = async (head: Head) =>
    100 *
    ((await top1(
      scratch.backbone.baseHead,
      feats.odd,
      odd.map((o) => o.unit),
    )) -
      (await top1(
        head,
        feats.odd,
        odd.map((o) => o.unit),
      )));
  const flowersTop1 = async (head: Head, only = FLOWERS, units = UNITS) => {
    const idx = val.map((v, i) => (only.includes(v.label) ? i : -1)).filter((i) => i >= 0);
    return top1(
      head,
      idx.map((i) => feats.val[i]),
      idx.map((i) => units[val[i].label]),
    );
  };

  it('grows base + flowers into 1004 classes: daisy merged into unit 985, a plain linear head, a full evaluation', async () => {
    const retention: LabelledImage[] = odd.map((o) => ({ ...o, label: scratch.backbone.labels[o.unit] }));
    const res = await growVersion({
      backbone: scratch.backbone,
      parent: base(),
      newClasses: FLOWERS,
      train,
      val: [...val, ...retention],
      rehearsal,
      strategy: 'guarded',
      options: { retentionKnob: 0.5, augmentations: K },
      cache: scratch.cache,
    });
    assert.deepEqual(res.merged, { daisy: 985 });
    assert.deepEqual(res.appended, ['dandelion', 'roses', 'sunflowers', 'tulips']);
    assert.equal(res.labels.length, 1004);
    assert.deepEqual(res.labels.slice(1000), res.appended);
    assert.equal(res.head.classes, 1004);
    assert.equal(res.head.weights.length, 768 * 1004);
    // Parent columns are kept; only the merged unit (the user gave daisy examples) is refined.
    const changed = new Set<number>();
    for (let d = 0; d < 768; d++)
      for (let u = 0; u < 1000; u++)
        if (res.head.weights[d * 1004 + u] !== scratch.backbone.baseHead.weights[d * 1000 + u]) changed.add(u);
    for (let u = 0; u < 1000; u++) if (res.head.bias[u] !== scratch.backbone.baseHead.bias[u]) changed.add(u);
    assert.deepEqual([...changed], [985]);
    const ev = res.evaluation;
    // ImageNet's own daisy photo (unit 985) counts with the user's classes: daisy is one of them now.
    const daisies = odd.filter((o) => o.unit === 985).length;
    assert.equal(ev.new.count, val.length + daisies);
    assert.equal(ev.old.count, retention.length - daisies);
    assert.ok(ev.new.top1 >= 0.6, `flowers top-1 ${ev.new.top1}`); // the base model alone: only its daisies, ~20%
    assert.ok(ev.new.top5 >= ev.new.top1);
    assert.ok(ev.retention!.dropPoints <= 4, `retention drop ${ev.retention!.dropPoints} pt`);
    const sunflower = ev.perClass.find((c) => c.label === 'sunflowers')!;
    assert.equal(sunflower.support, 16);
    assert.ok(sunflower.recall! > 0.6);
    assert.ok(Array.isArray(ev.confusions.newAsOther));
    assert.ok(res.timings.total > 0 && res.timings.grow > 0);
    const knob = res.details.knob as { biasShift: number; points: { knob: number; delta: number }[] };
    assert.equal(knob.points.length, 5);
  });

  it('finetune-new, calibrated and weight-aligned leave every parent column untouched', async () => {
    for (const s of ['finetune-new', 'calibrated', 'weight-aligned'] as GrowthStrategy[]) {
      const g = await growHead(problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 0.5), s);
      assert.equal(g.head.classes, 1004);
      for (let d = 0; d < 768; d += 7)
        for (let u = 0; u < 1000; u++)
          assert.equal(g.head.weights[d * 1004 + u], scratch.backbone.baseHead.weights[d * 1000 + u]);
      assert.deepEqual(g.head.bias.subarray(0, 1000), scratch.backbone.baseHead.bias);
      assert.ok((await flowersTop1(g.head)) >= 0.6, s);
    }
  });

  it('the retention knob trades new-class accuracy for retention', async () => {
    const lo = await growHead(problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 0), 'guarded');
    const hi = await growHead(problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 1), 'guarded');
    const shift = (g: typeof lo) => (g.details.knob as { biasShift: number }).biasShift;
    assert.ok(shift(hi) > shift(lo), `shift ${shift(lo)} → ${shift(hi)}`);
    // Same fit, only the new biases differ: retention can only improve, new-class accuracy can only fall.
    assert.deepEqual(hi.head.weights, lo.head.weights);
    assert.ok((await oddDrop(hi.head)) <= (await oddDrop(lo.head)));
    assert.ok((await flowersTop1(hi.head)) <= (await flowersTop1(lo.head)));
  });

  it('gives the fits one L-BFGS iteration per trained column, between the configured counts and maxIterations', async () => {
    // five trained columns here (daisy merged + four new): the budget is min(maxIterations, 5)
    const totals = async (o: { maxIterations: number; heldOutIterations: number; iterations: number }) => {
      const p = problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 0.5);
      let total = 0;
      p.options.onProgress = (e) => void (total = e.total);
      await growHead(p, 'guarded', o);
      return total;
    };
    // held-out fit max(2, 5) = 5, then the full fit ⌈max(2, 5) / 2⌉ = 3 more
    assert.equal(await totals({ maxIterations: 120, heldOutIterations: 2, iterations: 2 }), 5 + 3);
    // capped at maxIterations 3: 3 + 2
    assert.equal(await totals({ maxIterations: 3, heldOutIterations: 2, iterations: 2 }), 3 + 2);
    // configured counts above the budget stay as they are: 6 + 4
    assert.equal(await totals({ maxIterations: 120, heldOutIterations: 6, iterations: 8 }), 6 + 4);
  });

  it('the held-out L2 path keeps the configured L2 unless a weaker one wins by more than a standard error', async () => {
    const p = problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 0.5);
    const plain = await growHead(p, 'guarded');
    const path = await growHead(p, 'guarded', { l2Path: [1, 0.25] });
    const d = path.details.l2Path as {
      chosen: number;
      bestOverScale1: { scale: number; z: number };
      scored: { scale: number; utility: number }[];
    };
    assert.deepEqual(
      d.scored.map((q) => q.scale),
      [1, 0.25],
    );
    assert.equal(d.chosen, d.bestOverScale1.z > 1 ? d.bestOverScale1.scale : 1);
    // scale 1 chosen: the same fit as without a path (the path's first fit is the configured one)
    if (d.chosen === 1) assert.deepEqual(path.head.weights, plain.head.weights);
    assert.equal(plain.details.l2Path, undefined);
  });

  it('imprinting collapses retention where guarded growth keeps it (knob 0: no bias shift help)', async () => {
    const imp = await growHead(problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 0), 'imprint');
    const grd = await growHead(problem(base(), ['dandelion', 'roses', 'sunflowers', 'tulips'], UNITS, 0), 'guarded');
    const [di, dg] = [await oddDrop(imp.head), await oddDrop(grd.head)];
    assert.ok(dg + 10 < di, `drop imprint ${di}, guarded ${dg}`);
  });

  it('two-step growth: v3 on v2 keeps v2 classes', async () => {
    const u2 = { daisy: 985, dandelion: 1000 };
    const v2 = await growHead(problem(base(), ['dandelion'], u2, 0.5), 'guarded');
    assert.deepEqual(v2.labels.slice(1000), ['dandelion']);
    const v3 = await growHead(
      problem({ head: v2.head, labels: v2.labels }, ['roses', 'sunflowers', 'tulips'], UNITS, 0.5),
      'guarded',
    );
    assert.deepEqual(v3.labels.slice(1000), ['dandelion', 'roses', 'sunflowers', 'tulips']);
    const a2 = await flowersTop1(v2.head, ['daisy', 'dandelion'], u2 as Record<string, number>);
    const a3 = await flowersTop1(v3.head, ['daisy', 'dandelion']);
    assert.ok(a3 >= a2 - 0.1, `v2 classes: ${a2} in v2, ${a3} in v3`);
    assert.ok((await flowersTop1(v3.head)) >= 0.7);
    // evaluation report of v3 against v2 on the v2 classes
    const idx = val.map((v, i) => (v.label in u2 ? i : -1)).filter((i) => i >= 0);
    const ev = evaluateLogits(
      await logits(v3.head, rows(idx.map((i) => feats.val[i]))),
      v3.labels,
      Int32Array.from(idx, (i) => UNITS[val[i].label]),
      { newUnits: [1001, 1002, 1003] },
    );
    assert.equal(ev.old.count, idx.length);
  });

  it("replays the parent's rehearsal answers on an earlier user class unless told not to", async () => {
    const u2 = { daisy: 985, dandelion: 1000 };
    const v2 = await growHead(problem(base(), ['dandelion'], u2, 0.5), 'guarded');
    const grow = (replayUserClasses: boolean) =>
      growHead(
        problem({ head: v2.head, labels: v2.labels }, ['roses', 'sunflowers', 'tulips'], UNITS, 0.5),
        'guarded',
        { replayUserClasses },
      );
    // the earlier class's mean probability on the rehearsal photos (plain views), in the parent and in each child
    const meanProb = async (head: Head) => {
      const z = await logits(head, rows(feats.pool.map((v) => v[0])));
      let sum = 0;
      for (let i = 0; i < feats.pool.length; i++)
        sum += softmaxInPlace(z.subarray(i * head.classes, (i + 1) * head.classes))[1000];
      return sum / feats.pool.length;
    };
    const [parent, replayed, baseTargets] = [
      await meanProb(v2.head),
      await meanProb((await grow(true)).head),
      await meanProb((await grow(false)).head),
    ];
    assert.ok(baseTargets < replayed, `dandelion on rehearsal photos: ${baseTargets} (base targets) vs ${replayed}`);
    assert.ok(baseTargets < parent, `dandelion on rehearsal photos: ${baseTargets} in v3 vs ${parent} in v2`);
  });

  it('rejects labels outside the request and stops when aborted', async () => {
    await assert.rejects(
      growVersion({
        backbone: scratch.backbone,
        parent: base(),
        newClasses: ['roses'],
        train: [{ ...train[0], label: 'bluebell' }],
        val: [],
        strategy: 'guarded',
        cache: scratch.cache,
      }),
      /label "bluebell", which is neither a requested class nor a label of the parent/,
    );
    const ac = new AbortController();
    ac.abort(new Error('user cancelled'));
    await assert.rejects(
      growVersion({
        backbone: scratch.backbone,
        parent: base(),
        newClasses: FLOWERS,
        train,
        val,
        rehearsal,
        strategy: 'guarded',
        options: { augmentations: K },
        cache: scratch.cache,
        signal: ac.signal,
      }),
      /user cancelled/,
    );
  });
});
