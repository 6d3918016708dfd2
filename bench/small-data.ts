// How growth behaves on small datasets: the 5 flower classes (daisy merged into ImageNet's daisy) grown with the
// default strategy and knob from N training images per class, N = 4 … 80, several random draws each. Reports, on
// the full flowers val split (736 photos) and on the odd-index ImageNet photos (retention), the median and the
// spread over draws. This is what a user uploading a handful of photos per class gets; nothing here is tuned.
// Run: node --import tsx bench/small-data.ts [--sizes 4,8,16,32,80] [--draws 3] [--knob 0.5]
//        [--cache /tmp/accrete-bench-cache] [--out bench/results/small-data.json]
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import {
  BottleneckCache,
  DEFAULT_AUGMENTATIONS,
  GROWTH_DEFAULTS,
  extractBottlenecks,
  growVersion,
  imageRef,
  loadBackbone,
  parentTop1,
  type LabelledImage,
  evaluateLogits,
  logits,
  matrix,
  rng,
  shuffleInPlace,
} from '@accrete/trainer/internals';
import { FLOWER_CLASSES, imagenetRows, listFlowers } from './growth-data.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '4,8,16,32,80' },
    draws: { type: 'string', default: '3' },
    knob: { type: 'string', default: String(GROWTH_DEFAULTS.retentionKnob) },
    cache: { type: 'string', default: process.env.ACCRETE_BENCH_CACHE ?? '/tmp/accrete-bench-cache' },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    out: { type: 'string', default: 'bench/results/small-data.json' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const draws = Number(values.draws);
const knob = Number(values.knob);
const shared = resolve(values.shared!);
const log = (m: string) => console.error(`[small-data] ${m}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 1000) / 1000;

const backbone = await loadBackbone(join(shared, 'models/mobilenet_v1_0.75_224'), {
  cacheDir: join(values.cache!, 'backbones'),
  log,
});
const cache = new BottleneckCache(join(values.cache!, 'bottlenecks'));
const flowers = async (split: string): Promise<LabelledImage[]> =>
  Promise.all(
    (await listFlowers(join(shared, 'datasets/flowers', split))).map(async (f) => ({
      ...(await imageRef(f.path)),
      label: f.label,
    })),
  );
const train = await flowers('train');
const val = await flowers('val');
const inet = await imagenetRows(shared);
const rehearsal = inet.filter((r) => r.unit % 2 === 0);
const odd = inet.filter((r) => r.unit % 2 === 1);

// retention photos' bottlenecks and the base model's answers on them, once
const oddFeatures = await extractBottlenecks(backbone, odd, { cache, augmentations: 0 });
const dim = backbone.bottleneckDim;
const oddX = matrix(odd.length, dim);
oddFeatures.plain.forEach((v, i) => oddX.data.set(v, i * dim));
const oddUnits = Int32Array.from(odd, (r) => r.unit);
const baseTop1 = parentTop1(await logits(backbone.baseHead, oddX), backbone.baseHead.classes);

/** A seeded draw of n images per class, the same draw for the same (n, seed). */
function draw(n: number, seed: number): LabelledImage[] {
  const rand = rng(seed * 7919 + n);
  return FLOWER_CLASSES.flatMap((label) =>
    shuffleInPlace(
      train.filter((i) => i.label === label),
      rand,
    ).slice(0, n),
  );
}

interface Run {
  n: number;
  seed: number;
  flowersTop1: number;
  newTop1: number;
  daisyRecall: number | null;
  worstClassRecall: number;
  retentionDropPoints: number;
  biasShift: number;
  seconds: number;
}
const runs: Run[] = [];
for (const n of sizes) {
  for (let seed = 1; seed <= draws; seed++) {
    const t0 = performance.now();
    const res = await growVersion({
      backbone,
      parent: { head: backbone.baseHead, labels: backbone.labels },
      newClasses: FLOWER_CLASSES,
      train: draw(n, seed),
      val,
      rehearsal,
      strategy: 'guarded',
      options: { retentionKnob: knob, augmentations: DEFAULT_AUGMENTATIONS, seed },
      cache,
    });
    const seconds = (performance.now() - t0) / 1000;
    const ev = res.evaluation;
    const newUnits = [...Object.values(res.merged), ...res.appended.map((_, j) => 1000 + j)];
    const er = evaluateLogits(await logits(res.head, oddX), res.labels, oddUnits, { newUnits, parentTop1: baseTop1 });
    const flowerRecalls = ev.perClass
      .filter((c) => newUnits.includes(c.unit) && c.support > 0)
      .map((c) => c.recall ?? 0);
    const run: Run = {
      n,
      seed,
      flowersTop1: round(ev.overall.top1),
      newTop1: round(ev.new.top1),
      daisyRecall: ev.perClass.find((c) => c.unit === res.merged.daisy)?.recall ?? null,
      worstClassRecall: round(Math.min(...flowerRecalls)),
      retentionDropPoints: round(er.retention!.dropPoints),
      biasShift: round(Number((res.details.knob as { biasShift?: number } | undefined)?.biasShift ?? NaN)),
      seconds: round(seconds),
    };
    runs.push(run);
    log(
      `n=${n} seed=${seed}: flowers ${(100 * run.flowersTop1).toFixed(1)}%, worst class ${(100 * run.worstClassRecall).toFixed(0)}%, retention drop ${run.retentionDropPoints.toFixed(1)} pt (${seconds.toFixed(1)} s)`,
    );
  }
}

const bySize = sizes.map((n) => {
  const r = runs.filter((x) => x.n === n);
  const spread = (k: keyof Run) => [
    round(Math.min(...r.map((x) => x[k] as number))),
    round(Math.max(...r.map((x) => x[k] as number))),
  ];
  return {
    imagesPerClass: n,
    flowersTop1: { median: median(r.map((x) => x.flowersTop1)), range: spread('flowersTop1') },
    worstClassRecall: { median: median(r.map((x) => x.worstClassRecall)), range: spread('worstClassRecall') },
    retentionDropPoints: { median: median(r.map((x) => x.retentionDropPoints)), range: spread('retentionDropPoints') },
  };
});
console.log(
  'images/class  flowers top-1 (median, range)   worst class recall (median, range)   retention drop pt (median, range)',
);
for (const b of bySize) {
  const f = (v: { median: number; range: number[] }, pct = true) =>
    pct
      ? `${(100 * v.median).toFixed(1)}% (${(100 * v.range[0]).toFixed(0)}–${(100 * v.range[1]).toFixed(0)})`
      : `${v.median.toFixed(1)} (${v.range[0].toFixed(1)}–${v.range[1].toFixed(1)})`;
  console.log(
    `${String(b.imagesPerClass).padStart(13)}  ${f(b.flowersTop1).padEnd(30)}  ${f(b.worstClassRecall).padEnd(36)}  ${f(b.retentionDropPoints, false)}`,
  );
}
const result = {
  at: new Date().toISOString(),
  loadavg1m: round(loadavg()[0]),
  backend: backbone.backend,
  strategy: 'guarded',
  knob,
  augmentations: DEFAULT_AUGMENTATIONS,
  valImages: val.length,
  retentionImages: odd.length,
  bySize,
  runs,
};
await mkdir(dirname(values.out!), { recursive: true });
await writeFile(values.out!, JSON.stringify(result, null, 2) + '\n');
console.log(`saved ${values.out}`);
await backbone.dispose();
