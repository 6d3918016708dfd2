// Growth bench: base + flowers (daisy merged into ImageNet unit 985) for every strategy, on the protocol split:
// flowers val top-1 in the full output vs retention drop on the ODD half of imagenet-sample, side by side; the
// retention-knob sweep with the acceptance operating points; with/without augmented bottlenecks; two-step growth;
// time and peak RSS of growVersion from a warm cache (measured in a fresh child process).
// Run: node --import tsx bench/growth.ts [--augmentations 3] [--cache /tmp/accrete-bench-cache] [--out bench/results/growth.json]
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  bestUnderDrop,
  DEFAULT_AUGMENTATIONS,
  defaultViews,
  evaluateLogits,
  GROWTH_STRATEGIES,
  growHead,
  growVersion,
  parentTop1,
  tradeoffCurve,
  type GrowthStrategy,
  type ViewKind,
  type GrownHead,
  type StrategyConfig,
  type TradeoffPoint,
  logits,
  type Head,
} from '@accrete/trainer/internals';
import {
  DAISY_UNIT,
  FLOWER_CLASSES,
  flowersProblem,
  loadGrowthData,
  retentionSet,
  valSet,
  timingChild,
  type GrowthData,
} from './growth-data.js';

const { values } = parseArgs({
  options: {
    augmentations: { type: 'string', default: String(DEFAULT_AUGMENTATIONS) },
    cache: { type: 'string', default: process.env.ACCRETE_BENCH_CACHE ?? '/tmp/accrete-bench-cache' },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    out: { type: 'string', default: 'bench/results/growth.json' },
    'timing-child': { type: 'boolean', default: false },
    /** how augmentations are made: feature-map (one pass, default on onnx) or image (one pass per view) */
    views: { type: 'string' },
  },
});
const K = Number(values.augmentations);
const log = (m: string) => console.error(`[growth] ${m}`);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const NEW4 = ['dandelion', 'roses', 'sunflowers', 'tulips'];
const UNITS_V2: Record<string, number> = {
  daisy: DAISY_UNIT,
  dandelion: 1000,
  roses: 1001,
  sunflowers: 1002,
  tulips: 1003,
};
const SHIFTS = Array.from({ length: 401 }, (_, i) => -10 + i * 0.1).concat(
  Array.from({ length: 40 }, (_, i) => 31 + i),
);

// ---- timing child: a fresh process that loads the backbone and runs growVersion from the warm cache ----
if (values['timing-child']) {
  const { flowersTrain, flowersVal, even, backbone, cache } = await loadGrowthData({
    shared: values.shared,
    cacheDir: values.cache!,
    k: 0,
  });
  const runs: Record<string, unknown>[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await growVersion({
      backbone,
      parent: { head: backbone.baseHead, labels: backbone.labels },
      newClasses: FLOWER_CLASSES,
      train: flowersTrain,
      val: flowersVal,
      rehearsal: even,
      strategy: 'guarded',
      options: { retentionKnob: 0.5, augmentations: K },
      cache,
    });
    const cpu = process.cpuUsage(c0);
    runs.push({
      wallSeconds: +((performance.now() - t0) / 1000).toFixed(2),
      cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      loadavg: loadavg()[0],
      timings: res.timings,
      classes: res.labels.length,
      merged: res.merged,
      flowersValTop1: res.evaluation.overall.top1,
    });
  }
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ runs, peakRssMiB: +peakRssMiB.toFixed(0), backend: backbone.backend }));
  await backbone.dispose();
  process.exit(0);
}

// ---- main bench ----
const d: GrowthData = await loadGrowthData({
  shared: values.shared,
  cacheDir: values.cache!,
  k: K,
  views: values.views as ViewKind | undefined,
  log,
});
log(`bottlenecks ready in ${d.extractSeconds.toFixed(1)} s (k=${K})`);
const base: { head: Head; labels: string[] } = { head: d.backbone.baseHead, labels: d.backbone.labels };
const ret = retentionSet(d);
const baseRetZ = await logits(base.head, ret.x);
const baseRetTop1 = parentTop1(baseRetZ, base.head.classes);
const baseOddTop1 = ret.unit.reduce((s, u, i) => s + (baseRetTop1[i] === u ? 1 : 0), 0) / ret.unit.length;

// What the base model says on the flowers (naive: no growth).
const daisyVal = valSet(d, { daisy: DAISY_UNIT, sunflowers: -1 }, ['daisy', 'sunflowers']);
const baseValTop1 = parentTop1(await logits(base.head, daisyVal.x), 1000);
const naive = {
  daisiesCalledDaisy: `${daisyVal.unit.reduce((s, u, i) => s + (u === DAISY_UNIT && baseValTop1[i] === DAISY_UNIT ? 1 : 0), 0)}/${daisyVal.unit.filter((u) => u === DAISY_UNIT).length}`,
  sunflowersCalledDaisy: `${daisyVal.unit.reduce((s, u, i) => s + (u === -1 && baseValTop1[i] === DAISY_UNIT ? 1 : 0), 0)}/${daisyVal.unit.filter((u) => u === -1).length}`,
};

interface Row {
  strategy: string;
  augmentations: number;
  knob: number;
  flowersTop1: number;
  flowersTop5: number;
  dropPoints: number;
  oldTop1: number;
  daisyRecall: number | null;
  biasShift: number;
  growSeconds: number;
  at2: TradeoffPoint | undefined;
  at1: TradeoffPoint | undefined;
  knobPoints: { knob: number; shift: number; flowersTop1: number; dropPoints: number }[];
}

async function measure(
  name: string,
  g: GrownHead,
  k: number,
  seconds: number,
  units = UNITS_V2,
  firstNew = 1000,
): Promise<Row> {
  const val = valSet(d, units);
  const zv = await logits(g.head, val.x);
  const zr = await logits(g.head, ret.x);
  const newUnits = [...new Set(Object.values(units))];
  const ev = evaluateLogits(zv, g.labels, val.unit, { newUnits });
  const er = evaluateLogits(zr, g.labels, ret.unit, { newUnits, parentTop1: baseRetTop1 });
  const input = {
    classes: g.head.classes,
    firstNewUnit: firstNew,
    user: { logits: zv, unit: val.unit },
    retention: { logits: zr, unit: ret.unit, parentTop1: baseRetTop1 },
  };
  const curve = tradeoffCurve(input, SHIFTS);
  const knob = g.details.knob as {
    retentionKnob: number;
    biasShift: number;
    points: { knob: number; delta: number }[];
  };
  // Other knob settings: the head already carries knob 0.5's shift, so shift by the difference.
  const knobPoints = tradeoffCurve(
    input,
    knob.points.map((p) => p.delta - knob.biasShift),
  ).map((p, i) => ({
    knob: knob.points[i].knob,
    shift: knob.points[i].delta,
    flowersTop1: p.newTop1,
    dropPoints: p.dropPoints,
  }));
  const daisy = ev.perClass.find((c) => c.unit === DAISY_UNIT);
  return {
    strategy: name,
    augmentations: k,
    knob: knob.retentionKnob,
    flowersTop1: ev.overall.top1,
    flowersTop5: ev.overall.top5,
    dropPoints: er.retention!.dropPoints,
    oldTop1: er.overall.top1,
    daisyRecall: daisy?.recall ?? null,
    biasShift: knob.biasShift,
    growSeconds: seconds,
    at2: bestUnderDrop(curve, 2),
    at1: bestUnderDrop(curve, 1),
    knobPoints,
  };
}

async function grow(strategy: GrowthStrategy, k: number, overrides: Partial<StrategyConfig> = {}, knob = 0.5) {
  const p = flowersProblem(d, base, NEW4, UNITS_V2, k, knob);
  const t0 = performance.now();
  const g = await growHead(p, strategy, overrides);
  return { g, seconds: (performance.now() - t0) / 1000 };
}

const rows: Row[] = [];
const ablations: Row[] = [];
for (const k of [...new Set([0, K])]) {
  for (const s of GROWTH_STRATEGIES) {
    const { g, seconds } = await grow(s, k);
    rows.push(await measure(s, g, k, seconds));
    log(
      `${s} k=${k}: flowers ${pct(rows.at(-1)!.flowersTop1)} drop ${rows.at(-1)!.dropPoints.toFixed(1)} (${seconds.toFixed(1)} s)`,
    );
  }
}
// What each ingredient of 'guarded' is worth (at k=K).
for (const [name, o] of [
  ['guarded, daisy column frozen', { refine: 'none' }],
  ['guarded, no mixture negatives', { mixtures: 0 }],
  ['guarded, l2 1e-4 constant (as finetune-new)', { l2New: 1e-4, l2Scale: 'constant' }],
] as [string, Partial<StrategyConfig>][]) {
  const { g, seconds } = await grow('guarded', K, o);
  ablations.push(await measure(name, g, K, seconds));
  log(`${name}: flowers ${pct(ablations.at(-1)!.flowersTop1)} drop ${ablations.at(-1)!.dropPoints.toFixed(1)}`);
}
// No rehearsal pool at all.
{
  const p = flowersProblem(d, base, NEW4, UNITS_V2, K, 0.5, false);
  const t0 = performance.now();
  const g = await growHead(p, 'finetune-new');
  ablations.push(await measure('finetune-new, no rehearsal pool', g, K, (performance.now() - t0) / 1000));
}

// ---- two-step growth: v2 = base + {daisy (merged), dandelion}; v3 = v2 + {roses, sunflowers, tulips} ----
const twoStep: Record<string, unknown>[] = [];
for (const s of ['guarded', 'finetune-new'] as GrowthStrategy[]) {
  const u2 = { daisy: DAISY_UNIT, dandelion: 1000 };
  const v2 = await growHead(flowersProblem(d, base, ['dandelion'], u2, K, 0.5), s);
  const u3 = { ...u2, roses: 1001, sunflowers: 1002, tulips: 1003 };
  const v3 = await growHead(
    flowersProblem(d, { head: v2.head, labels: v2.labels }, ['roses', 'sunflowers', 'tulips'], u3, K, 0.5),
    s,
  );
  const top1 = async (h: Head, set: { x: typeof ret.x; unit: Int32Array }) => {
    const t = parentTop1(await logits(h, set.x), h.classes);
    return set.unit.reduce((a, u, i) => a + (t[i] === u ? 1 : 0), 0) / set.unit.length;
  };
  const v2Classes = valSet(d, u2);
  const r = {
    strategy: s,
    v2: {
      classes: v2.head.classes,
      v2ClassesTop1: await top1(v2.head, v2Classes),
      imagenetOddTop1: await top1(v2.head, ret),
    },
    v3: {
      classes: v3.head.classes,
      v2ClassesTop1: await top1(v3.head, v2Classes),
      allFlowersTop1: await top1(v3.head, valSet(d, u3)),
      imagenetOddTop1: await top1(v3.head, ret),
    },
  };
  const keep = 100 * (r.v2.v2ClassesTop1 - r.v3.v2ClassesTop1);
  const extraDrop = 100 * (r.v2.imagenetOddTop1 - r.v3.imagenetOddTop1);
  twoStep.push({
    ...r,
    v2ClassesLostPoints: +keep.toFixed(2),
    imagenetExtraDropPoints: +extraDrop.toFixed(2),
    v2DropPoints: +(100 * (baseOddTop1 - r.v2.imagenetOddTop1)).toFixed(2),
    v3DropPoints: +(100 * (baseOddTop1 - r.v3.imagenetOddTop1)).toFixed(2),
    pass: keep <= 1 && extraDrop <= 1,
  });
  log(
    `two-step ${s}: v2 classes ${pct(r.v2.v2ClassesTop1)} → ${pct(r.v3.v2ClassesTop1)}, imagenet odd ${pct(r.v2.imagenetOddTop1)} → ${pct(r.v3.imagenetOddTop1)}`,
  );
}

// ---- growVersion from a warm cache, in a fresh process (time + peak RSS) ----
const self = fileURLToPath(import.meta.url);
const timing = timingChild(self, { augmentations: K, cache: values.cache!, shared: values.shared! });

// ---- acceptance ----
const best = rows.filter((r) => r.augmentations === K && r.strategy === 'guarded')[0];
// Operating points reached with the user-facing knob itself (its shift is chosen on held-out data, not on the odd half).
const byKnob = (maxDrop: number) =>
  best.knobPoints
    .filter((p) => p.dropPoints <= maxDrop + 1e-9)
    .reduce<(typeof best.knobPoints)[number] | undefined>(
      (a, p) => (!a || p.flowersTop1 > a.flowersTop1 ? p : a),
      undefined,
    );
const acceptance = {
  at2: {
    need: 'flowers ≥ 87% at drop ≤ 2 pt (best shift on the curve)',
    got: best.at2,
    pass: (best.at2?.newTop1 ?? 0) >= 0.87,
  },
  at1: {
    need: 'flowers ≥ 83% at drop ≤ 1 pt (best shift on the curve)',
    got: best.at1,
    pass: (best.at1?.newTop1 ?? 0) >= 0.83,
  },
  at2ByKnob: {
    need: 'same, with a knob setting (0, .25, .5, .75, 1)',
    got: byKnob(2),
    pass: (byKnob(2)?.flowersTop1 ?? 0) >= 0.87,
  },
  at1ByKnob: { need: 'same, with a knob setting', got: byKnob(1), pass: (byKnob(1)?.flowersTop1 ?? 0) >= 0.83 },
  twoStep: { need: 'v3 keeps v2 classes within 1 pt and loses ≤ 1 more pt on ImageNet', pass: twoStep[0].pass },
  augmentationHelps: (() => {
    const a = rows.find((r) => r.strategy === 'guarded' && r.augmentations === 0)!;
    return {
      withoutAt2: a.at2?.newTop1,
      withAt2: best.at2?.newTop1,
      withoutAt1: a.at1?.newTop1,
      withAt1: best.at1?.newTop1,
    };
  })(),
  // Wall time depends on what else runs on the 2 cores; CPU seconds of the process (all threads) do not.
  warmGrowSeconds: (() => {
    const runs = (timing.runs as { wallSeconds: number; cpuSeconds: number; loadavg: number }[] | undefined) ?? [];
    return {
      need: '≤ 5 s',
      wall: runs.map((r) => r.wallSeconds),
      cpu: runs.map((r) => r.cpuSeconds),
      loadavg: runs.map((r) => +r.loadavg.toFixed(1)),
      passWall: runs.some((r) => r.wallSeconds <= 5),
      passCpu: runs.some((r) => r.cpuSeconds <= 5),
    };
  })(),
  peakRss: { need: '≤ 1536 MiB', got: timing.peakRssMiB },
};

const result = {
  bench: 'growth',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: loadavg() },
  backend: d.backbone.backend,
  augmentations: K,
  views: values.views ?? defaultViews(d.backbone),
  protocol:
    'train: flowers train (20% of it held out to calibrate the knob); report: flowers val; rehearsal: imagenet-sample even class_index; retention: odd class_index',
  base: { imagenetOddTop1: baseOddTop1, naive },
  strategies: rows,
  ablations,
  twoStep,
  growVersionWarm: timing,
  acceptance,
};

// ---- print ----
const f2 = (p?: TradeoffPoint) => (p ? `${pct(p.newTop1).padStart(6)} @${p.dropPoints.toFixed(1)}` : '   -  ');
console.log(
  `base: imagenet-sample odd top-1 ${pct(baseOddTop1)}; naive base on flowers val: daisies called daisy ${naive.daisiesCalledDaisy}, sunflowers called daisy ${naive.sunflowersCalledDaisy}`,
);
console.log(
  'strategy                              aug  flowers  drop(pt)  daisy   shift | best ≤2pt     best ≤1pt     | knob 0 / .25 / .5 / .75 / 1 (flowers@drop)',
);
for (const r of [...rows, ...ablations]) {
  const kp = r.knobPoints.map((p) => `${pct(p.flowersTop1)}@${p.dropPoints.toFixed(1)}`).join(' / ');
  console.log(
    `${r.strategy.padEnd(37)} ${String(r.augmentations).padStart(3)}  ${pct(r.flowersTop1).padStart(6)}  ${r.dropPoints.toFixed(1).padStart(6)}  ${r.daisyRecall === null ? '  -  ' : pct(r.daisyRecall).padStart(6)} ${r.biasShift.toFixed(1).padStart(6)} | ${f2(r.at2)}  ${f2(r.at1)} | ${kp}`,
  );
}
for (const t of twoStep) console.log(`two-step ${t.strategy}: ${JSON.stringify(t)}`);
console.log(`growVersion warm (fresh process, k=${K}): ${JSON.stringify(timing)}`);
for (const [name, a] of Object.entries(acceptance)) console.log(`acceptance ${name}: ${JSON.stringify(a)}`);

const out = resolve(values.out!);
await mkdir(dirname(out), { recursive: true });
await writeFile(out + '.tmp', JSON.stringify(result, null, 2));
await rename(out + '.tmp', out);
console.log(`saved ${out}`);
await d.backbone.dispose();
