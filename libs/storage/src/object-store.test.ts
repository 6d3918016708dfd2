// One table of behaviours, run against both homes of blobs: the local directory and S3 (a real s3rver).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { sha256Hex } from '@accrete/primitives';
import { startS3Server, type S3TestServer } from './testing.js';
import {
  BlobCache,
  BlobIntegrityError,
  BlobNotFoundError,
  blobKey,
  LocalObjectStore,
  S3ObjectStore,
  type ObjectStore,
} from './index.js';

/** Every temp dir of this file, removed after it. */
const scratch = await mkdtemp(join(tmpdir(), 'accrete-object-store-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

interface Backend {
  store: ObjectStore;
  /** Every name the backend holds, including temporaries: a failed put must leave none behind. */
  names(): Promise<string[]>;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const chunked = (b: Uint8Array, n = 3) =>
  Readable.from(
    Array.from({ length: n }, (_, i) => Buffer.from(b.subarray((i * b.length) / n, ((i + 1) * b.length) / n))),
  );
const collect = async (r: Readable) => {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
};

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

let s3: S3TestServer;
before(async () => {
  s3 = await startS3Server();
});
after(async () => {
  await s3.close();
});

const backends: Record<string, () => Promise<Backend>> = {
  local: async () => {
    const root = await mkdtemp(join(scratch, 'objects-'));
    return { store: new LocalObjectStore(root), names: () => walk(root) };
  },
  s3: async () => {
    const prefix = `t-${Math.random().toString(36).slice(2)}`;
    const store = new S3ObjectStore(s3.options(prefix));
    const names = async () => {
      const r = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
      return (r.Contents ?? []).map((o) => o.Key!);
    };
    return { store, names };
  },
};

const behaviours: { name: string; run(b: Backend): Promise<void> }[] = [
  {
    name: 'put stores bytes under their content key, once',
    async run({ store }) {
      const b = bytes('a jpeg, say');
      const key = blobKey('images', sha256Hex(b));
      assert.equal(await store.has(key), false);
      assert.deepEqual(await store.put(key, b), { created: true, size: b.length });
      assert.equal((await store.put(key, b)).created, false);
      assert.equal(await store.has(key), true);
      assert.deepEqual(await store.get(key), Buffer.from(b));
    },
  },
  {
    name: 'a streamed put and a streamed get carry the bytes intact',
    async run({ store }) {
      const b = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
      const key = blobKey('bottlenecks', sha256Hex(b));
      assert.equal((await store.put(key, chunked(b), b.length)).created, true);
      assert.deepEqual(await collect(await store.getStream(key)), Buffer.from(b));
    },
  },
  {
    name: 'bytes that do not hash to their key are refused and nothing is published',
    async run({ store, names }) {
      const key = blobKey('artifacts', sha256Hex(bytes('the real model')));
      await assert.rejects(store.put(key, bytes('a tampered model')), BlobIntegrityError);
      assert.equal(await store.has(key), false);
      assert.deepEqual(await names(), []);
    },
  },
  {
    name: 'a streamed put of wrong bytes is refused, leaving no temporary behind',
    async run({ store, names }) {
      const key = blobKey('backbones', sha256Hex(bytes('backbone v1')));
      const wrong = bytes('backbone v2');
      await assert.rejects(store.put(key, chunked(wrong), wrong.length), BlobIntegrityError);
      assert.equal(await store.has(key), false);
      assert.deepEqual(await names(), []);
    },
  },
  {
    name: 'a missing blob is NOT_FOUND; delete removes a blob',
    async run({ store }) {
      const b = bytes('short-lived');
      const key = blobKey('images', sha256Hex(b));
      await assert.rejects(store.get(key), BlobNotFoundError);
      await store.put(key, b);
      await store.delete(key);
      assert.equal(await store.has(key), false);
      await assert.rejects(
        store.getStream(key),
        (e: unknown) => e instanceof BlobNotFoundError && e.code === 'NOT_FOUND',
      );
    },
  },
  {
    name: 'keys that are not content addresses are refused',
    async run({ store }) {
      await assert.rejects(store.put('images/../../etc/passwd', bytes('x')), /not a blob key/);
      await assert.rejects(store.has('images/ab/short'), /not a blob key/);
      assert.throws(() => blobKey('images', 'abc'), /not a sha256/);
    },
  },
  {
    name: 'the read-through cache yields a local file with the blob, one download for concurrent readers',
    async run({ store }) {
      const b = bytes('trainer input');
      const key = blobKey('images', sha256Hex(b));
      await store.put(key, b);
      const cache = new BlobCache(store, await mkdtemp(join(scratch, 'cache-')));
      const [p1, p2] = await Promise.all([cache.localPath(key), cache.localPath(key)]);
      assert.equal(p1, p2);
      assert.deepEqual(await readFile(p1), Buffer.from(b));
      await assert.rejects(cache.localPath(blobKey('images', sha256Hex(bytes('never stored')))), BlobNotFoundError);
    },
  },
];

for (const [backendName, make] of Object.entries(backends)) {
  describe(`object store: ${backendName}`, () => {
    for (const b of behaviours) test(b.name, async () => b.run(await make()));
  });
}

describe('read-through cache over S3', () => {
  test('a cached blob is served locally, without the store', async () => {
    const { store } = await backends.s3!();
    const dir = await mkdtemp(join(scratch, 'cache-'));
    const b = bytes('bottleneck vector');
    const key = blobKey('bottlenecks', sha256Hex(b));
    await store.put(key, b);
    const cache = new BlobCache(store, dir);
    const path = await cache.localPath(key);
    assert.ok(path.startsWith(dir));
    await store.delete(key); // had the cache asked the store again, this would now be NOT_FOUND
    assert.equal(await new BlobCache(store, dir).localPath(key), path);
    assert.deepEqual(await readFile(path), Buffer.from(b));
  });

  test('an object altered in the bucket is refused by the cache and never cached', async () => {
    const { store } = await backends.s3!();
    const s3store = store as S3ObjectStore;
    const dir = await mkdtemp(join(scratch, 'cache-'));
    const key = blobKey('artifacts', sha256Hex(bytes('model.onnx')));
    // Written around the store's verification, as a faulty or hostile writer of the bucket would.
    await s3store.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `${s3store.options.prefix}/${key}`, Body: 'not the model' }),
    );
    await assert.rejects(new BlobCache(store, dir).localPath(key), BlobIntegrityError);
    assert.deepEqual(await walk(dir), []);
  });
});
