// The seed's story on ../shared, without the API: the ImageNet-1000 MobileNet (v1) grows by 5 flower species
// (daisy merges into ImageNet's daisy, so 1004 classes) and still recognises pandas; the grown head is exported as a
// standalone TF.js model and reloaded; rolling back is pointing at v1 again. Prints one table.
// Run: node --import tsx tools/story.ts [--strategy S] [--knob K] [--augmentations N] [--cache /tmp/accrete-bench-cache]
// (strategy, knob and augmentations default to the trainer's GROWTH_DEFAULTS, what the API and dashboard use)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  exportModel,
  GROWTH_DEFAULTS,
  GROWTH_STRATEGIES,
  growVersion,
  loadClassifier,
  type Classifier,
  type GrowthStrategy,
  logits,
  parentTop1,
  type Head,
} from '@accrete/trainer/internals';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the story reads the shared flowers the way the growth bench does
import { FLOWER_CLASSES, loadGrowthData, retentionSet } from '../bench/growth-data.js';

const { values } = parseArgs({
  options: {
    strategy: { type: 'string', default: GROWTH_DEFAULTS.strategy },
    knob: { type: 'string', default: String(GROWTH_DEFAULTS.retentionKnob) },
    augmentations: { type: 'string', default: String(GROWTH_DEFAULTS.augmentations) },
    cache: { type: 'string', default: process.env.ACCRETE_BENCH_CACHE ?? join(tmpdir(), 'accrete-bench-cache') },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    quiet: { type: 'boolean', default: false },
  },
});
const strategy = values.strategy as GrowthStrategy;
if (!GROWTH_STRATEGIES.includes(strategy)) throw new Error(`--strategy must be one of ${GROWTH_STRATEGIES.join(', ')}`);
const knob = Number(values.knob);
const k = Number(values.augmentations);
const log = (m: string) => {
  if (!values.quiet) console.error(`[story] ${m}`);
};

const d = await loadGrowthData({ shared: values.shared, cacheDir: values.cache!, k: 0, log });
const { backbone } = d;
const v1 = { head: backbone.baseHead, labels: backbone.labels };

log(`growing v2 = v1 + ${FLOWER_CLASSES.join(', ')} (${strategy}, knob ${knob}, ${k} augmentations)`);
const t0 = performance.now();
const v2 = await growVersion({
  backbone,
  parent: v1,
  newClasses: FLOWER_CLASSES,
  train: d.flowersTrain,
  val: d.flowersVal,
  rehearsal: d.even,
  strategy,
  options: { retentionKnob: knob, augmentations: k },
  cache: d.cache,
  onProgress: (p) => {
    if (p.phase === 'fit' && p.done % 30 === 0) log(`fit ${p.done}/${p.total} loss ${p.loss?.toFixed(4)}`);
  },
});
const growSeconds = (performance.now() - t0) / 1000;

const dir = await mkdtemp(join(tmpdir(), 'accrete-story-'));
try {
  const v2Dir = join(dir, 'v2');
  await exportModel(backbone, v2.head, v2.labels, v2Dir, { parentVersion: 'v1', strategy, retentionKnob: knob });
  const clf: Record<string, Classifier> = {
    v1: await loadClassifier({ backbone }),
    v2: await loadClassifier({ artifactDir: v2Dir, backbone }),
  };
  const probes = [
    ['panda photo', d.even.concat(d.odd).find((r) => r.path.endsWith('_giant_panda.jpg'))!.path],
    ['a sunflower', d.flowersVal.find((r) => r.label === 'sunflowers')!.path],
  ] as const;
  const ret = retentionSet(d);
  const oddTop1 = async (h: Head) => {
    const t = parentTop1(await logits(h, ret.x), h.classes);
    return ret.unit.reduce((s, u, i) => s + (t[i] === u ? 1 : 0), 0) / ret.unit.length;
  };
  const v1Odd = await oddTop1(v1.head);
  const v2Odd = await oddTop1(v2.head);
  // Per-species top-1 on flowers val: v1 has no flower classes except daisy (unit 985).
  const perSpecies = async (h: Head, units: Record<string, number>) => {
    const t = parentTop1(await logits(h, d.val.views[0]), h.classes);
    const hit = (label: string) => {
      const idx = d.flowersVal.map((img, i) => (img.label === label ? i : -1)).filter((i) => i >= 0);
      return idx.filter((i) => units[label] !== undefined && t[i] === units[label]).length / idx.length;
    };
    const all =
      d.flowersVal.filter((img, i) => units[img.label] !== undefined && t[i] === units[img.label]).length /
      d.flowersVal.length;
    return [all, ...FLOWER_CLASSES.map(hit)];
  };
  const v2Units = Object.fromEntries(FLOWER_CLASSES.map((c) => [c, v2.merged[c] ?? 1000 + v2.appended.indexOf(c)]));
  const pc = (v: number) => `${(100 * v).toFixed(1)}%`;
  const rows: string[][] = [
    ['version', 'classes', 'flowers', ...FLOWER_CLASSES, 'imagenet odd', ...probes.map(([n]) => n)],
  ];
  const say = async (name: string, c: Classifier, h: Head, units: Record<string, number>, odd: number) => {
    const preds = await Promise.all(probes.map(async ([, p]) => (await c.predict(p, 1))[0]));
    rows.push([
      name,
      String(c.labels.length),
      ...(await perSpecies(h, units)).map(pc),
      pc(odd),
      ...preds.map((p) => `${p.label.split(',')[0]} ${(100 * p.probability).toFixed(0)}%`),
    ]);
  };
  await say('v1 (base)', clf.v1, v1.head, { daisy: 985 }, v1Odd);
  await say(`v2 (+flowers, ${strategy})`, clf.v2, v2.head, v2Units, v2Odd);
  await say('rollback → v1', clf.v1, v1.head, { daisy: 985 }, v1Odd);
  console.log(
    "top-1 on flowers val (all species, then each) in the full output, on the imagenet-sample odd half, and the exported model's answer on two photos:",
  );
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const r of rows) console.log(r.map((c, j) => c.padEnd(widths[j])).join('  '));
  console.log(
    `\nv2: ${v2.labels.length} classes; merged ${JSON.stringify(v2.merged)}; appended ${v2.appended.join(', ')}`,
  );
  console.log(
    `v2 retention on imagenet-sample odd half: ${(100 * (v1Odd - v2Odd)).toFixed(1)} pt drop (v1 ${(100 * v1Odd).toFixed(1)}% → v2 ${(100 * v2Odd).toFixed(1)}%)`,
  );
  const knobInfo = v2.details.knob as {
    biasShift: number;
    points: { knob: number; delta: number; heldOutAccuracy: number; heldOutChanged: number }[];
  };
  console.log(
    `knob ${knob}: bias shift ${knobInfo.biasShift.toFixed(1)} on the new columns; held-out trade-off: ${knobInfo.points.map((p) => `knob ${p.knob} → ${(100 * p.heldOutAccuracy).toFixed(1)}% / ${(100 * p.heldOutChanged).toFixed(1)}% changed`).join('; ')}`,
  );
  const conf = v2.evaluation.confusions.newAsOther
    .slice(0, 5)
    .map((c) => `${c.trueLabel}→${c.predictedLabel.split(',')[0]} ×${c.count}`);
  console.log(`most common mistakes on the flowers: ${conf.join(', ')}`);
  console.log(
    `grown in ${growSeconds.toFixed(1)} s (${Object.entries(v2.timings)
      .map(([a, b]) => `${a} ${b.toFixed(2)} s`)
      .join(', ')}); exported to a standalone TF.js model and reloaded`,
  );
  for (const c of Object.values(clf)) await c.dispose();
} finally {
  await rm(dir, { recursive: true, force: true });
  await backbone.dispose();
}
