// Blob storage through S3 (a local s3rver) vs the local directory: storing flower images (import/upload path) and a
// cold node fetching them for training (read-through into its empty images dir), plus a published artifact.
//   node --import tsx bench/storage-s3.ts [--images 200]
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStorage, type LocalStorage, type StorageLocation } from '@accrete/storage';
import { startS3Server } from '@accrete/storage/testing';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results/storage-s3.json' },
  },
});
const FLOWERS = join(import.meta.dirname, '../../shared/datasets/flowers/train');
const n = Number(values.images);

async function flowerFiles(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const label of (await readdir(FLOWERS)).sort()) {
    for (const f of (await readdir(join(FLOWERS, label))).sort()) {
      if (out.length >= n) return out;
      if (f.endsWith('.jpg')) out.push(await readFile(join(FLOWERS, label, f)));
    }
  }
  return out;
}

async function node(location: StorageLocation): Promise<LocalStorage> {
  const root = await mkdtemp(join(tmpdir(), 'accrete-bench-storage-'));
  const s = openStorage(
    {
      images: join(root, 'i'),
      artifacts: join(root, 'a'),
      bottlenecks: join(root, 'b'),
      uploads: join(root, 'u'),
      blobCache: join(root, 'c'),
    },
    location,
  );
  await s.ensure();
  return s;
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

const images = await flowerFiles();
const totalMiB = images.reduce((a, b) => a + b.length, 0) / 2 ** 20;
const s3 = await startS3Server('accrete-bench');
const s3loc: StorageLocation = {
  kind: 's3',
  bucket: s3.bucket,
  prefix: 'bench',
  region: 'us-east-1',
  endpoint: s3.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
};
const results: Record<string, unknown> = {};
try {
  for (const [name, location] of [
    ['local', { kind: 'local' } as StorageLocation],
    ['s3', s3loc],
  ] as const) {
    const writer = await node(location);
    let t0 = process.hrtime.bigint();
    const keys: string[] = [];
    for (const b of images) keys.push((await writer.putImage(b)).key);
    const store = seconds(t0);
    // A node with an empty data dir reading every image (what a training job on a fresh worker does).
    const reader = name === 's3' ? await node(location) : writer;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < keys.length; i += 8) await Promise.all(keys.slice(i, i + 8).map((k) => reader.ensureImage(k)));
    const coldRead = seconds(t0);
    // A 10 MiB artifact published and assembled on another node.
    const dir = writer.artifactDir('bench-v2');
    await mkdir(dir, { recursive: true });
    const weights = Buffer.alloc(10 * 2 ** 20, 7);
    await writeFile(join(dir, 'weights.bin'), weights);
    const { createHash } = await import('node:crypto');
    const manifest = JSON.stringify({ files: { 'weights.bin': createHash('sha256').update(weights).digest('hex') } });
    await writeFile(join(dir, 'manifest.json'), manifest);
    t0 = process.hrtime.bigint();
    await writer.publishArtifact(dir);
    const publish = seconds(t0);
    t0 = process.hrtime.bigint();
    await (name === 's3' ? await node(location) : writer).ensureArtifact(
      'bench-v2',
      createHash('sha256').update(manifest).digest('hex'),
    );
    const fetchArtifact = seconds(t0);
    results[name] = {
      storeImagesS: +store.toFixed(3),
      storeMiBPerS: +(totalMiB / store).toFixed(1),
      coldReadImagesS: +coldRead.toFixed(3),
      coldReadMiBPerS: +(totalMiB / coldRead).toFixed(1),
      publishArtifact10MiBS: +publish.toFixed(3),
      fetchArtifact10MiBS: +fetchArtifact.toFixed(3),
    };
    console.log(name, results[name]);
    await rm(join(writer.paths.images, '..'), { recursive: true, force: true });
  }
} finally {
  await s3.close();
}
const out = {
  images: images.length,
  totalMiB: +totalMiB.toFixed(2),
  cpus: cpus().length,
  loadavg: loadavg().map((l) => +l.toFixed(2)),
  at: new Date().toISOString(),
  results,
};
await writeFile(values.out, JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out));
