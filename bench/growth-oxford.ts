// Growth at the story's scale: the 102 Oxford flower classes.
//   baseline  — the plain floor: new columns only (old logits frozen), the parent's soft answers on the even-half
//               rehearsal images as targets, 300 full-batch Adam steps, no augmentation; v1 + 102 classes.
//   default   — growVersion's default strategy and knob, v1 + 102 classes, with the knob trade-off curve.
//   v3        — v2 (v1 + 5 flowers, daisy merged) + all 102 Oxford classes; the four name overlaps are mapped here
//               explicitly onto the classes they name (sunflower → sunflowers, rose → roses, common dandelion →
//               dandelion, oxeye daisy → daisy): the product's rule for that lives in the API's placement.
//   chain     — v2 → v3 → v4 → v5 with the Oxford classes in three chunks (earlier user images fed again, as jobs do).
//               Printed for v3 (and v5): top-1 at leaf and at leaf or declared descendant (the placement rule's
//               filing: barbeton daisy under daisy), wrong answers by kind, and a sweep of one extra shift (on every
//               user unit, and for v3 on the growth's appended columns only: the knob's lever). Every version also
//               lists the ImageNet odd photos it lost since v1 (true class → answer).
//   v3ablate  — v3 per strategy override (--variants '[["name", overrides, k], ...]'), same figures.
//   timing    — growVersion of v1 + 102 classes from the warm bottleneck cache in a fresh process (wall, CPU, RSS).
//   synthetic — one growth step on a synthetic parent head of 5000 classes vs the real 1000-class one.
// Protocol: Oxford train → training (20% held out inside growth for the knob); Oxford valid and flowers val →
// reporting only; imagenet-sample even class_index → rehearsal; odd → retention (drop vs v1, cumulative).
// Run: node --import tsx bench/growth-oxford.ts [--only baseline,default,v3,chain,timing,synthetic]
//        [--cache .accrete/bench-cache] [--out bench/results/growth-oxford.json]
//        [--overlaps new] (the four name overlaps as classes of their own) [--config '{"iterations":60}'] (overrides)
//        [--views image|feature-map|mirror-and-map] (how views 1..k are made; default: the trainer's) [--pool-views …] (the same for
//        the rehearsal images only)
//        [--seed 1] (the growths' seed: the knob's held-out split and the mixture negatives; the product's default is 1)
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_AUGMENTATIONS,
  evaluateLogits,
  GROWTH_DEFAULTS,
  defaultViews,
  growHead,
  growVersion,
  parentTop1,
  tradeoffCurve,
  appendColumns,
  frozenStats,
  logits,
  matrix,
  newColumnObjective,
  toDevice,
  rng,
  type GrownHead,
  type GrowthProblem,
  type LabelledImage,
  type StrategyConfig,
  type ViewKind,
  type Head,
} from '@accrete/trainer/internals';
import {
  TaxonomySearchIndex,
  TaxonomyTree,
  loadImagenetTaxonomy,
  placeName,
  type PlacementView,
} from '@accrete/taxonomy';
import {
  DAISY_UNIT,
  FLOWER_CLASSES,
  evalRows,
  labelledRows,
  loadGrowthData,
  poolRows,
  retentionSet,
  timingChild,
  type GrowthData,
} from './growth-data.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'baseline,default,v3,chain,timing,synthetic' },
    augmentations: { type: 'string', default: String(DEFAULT_AUGMENTATIONS) },
    knob: { type: 'string' },
    variants: { type: 'string' },
    views: { type: 'string' },
    'pool-views': { type: 'string' },
    'baseline-lr': { type: 'string', default: '0.003,0.01' },
    'baseline-pool-mass': { type: 'string', default: '0,1' },
    cache: { type: 'string', default: process.env.ACCRETE_BENCH_CACHE ?? '.accrete/bench-cache' },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    out: { type: 'string', default: 'bench/results/growth-oxford.json' },
    'timing-child': { type: 'boolean', default: false },
    overlaps: { type: 'string', default: 'merge' },
    seed: { type: 'string', default: '1' },
    'prior-sweep': { type: 'boolean', default: false },
    /** Strategy overrides (JSON) for every growth of the run, e.g. '{"heldOutIterations":20}' (diagnostics). */
    config: { type: 'string', default: '{}' },
  },
});
const K = Number(values.augmentations);
const only = new Set(values.only!.split(','));
const cfgOverrides = JSON.parse(values.config!) as Partial<StrategyConfig>;
const knobOpt = values.knob !== undefined ? { retentionKnob: Number(values.knob) } : {};
const log = (m: string) => console.error(`[oxford] ${m} (load ${loadavg()[0].toFixed(1)})`);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const r3 = (v: number) => Math.round(v * 1000) / 1000;
/** The four Oxford names that name a class the parent already has (mapped explicitly here, see the header). */
const NAME_OVERLAPS: Record<string, string> = {
  sunflower: 'sunflowers',
  rose: 'roses',
  'common dandelion': 'dandelion',
  'oxeye daisy': 'daisy',
};
/** --overlaps new: the four names grow as new classes of their own (diagnostic: what merging costs tf_flowers). */
const OVERLAPS: Record<string, string> = values.overlaps === 'new' ? {} : NAME_OVERLAPS;

// ---- timing child: a fresh process, growVersion from the warm cache (default options) ----
if (values['timing-child']) {
  const d = await loadGrowthData({ shared: values.shared, cacheDir: values.cache!, k: 0, oxford: true });
  const ox = d.oxford!;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const res = await growVersion({
    backbone: d.backbone,
    parent: { head: d.backbone.baseHead, labels: d.backbone.labels },
    newClasses: ox.classes,
    train: ox.train,
    val: ox.valid,
    rehearsal: d.even,
    strategy: 'guarded',
    options: { augmentations: K, ...knobOpt }, // views: the trainer's default for the backend
    cache: d.cache,
  });
  const cpu = process.cpuUsage(c0);
  process.stdout.write(
    JSON.stringify({
      wallSeconds: +((performance.now() - t0) / 1000).toFixed(2),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      loadavg: loadavg(),
      timings: res.timings,
      classes: res.labels.length,
      oxfordValidTop1: res.evaluation.overall.top1,
      rssBeforeMiB: Math.round(rss0 / 2 ** 20),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      backend: d.backbone.backend,
    }),
  );
  await d.backbone.dispose();
  process.exit(0);
}

const d: GrowthData = await loadGrowthData({
  shared: values.shared,
  cacheDir: values.cache!,
  k: K,
  views: values.views as ViewKind | undefined,
  poolViews: values['pool-views'] as ViewKind | undefined,
  oxford: true,
  log,
});
const ox = d.oxford!;
log(
  `bottlenecks ready in ${d.extractSeconds.toFixed(1)} s (k=${K}); ${ox.classes.length} Oxford classes, ${ox.train.length} train / ${ox.valid.length} valid`,
);
const v1 = { head: d.backbone.baseHead, labels: d.backbone.labels };
/**
 * The evaluation sets' frontier of a v3-like child along the knob's lever: an extra shift on every unit from
 * `firstShifted` on (1000: tf_flowers and Oxford columns; the parent's class count: this growth's appended columns
 * alone), Oxford valid and flowers val top-1 and the cumulative ImageNet odd drop per shift. One sweep per entry of
 * `firstShifted`, on logits computed once.
 */
async function shiftSweeps(h: { head: Head; labels: string[] }, firstShifted: number[] = [1000]) {
  const u = unitsOf(h.labels, OVERLAPS);
  const oxValid = evalRows(ox.valid, ox.validViews, u);
  const flowersVal = evalRows(d.flowersVal, d.val, u);
  const shifts = [-2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 1];
  const retention = { logits: await logits(h.head, ret.x), unit: ret.unit, parentTop1: v1RetTop1 };
  const user = [
    { logits: await logits(h.head, oxValid.x), unit: oxValid.unit },
    { logits: await logits(h.head, flowersVal.x), unit: flowersVal.unit },
  ];
  return firstShifted.map((first) => {
    const [a, b] = user.map((set) =>
      tradeoffCurve({ classes: h.head.classes, firstNewUnit: first, user: set, retention }, shifts),
    );
    const rows = shifts.map((shift, i) => ({
      shift,
      oxfordValidTop1: r3(a[i].newTop1),
      flowersValTop1: r3(b[i].newTop1),
      dropPoints: +a[i].dropPoints.toFixed(2),
    }));
    log(
      `  sweep from unit ${first} (extra shift: Oxford / flowers / drop): ${rows.map((q) => `${q.shift}: ${pct(q.oxfordValidTop1)}/${pct(q.flowersValTop1)}/${q.dropPoints}`).join(', ')}`,
    );
    return rows;
  });
}

/** Both levels on Oxford valid and flowers val for a child that holds all 102 Oxford classes (v3, v5). */
async function levelsOf(h: { head: Head; labels: string[] }) {
  const u = unitsOf(h.labels, OVERLAPS);
  // a child without the Oxford species (v2) has no Oxford figure: only the four name overlaps would map
  const hasOxford = ox.classes.every((c) => u(c) !== undefined);
  const oxfordValid = hasOxford
    ? await levels(h, evalRows(ox.valid, ox.validViews, u))
    : { leaf: NaN, leafOrDescendant: NaN, answeredBy: {}, wrong: {} };
  const flowersVal = await levels(h, evalRows(d.flowersVal, d.val, u));
  log(
    `  levels: Oxford valid leaf ${pct(oxfordValid.leaf)} / leaf-or-descendant ${pct(oxfordValid.leafOrDescendant)}; flowers val leaf ${pct(flowersVal.leaf)} / leaf-or-descendant ${pct(flowersVal.leafOrDescendant)}`,
  );
  log(`  Oxford valid wrong (${JSON.stringify(oxfordValid.answeredBy)}): ${JSON.stringify(oxfordValid.wrong)}`);
  log(`  flowers val wrong (${JSON.stringify(flowersVal.answeredBy)}): ${JSON.stringify(flowersVal.wrong)}`);
  return { oxfordValid, flowersVal };
}
const ret = retentionSet(d);
const v1RetTop1 = parentTop1(await logits(v1.head, ret.x), 1000);
const v1OddTop1 = ret.unit.reduce((s, u, i) => s + (v1RetTop1[i] === u ? 1 : 0), 0) / ret.unit.length;

const top1 = async (h: Head, set: { x: typeof ret.x; unit: Int32Array }) => {
  if (set.unit.length === 0) return NaN;
  const t = parentTop1(await logits(h, set.x), h.classes);
  return set.unit.reduce((a, u, i) => a + (t[i] === u ? 1 : 0), 0) / set.unit.length;
};
/** A label → unit map of a child, from its label list (user labels first, then their explicit overlaps). */
const unitsOf = (labels: string[], overlaps: Record<string, string> = {}) => {
  const at = new Map(labels.map((l, u) => [l, u] as const));
  at.set('daisy', DAISY_UNIT);
  return (label: string) => at.get(label) ?? (label in overlaps ? at.get(overlaps[label]) : undefined);
};
/**
 * Where the product's placement rule (libs/taxonomy placeName, as job-time filing uses it) files each class: the
 * tf_flowers classes over the ImageNet hierarchy, then every Oxford name over the hierarchy plus those user classes.
 * Returns label → the labels it is filed under (its ancestors among the labels; "barbeton daisy" → daisy).
 */
function labelAncestors(labels: string[]): Map<string, string[]> {
  const { nodes } = loadImagenetTaxonomy();
  const base = nodes.map((n) => ({ id: n.wnid, parentId: n.parentWnid, name: n.name, synonyms: n.synonyms }));
  const viewOf = (list: typeof base): PlacementView => {
    const tree = new TaxonomyTree(list);
    const index = new TaxonomySearchIndex(
      list.map((n) => ({ id: n.id, name: n.name, synonyms: n.synonyms, isClass: true })),
    );
    return { tree, index, idOfWnid: (w) => (tree.has(w) ? w : null) };
  };
  const hierarchy = viewOf(base);
  const user = FLOWER_CLASSES.filter((c) => c !== 'daisy').map((c) => {
    const p = placeName(hierarchy, c);
    return { id: `user:${c}`, parentId: p ? (p.relation === 'is' ? p.parentId : p.id) : null, name: c, synonyms: [] };
  });
  const view = viewOf([...base, ...user]);
  const idOf = (l: string) => (l === 'daisy' ? 'n11939491' : `user:${l}`);
  const flowerIds = new Map(FLOWER_CLASSES.map((c) => [idOf(c), c] as const));
  const out = new Map<string, string[]>();
  for (const l of labels) {
    const p = placeName(view, l);
    if (!p) continue;
    const anc = [p.relation === 'under' ? p.id : p.parentId, ...view.tree.ancestors(p.id).map((a) => a.id)];
    const above = [...new Set(anc.filter((a): a is string => !!a && flowerIds.has(a)).map((a) => flowerIds.get(a)!))];
    if (above.length && !FLOWER_CLASSES.includes(l) && p.relation === 'under') out.set(l, above);
  }
  return out;
}
const oxfordUnder = labelAncestors(ox.classes);
log(`placement: Oxford names filed under a tf_flowers class: ${JSON.stringify(Object.fromEntries(oxfordUnder))}`);

/**
 * Leaf and leaf-or-descendant top-1 (the issue's two levels) on a set, and what the wrong answers were: a row is
 * right at the roll-up when the answer is its unit or a unit filed under it (a daisy photo answered "barbeton daisy").
 */
async function levels(h: { head: Head; labels: string[] }, set: { x: typeof ret.x; unit: Int32Array }) {
  const t = parentTop1(await logits(h.head, set.x), h.head.classes);
  const unitOf = new Map(h.labels.map((l, u) => [l, u] as const));
  unitOf.set('daisy', DAISY_UNIT);
  const under = new Map<number, Set<number>>(); // unit → units filed under it
  for (const [l, above] of oxfordUnder)
    for (const a of above) {
      const u = unitOf.get(l);
      const au = unitOf.get(a);
      if (u === undefined || au === undefined) continue;
      if (!under.has(au)) under.set(au, new Set());
      under.get(au)!.add(u);
    }
  let leaf = 0;
  let rollUp = 0;
  const wrong = new Map<string, number>();
  const flowerUnits = new Set(FLOWER_CLASSES.map((c) => unitOf.get(c)));
  const oxfordUnits = new Set(ox.classes.map((c) => unitOf.get(c)));
  const answeredBy = { tfFlowersClass: 0, oxfordSpecies: 0, imagenetClass: 0 };
  set.unit.forEach((u, i) => {
    if (t[i] === u) leaf++;
    else {
      const desc = under.get(u)?.has(t[i]) ?? false;
      if (flowerUnits.has(t[i])) answeredBy.tfFlowersClass++;
      else if (oxfordUnits.has(t[i])) answeredBy.oxfordSpecies++;
      else answeredBy.imagenetClass++;
      if (desc) rollUp++;
      const key = `${h.labels[u]} → ${h.labels[t[i]]}${desc ? ' (filed under it)' : ''}`;
      wrong.set(key, (wrong.get(key) ?? 0) + 1);
    }
  });
  const n = set.unit.length;
  return {
    leaf: r3(leaf / n),
    leafOrDescendant: r3((leaf + rollUp) / n),
    /** Wrong answers (leaf level) by kind of unit: a tf_flowers class (merged overlaps count as one), an Oxford
     *  species, an ImageNet class. */
    answeredBy,
    wrong: Object.fromEntries([...wrong.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)),
  };
}

/** Oxford valid, flowers val, ImageNet odd and the cumulative drop for a child head. */
async function report(name: string, h: { head: Head; labels: string[] }, overlaps: Record<string, string> = {}) {
  const u = unitsOf(h.labels, overlaps);
  const oxValid = evalRows(ox.valid, ox.validViews, u);
  const flowersVal = evalRows(d.flowersVal, d.val, u);
  // the drop's photos: right under v1, wrong now, by true class → answer (and the photos v1 missed, now right)
  const kept = evaluateLogits(await logits(h.head, ret.x), h.labels, ret.unit, {
    newUnits: [],
    parentTop1: v1RetTop1,
  }).retention!;
  const short = (label: string) => label.split(',')[0];
  const lost = new Map<string, number>();
  for (const c of kept.lost) {
    const key = `${short(c.trueLabel)} → ${short(c.predictedLabel)}`;
    lost.set(key, (lost.get(key) ?? 0) + c.count);
  }
  const wonBack = kept.wonBack;
  const odd = kept.childTop1;
  const r = {
    name,
    classes: h.head.classes,
    oxfordValidTop1: r3(await top1(h.head, oxValid)),
    oxfordValidCount: oxValid.unit.length,
    flowersValTop1: r3(await top1(h.head, flowersVal)),
    flowersValCount: flowersVal.unit.length,
    imagenetOddTop1: r3(odd),
    cumulativeDropPoints: +kept.dropPoints.toFixed(2),
    imagenetOddLost: Object.fromEntries(lost),
    imagenetOddWonBack: wonBack,
  };
  log(`  ImageNet odd photos lost since v1: ${JSON.stringify(r.imagenetOddLost)}; won back ${wonBack}`);
  log(
    `${name}: ${r.classes} classes, Oxford valid ${pct(r.oxfordValidTop1)} (${r.oxfordValidCount}), flowers val ${Number.isNaN(r.flowersValTop1) ? '-' : pct(r.flowersValTop1)}, ImageNet odd ${pct(odd)} (drop ${r.cumulativeDropPoints} pt)`,
  );
  return r;
}

/** A growth problem on the child's labels: `sources` pick the images, the plan maps labels to child units. */
function problem(
  parent: { head: Head; labels: string[] },
  newClasses: string[],
  sets: { images: LabelledImage[]; views: typeof d.train; only?: Set<string> }[],
  overlaps: Record<string, string>,
  k: number,
  /** labels whose images are new examples of a parent unit (the step's merged overlaps) */
  merged: string[] = Object.keys(overlaps),
): GrowthProblem {
  const u = unitsOf([...parent.labels, ...newClasses], overlaps);
  const train = labelledRows(
    sets.map((s) => ({
      images: s.images,
      views: s.views,
      unitOf: (l: string) => (!s.only || s.only.has(l) ? u(l) : undefined),
    })),
    k,
  );
  return {
    parent: parent.head,
    parentLabels: parent.labels,
    baseClasses: d.backbone.baseHead.classes,
    newClasses,
    newExamples: [...new Set(merged.map((l) => u(l)).filter((v): v is number => v !== undefined))],
    train,
    pool: poolRows(d, k),
    options: { retentionKnob: GROWTH_DEFAULTS.retentionKnob, seed: Number(values.seed), ...knobOpt },
  };
}
const grow = async (p: GrowthProblem) => {
  const t0 = performance.now();
  const g = await growHead(p, 'guarded', cfgOverrides);
  if (g.details.l2Path) log(`  held-out L2 path: ${JSON.stringify(g.details.l2Path)}`);
  return { g, seconds: +((performance.now() - t0) / 1000).toFixed(1) };
};
const child = (g: GrownHead) => ({ head: g.head, labels: g.labels });

const result: Record<string, unknown> = {
  bench: 'growth-oxford',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() },
  backend: d.backbone.backend,
  augmentations: K,
  views: values.views ?? defaultViews(d.backbone),
  poolViews: values['pool-views'] ?? values.views ?? defaultViews(d.backbone),
  protocol:
    'train: Oxford train (+ flowers train for v2 classes); report: Oxford valid, flowers val; rehearsal: imagenet-sample even class_index; retention: odd class_index, drop vs v1',
  v1: { imagenetOddTop1: v1OddTop1 },
};
const out = resolve(values.out!);
try {
  Object.assign(result, JSON.parse(await readFile(out, 'utf8')), { date: result.date, machine: result.machine });
} catch {
  /* first run */
}
const save = async () => {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out + '.tmp', JSON.stringify(result, null, 2));
  await rename(out + '.tmp', out);
};

// ---- the plain baseline ----
// The issue gives no learning rate or rehearsal weighting: a small grid, every point reported.
if (only.has('baseline')) {
  const p = problem(v1, ox.classes, [{ images: ox.train, views: ox.trainViews }], {}, 0);
  const pool = poolRows(d, 0);
  const x = matrix(p.train.x.n + pool.x.n, 768);
  x.data.set(p.train.x.data);
  x.data.set(pool.x.data, p.train.x.data.length);
  const kNew = ox.classes.length;
  const target = new Int32Array(x.n).fill(-1);
  for (let i = 0; i < p.train.x.n; i++) target[i] = p.train.unit[i] - 1000;
  const stats = await frozenStats(v1.head, x, []);
  const device = await toDevice(x);
  const grid: Record<string, unknown>[] = [];
  for (const lr of values['baseline-lr']!.split(',').map(Number)) {
    for (const poolMass of values['baseline-pool-mass']!.split(',').map(Number)) {
      const t0 = performance.now();
      // rehearsal rows weigh 1 each (poolMass 0), or together poolMass × the labelled rows' mass
      const weight = new Float32Array(x.n).fill(1);
      if (poolMass > 0) weight.fill((poolMass * p.train.x.n) / pool.x.n, p.train.x.n);
      // with every old column frozen, the parent's soft answer on a rehearsal image = all its mass on the old columns
      const fg = await newColumnObjective(
        { x, oldLse: stats.lse, target, weight },
        { k: kNew, l2: 0, iterations: 0 },
        device,
      );
      const theta = new Float64Array(768 * kNew + kNew);
      const g = new Float64Array(theta.length);
      const m = new Float64Array(theta.length);
      const v = new Float64Array(theta.length);
      const [b1, b2, eps] = [0.9, 0.999, 1e-8];
      let loss = 0;
      for (let step = 1; step <= 300; step++) {
        loss = await fg(theta, g);
        for (let j = 0; j < theta.length; j++) {
          m[j] = b1 * m[j] + (1 - b1) * g[j];
          v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
          theta[j] -= (lr * (m[j] / (1 - b1 ** step))) / (Math.sqrt(v[j] / (1 - b2 ** step)) + eps);
        }
      }
      const seconds = +((performance.now() - t0) / 1000).toFixed(1);
      const head = appendColumns(
        v1.head,
        Float32Array.from(theta.subarray(0, 768 * kNew)),
        Float32Array.from(theta.subarray(768 * kNew)),
      );
      grid.push({
        lr,
        rehearsal: poolMass > 0 ? `${poolMass}× the labelled mass` : 'each row weighs 1',
        loss: r3(loss),
        seconds,
        ...(await report(`baseline lr ${lr} pool ${poolMass}`, { head, labels: [...v1.labels, ...ox.classes] })),
      });
    }
  }
  device.dispose();
  result.baseline = {
    what: "v1 + 102 Oxford classes as new; new columns only (zero init), old frozen; targets: labels, and the parent's soft answers on the even rehearsal images; 300 full-batch Adam steps, no augmentation, no L2",
    issue: { oxfordValidTop1: 0.941, dropPoints: 0.2 },
    grid,
  };
  await save();
}

// ---- the default strategy, v1 + 102 classes, with the knob trade-off curve ----
if (only.has('default')) {
  const p = problem(v1, ox.classes, [{ images: ox.train, views: ox.trainViews }], {}, K);
  const { g, seconds } = await grow(p);
  const knob = g.details.knob as {
    retentionKnob: number;
    biasShift: number;
    points: { knob: number; delta: number; heldOutAccuracy: number; heldOutChanged: number }[];
  };
  const u = unitsOf(g.labels);
  const val = evalRows(ox.valid, ox.validViews, u);
  const zv = await logits(g.head, val.x);
  const zr = await logits(g.head, ret.x);
  const input = {
    classes: g.head.classes,
    firstNewUnit: 1000,
    user: { logits: zv, unit: val.unit },
    retention: { logits: zr, unit: ret.unit, parentTop1: v1RetTop1 },
  };
  // other knob settings: the head carries the default knob's shift, so shift by the difference
  const curve = tradeoffCurve(
    input,
    knob.points.map((q) => q.delta - knob.biasShift),
  ).map((q, i) => ({
    knob: knob.points[i].knob,
    shift: r3(knob.points[i].delta),
    oxfordValidTop1: r3(q.newTop1),
    dropPoints: +q.dropPoints.toFixed(2),
    heldOutAccuracy: r3(knob.points[i].heldOutAccuracy),
    heldOutChanged: r3(knob.points[i].heldOutChanged),
  }));
  const shifts = Array.from({ length: 61 }, (_, i) => -3 + i * 0.25);
  const sweep = tradeoffCurve(
    input,
    shifts.map((s) => s - knob.biasShift),
  ).map((q, i) => ({ shift: shifts[i], oxfordValidTop1: r3(q.newTop1), dropPoints: +q.dropPoints.toFixed(2) }));
  result.default = {
    knob: knob.retentionKnob,
    biasShift: knob.biasShift,
    seconds,
    timings: g.details.timings,
    knobCurve: curve,
    shiftSweep: sweep,
    ...(await report('default v1+102', child(g))),
  };
  for (const q of curve)
    log(
      `  knob ${q.knob}: shift ${q.shift}, Oxford valid ${pct(q.oxfordValidTop1)} @ drop ${q.dropPoints} pt (held-out acc ${pct(q.heldOutAccuracy)}, changed ${pct(q.heldOutChanged)})`,
    );
  await save();
}

// ---- what each ingredient of the default is worth on Oxford (v1 + 102) ----
if (only.has('ablate')) {
  const rows: Record<string, unknown>[] = [];
  const variants: [string, Partial<StrategyConfig>, number][] = JSON.parse(values.variants ?? '[]');
  for (const [name, o, k] of variants) {
    const p = problem(v1, ox.classes, [{ images: ox.train, views: ox.trainViews }], {}, k);
    const t0 = performance.now();
    const g = await growHead(p, 'guarded', { ...cfgOverrides, ...o });
    const knob = g.details.knob as { biasShift: number; points: { knob: number; delta: number }[] };
    const val = evalRows(ox.valid, ox.validViews, unitsOf(g.labels));
    const input = {
      classes: g.head.classes,
      firstNewUnit: 1000,
      user: { logits: await logits(g.head, val.x), unit: val.unit },
      retention: { logits: await logits(g.head, ret.x), unit: ret.unit, parentTop1: v1RetTop1 },
    };
    const pts = tradeoffCurve(input, [...knob.points.map((q) => q.delta - knob.biasShift), -3 - knob.biasShift]);
    rows.push({
      name,
      overrides: o,
      k,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      fit: g.details.fit,
      timings: g.details.timings,
      knobs: pts.map((q, i) => ({
        knob: knob.points[i]?.knob ?? 'shift -3',
        oxfordValidTop1: r3(q.newTop1),
        dropPoints: +q.dropPoints.toFixed(2),
      })),
    });
    log(`${name} k=${k}: ${JSON.stringify(rows.at(-1)!.knobs)}`);
  }
  result.ablations = rows;
  result.config = cfgOverrides;
  await save();
}

// ---- v2 (v1 + 5 flowers) and v3 = v2 + all 102 Oxford classes ----
let v2: { head: Head; labels: string[] } | undefined;
const flowersSet = { images: d.flowersTrain, views: d.train };
async function growV2() {
  const { g } = await grow(
    problem(
      v1,
      FLOWER_CLASSES.filter((c) => c !== 'daisy'),
      [flowersSet],
      {},
      K,
    ),
  );
  return child(g);
}
if (only.has('v3')) {
  v2 ??= await growV2();
  const r2 = await report('v2', v2);
  const lv2 = await levelsOf(v2);
  const newOx = ox.classes.filter((c) => !(c in OVERLAPS));
  const { g, seconds } = await grow(
    problem(v2, newOx, [flowersSet, { images: ox.train, views: ox.trainViews }], OVERLAPS, K),
  );
  const r = await report('v3', child(g), OVERLAPS);
  const lv = await levelsOf(child(g));
  // every user unit, then the knob's own lever: the shift of this growth's appended columns only
  const [sweep, freshSweep] = await shiftSweeps(child(g), [1000, v2.head.classes]);
  result.v3 = {
    nameOverlaps: OVERLAPS,
    v2: r2,
    v3: r,
    seconds,
    knob: g.details.knob,
    userOffsetTried: g.details.userOffsetTried,
    levels: lv,
    v2Levels: lv2,
    shiftSweep: sweep,
    freshShiftSweep: freshSweep,
    acceptance: {
      oxfordValid: { need: '≥ 93%', got: r.oxfordValidTop1, pass: r.oxfordValidTop1 >= 0.93 },
      flowers: {
        need: 'within 1 pt of v2',
        v2: r2.flowersValTop1,
        v3: r.flowersValTop1,
        pass: r.flowersValTop1 >= r2.flowersValTop1 - 0.01,
      },
      imagenet: {
        need: 'cumulative drop ≤ 1.5 pt vs v1',
        got: r.cumulativeDropPoints,
        pass: r.cumulativeDropPoints <= 1.5,
      },
    },
  };
  await save();
}

// ---- v3 variants (diagnostics): --variants '[["name", overrides, k], ...]'
if (only.has('v3ablate')) {
  const rows: Record<string, unknown>[] = [];
  const v2Of = new Map<number, GrownHead>(); // v2 does not depend on the variant (no earlier user classes)
  for (const [name, o, k] of JSON.parse(values.variants ?? '[]') as [string, Partial<StrategyConfig>, number][]) {
    if (!v2Of.has(k))
      v2Of.set(
        k,
        (
          await grow(
            problem(
              v1,
              FLOWER_CLASSES.filter((c) => c !== 'daisy'),
              [flowersSet],
              {},
              k,
            ),
          )
        ).g,
      );
    const g2 = v2Of.get(k)!;
    const r2 = await report(`v2 k=${k}`, child(g2));
    const p3 = problem(
      child(g2),
      ox.classes.filter((c) => !(c in OVERLAPS)),
      [flowersSet, { images: ox.train, views: ox.trainViews }],
      OVERLAPS,
      k,
    );
    const g3 = await growHead(p3, 'guarded', { ...cfgOverrides, ...o });
    const r = await report(`v3 ${name} k=${k}`, child(g3), OVERLAPS);
    const lv = await levelsOf(child(g3));
    const [sweep, freshSweep] = await shiftSweeps(child(g3), [1000, p3.parent.classes]);
    // diagnostic only (chosen on the evaluation sets, so never a rule): a class-frequency prior on every user unit,
    // logit − τ·log(rows of the class / mean rows), swept with the shift; if no τ reaches the targets here, no τ
    // chosen on held-out data will
    const priorSweep: Record<string, unknown>[] = [];
    if (values['prior-sweep']) {
      const rowsOf = new Map<number, number>();
      for (const u of p3.train.unit) rowsOf.set(u, (rowsOf.get(u) ?? 0) + 1);
      const mean = [...rowsOf.values()].reduce((a, b) => a + b, 0) / rowsOf.size;
      for (const tau of [-0.5, -0.25, 0.25, 0.5, 1]) {
        const bias = g3.head.bias.slice();
        for (const [u, c] of rowsOf) bias[u] -= tau * Math.log(c / mean);
        log(`  prior τ = ${tau}:`);
        const [tauSweep] = await shiftSweeps({ head: { ...g3.head, bias }, labels: g3.labels });
        priorSweep.push({ tau, sweep: tauSweep });
      }
    }
    const u = unitsOf(g3.labels, OVERLAPS);
    const val = evalRows(ox.valid, ox.validViews, u);
    const t = parentTop1(await logits(g3.head, val.x), g3.head.classes);
    const lost = new Map<string, number>();
    val.unit.forEach((tu, i) => {
      if (t[i] !== tu) {
        const key = g3.labels[t[i]];
        lost.set(key, (lost.get(key) ?? 0) + 1);
      }
    });
    const fval = evalRows(d.flowersVal, d.val, u);
    const ft = parentTop1(await logits(g3.head, fval.x), g3.head.classes);
    const flowersLost = new Map<string, number>();
    fval.unit.forEach((tu, i) => {
      if (ft[i] !== tu) {
        const key = `${g3.labels[tu]} → ${g3.labels[ft[i]]}`;
        flowersLost.set(key, (flowersLost.get(key) ?? 0) + 1);
      }
    });
    rows.push({
      ...r,
      name,
      k,
      overrides: o,
      v2: r2,
      shiftSweep: sweep,
      freshShiftSweep: freshSweep,
      priorSweep,
      knob: g3.details.knob && (g3.details.knob as { biasShift: number }).biasShift,
      userClassOffset: g3.details.knob && (g3.details.knob as { userClassOffset: number }).userClassOffset,
      levels: lv,
      wrongAnswers: Object.fromEntries([...lost.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)),
      flowersWrongAnswers: Object.fromEntries([...flowersLost.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)),
    });
    log(`  wrong answers: ${JSON.stringify(rows.at(-1)!.wrongAnswers)}`);
    log(`  flowers val wrong: ${JSON.stringify(rows.at(-1)!.flowersWrongAnswers)} (shift ${rows.at(-1)!.knob})`);
  }
  result.v3ablate = rows;
  await save();
}

// ---- deep chain: v2 → v3 → v4 → v5, the Oxford classes in three chunks ----
if (only.has('chain')) {
  v2 ??= await growV2();
  const versions = [await report('chain v2', v2)];
  const chunks = [0, 1, 2].map((c) => ox.classes.filter((_, i) => i % 3 === c));
  let parent = v2;
  const seen: string[] = [];
  for (const [c, chunk] of chunks.entries()) {
    seen.push(...chunk);
    const newOx = chunk.filter((l) => !(l in OVERLAPS));
    const oxSeen = new Set(seen);
    const { g, seconds } = await grow(
      problem(
        parent,
        newOx,
        [flowersSet, { images: ox.train, views: ox.trainViews, only: oxSeen }],
        OVERLAPS,
        K,
        chunk.filter((l) => l in OVERLAPS),
      ),
    );
    parent = child(g);
    versions.push({
      ...(await report(`chain v${3 + c}`, parent, OVERLAPS)),
      seconds,
      oxfordClassesSoFar: seen.length,
    } as (typeof versions)[number]);
  }
  const last = versions.at(-1)!;
  const chainLevels = await levelsOf(parent);
  result.chain = {
    levels: chainLevels,
    chunks: chunks.map((c) => c.length),
    versions,
    acceptance: {
      oxfordValid: { need: '≥ 92% (v5)', got: last.oxfordValidTop1, pass: last.oxfordValidTop1 >= 0.92 },
      imagenet: {
        need: 'cumulative drop ≤ 1.5 pt',
        got: last.cumulativeDropPoints,
        pass: last.cumulativeDropPoints <= 1.5,
      },
      flowers: {
        need: 'within 1 pt of v2',
        v2: versions[0].flowersValTop1,
        v5: last.flowersValTop1,
        pass: last.flowersValTop1 >= versions[0].flowersValTop1 - 0.01,
      },
    },
  };
  await save();
}

// ---- growVersion v1 + 102 classes from the warm cache, fresh process ----
if (only.has('timing')) {
  const self = fileURLToPath(import.meta.url);
  const runs: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    runs.push(
      timingChild(self, {
        augmentations: K,
        cache: values.cache!,
        shared: values.shared!,
        extra: values.knob ? ['--knob', values.knob] : [],
      }),
    );
    log(`timing run ${i}: ${JSON.stringify(runs.at(-1)).slice(0, 300)}`);
  }
  const ok = runs.filter(
    (r): r is { wallSeconds: number; peakRssMiB: number } =>
      typeof (r as { wallSeconds?: number }).wallSeconds === 'number',
  );
  result.timing = {
    what: 'growVersion(v1 + 102 Oxford classes, default strategy and options) from the warm bottleneck cache, fresh process (wall includes loading cached vectors, fitting, evaluation on Oxford valid)',
    runs,
    uptime: loadavg(),
    acceptance: {
      need: '≤ 30 s wall on 2 cores, peak RSS ≤ 1536 MiB',
      pass: ok.some((r) => r.wallSeconds <= 30) && ok.every((r) => r.peakRssMiB <= 1536),
    },
  };
  await save();
}

// ---- cost vs the old class count: one growth step on a synthetic 5000-class parent ----
if (only.has('synthetic')) {
  const rand = rng(5000);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  // 5000 columns: the real 1000 and 4000 more drawn around them (same column norms, jittered), random biases
  const P = 5000;
  const w = new Float32Array(768 * P);
  const b = new Float32Array(P);
  for (let c = 0; c < P; c++) {
    const src = c % 1000;
    for (let dd = 0; dd < 768; dd++)
      w[dd * P + c] =
        v1.head.weights[dd * 1000 + src] * (c < 1000 ? 1 : 0.5 + 0.5 * rand()) + (c < 1000 ? 0 : 0.01 * gauss());
    b[c] = c < 1000 ? v1.head.bias[c] : v1.head.bias[src] - 1;
  }
  const big = {
    head: { inDim: 768, classes: P, weights: w, bias: b },
    labels: Array.from({ length: P }, (_, c) => (c < 1000 ? v1.labels[c] : `synthetic ${c}`)),
  };
  const rows: Record<string, unknown>[] = [];
  for (const [name, parent] of [
    ['real 1000-class parent', v1],
    ['synthetic 5000-class parent', big],
  ] as const) {
    const { g, seconds } = await grow(problem(parent, ox.classes, [{ images: ox.train, views: ox.trainViews }], {}, K));
    rows.push({
      parent: name,
      parentClasses: parent.head.classes,
      seconds,
      timings: g.details.timings,
      loadavg: loadavg()[0],
    });
    log(`${name}: ${seconds} s ${JSON.stringify(g.details.timings)}`);
  }
  result.synthetic = {
    what:
      'growHead (default strategy) of 102 Oxford classes (k=' +
      K +
      ') on a 1000- vs a 5000-class parent; only parentLogits (one pass of the frozen head over the rows) depends on the parent size',
    rows,
  };
  await save();
}

console.log(JSON.stringify(result, null, 1).slice(0, 4000));
console.log(`saved ${out}`);
await d.backbone.dispose();
