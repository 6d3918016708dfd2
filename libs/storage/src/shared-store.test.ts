// Two nodes with their own empty data directories sharing only an S3 bucket (a real s3rver): what one stores,
// the other reads through its local directories.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@accrete/primitives';
import { startS3Server, type S3TestServer } from './testing.js';
import { BlobNotFoundError, blobKey, openStorage, type LocalStorage } from './index.js';

/** Every temp dir of this file, removed after it. */
const scratch = await mkdtemp(join(tmpdir(), 'accrete-shared-store-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

let s3: S3TestServer;
before(async () => {
  s3 = await startS3Server();
});
after(async () => {
  await s3.close();
});

async function node(prefix: string): Promise<LocalStorage> {
  const root = await mkdtemp(join(scratch, 'node-'));
  const paths = {
    images: join(root, 'images'),
    artifacts: join(root, 'artifacts'),
    bottlenecks: join(root, 'b'),
    uploads: join(root, 'u'),
    blobCache: join(root, 'blob-cache'),
  };
  const s = openStorage(paths, { kind: 's3', ...s3.options(prefix) });
  await s.ensure();
  return s;
}

const sharedPrefix = () => `n-${Math.random().toString(36).slice(2)}`;

test('an image stored on one node is read on another from the bucket, then from its own disk', async () => {
  const prefix = sharedPrefix();
  const [a, b] = [await node(prefix), await node(prefix)];
  const bytes = new TextEncoder().encode('a photo of a daisy');
  const put = await a.putImage(bytes);
  assert.equal(put.created, true);
  assert.equal(await a.remote!.has(blobKey('images', put.sha256)), true);
  const path = await b.ensureImage(put.key);
  assert.equal(path, b.imagePath(put.key));
  assert.deepEqual(await readFile(path), Buffer.from(bytes));
  await a.remote!.delete(blobKey('images', put.sha256));
  assert.deepEqual(await b.readImage(put.key), Buffer.from(bytes)); // its own copy now
  await assert.rejects((await node(prefix)).readImage(put.key), BlobNotFoundError); // a third node finds it nowhere
});

test('a published artifact is assembled on another node from its manifest, verified file by file', async () => {
  const prefix = sharedPrefix();
  const [a, b] = [await node(prefix), await node(prefix)];
  const dir = a.artifactDir('v2');
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {
    'model.json': '{"format":"layers-model"}',
    'weights.bin': 'W'.repeat(70_000),
    'labels.json': '["daisy","rose"]',
  };
  for (const [n, c] of Object.entries(files)) await writeFile(join(dir, n), c);
  const manifest = JSON.stringify({
    files: Object.fromEntries(Object.entries(files).map(([n, c]) => [n, sha256Hex(new TextEncoder().encode(c))])),
  });
  await writeFile(join(dir, 'manifest.json'), manifest);
  await a.publishArtifact(dir);

  const artifactSha256 = sha256Hex(new TextEncoder().encode(manifest));
  const got = await b.ensureArtifact('v2', artifactSha256);
  assert.equal(got, b.artifactDir('v2'));
  assert.deepEqual((await readdir(got)).sort(), ['labels.json', 'manifest.json', 'model.json', 'weights.bin']);
  for (const [n, c] of Object.entries(files)) assert.equal(await readFile(join(got, n), 'utf8'), c);
  // Without a published manifest there is nothing to assemble, and no half directory is left.
  const c = await node(prefix);
  await assert.rejects(
    c.ensureArtifact('v3', sha256Hex(new TextEncoder().encode('never published'))),
    BlobNotFoundError,
  );
  assert.deepEqual(await readdir(c.paths.artifacts), []);
});
