// Bottleneck extraction throughput, decode included, on a COLD cache: images/s, peak RSS, backend.
// Run: node --import tsx bench/extract.ts [--images 600] [--augmentations 0] [--backend auto|onnx|wasm]
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BottleneckCache,
  extractBottlenecks,
  imageRef,
  loadBackbone,
  preprocess,
  type ComputeBackendName,
} from '@accrete/trainer/internals';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '600' },
    augmentations: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'auto' },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    out: { type: 'string', default: 'bench/results/extract.json' },
  },
});
const shared = resolve(values.shared!);
const count = Number(values.images);
const k = Number(values.augmentations);

let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const flowers = join(shared, 'datasets/flowers/train');
const paths: string[] = [];
for (const cls of (await readdir(flowers)).sort())
  for (const f of (await readdir(join(flowers, cls))).sort()) paths.push(join(flowers, cls, f));
// Interleave classes so any prefix is a mix of image sizes/contents.
paths.sort((a, b) => (a.split('/').pop()! < b.split('/').pop()! ? -1 : 1));
const images = await Promise.all(paths.slice(0, count).map(imageRef));

const cacheDir = await mkdtemp(join(tmpdir(), 'accrete-bench-'));
const logs: string[] = [];
const tLoad = performance.now();
const backbone = await loadBackbone(join(shared, 'models/mobilenet_v1_0.75_224'), {
  backend: values.backend as 'auto' | ComputeBackendName,
  cacheDir: join(tmpdir(), 'accrete-backbones'),
  log: (m) => logs.push(m),
});
const loadSeconds = (performance.now() - tLoad) / 1000;
const cache = new BottleneckCache(cacheDir);
const vectors = images.length * (k + 1);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const res = await extractBottlenecks(backbone, images, { cache, augmentations: k });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
// A warm pass: everything now comes from the on-disk cache.
const t1 = performance.now();
const warm = await extractBottlenecks(backbone, images, { cache, augmentations: k });
const warmSeconds = (performance.now() - t1) / 1000;
const extractPeakRss = Math.max(peakRss, process.memoryUsage().rss);
// Agreement of the fast path with the TF.js reference (wasm) on a few of the same images.
let onnxVsTfjsMaxAbsDiff: number | undefined;
if (backbone.backend === 'onnx') {
  const ref = await loadBackbone(join(shared, 'models/mobilenet_v1_0.75_224'), { backend: 'wasm' });
  onnxVsTfjsMaxAbsDiff = 0;
  for (const img of images.filter((_, i) => i % Math.ceil(images.length / 12) === 0)) {
    const a = await backbone.computeBottlenecks(await preprocess(img.path), 1);
    const b = await ref.computeBottlenecks(await preprocess(img.path), 1);
    for (let i = 0; i < a.length; i++) onnxVsTfjsMaxAbsDiff = Math.max(onnxVsTfjsMaxAbsDiff, Math.abs(a[i] - b[i]));
  }
  await ref.dispose();
}
clearInterval(rssTimer);

const result = {
  bench: 'extract',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  backend: backbone.backend,
  backboneLoadSeconds: +loadSeconds.toFixed(2),
  images: images.length,
  augmentations: k,
  vectors,
  cold: {
    seconds: +seconds.toFixed(2),
    imagesPerSecond: +(images.length / seconds).toFixed(1),
    vectorsPerSecond: +(vectors / seconds).toFixed(1), // one vector = one decode + one backbone pass
    computed: res.stats.computed,
    // CPU time this process got: on a shared, busy machine wall-clock speed is capped by the share of 2 cores it gets.
    cpuSeconds: +cpuSeconds.toFixed(2),
    coresUsed: +(cpuSeconds / seconds).toFixed(2),
    vectorsPerCpuSecond: +(vectors / cpuSeconds).toFixed(1),
  },
  warm: {
    seconds: +warmSeconds.toFixed(3),
    vectorsPerSecond: Math.round(vectors / warmSeconds),
    cached: warm.stats.cached,
  },
  peakRssMB: Math.round(extractPeakRss / 2 ** 20),
  onnxVsTfjsMaxAbsDiff,
  loadAverageAtEnd: loadavg().map((l) => +l.toFixed(2)),
  target: { vectorsPerSecond: 60, met: vectors / seconds >= 60 },
  log: logs,
};
console.log(JSON.stringify(result, null, 2));
await mkdir(join(values.out!, '..'), { recursive: true });
await writeFile(values.out!, JSON.stringify(result, null, 2) + '\n');
await backbone.dispose();
await rm(cacheDir, { recursive: true, force: true });
