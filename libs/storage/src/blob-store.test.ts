import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@accrete/primitives';
import { LocalStorage } from './index.js';

/** Every temp dir of this file, removed after it. */
const scratch = await mkdtemp(join(tmpdir(), 'accrete-blob-store-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

test('images are stored once under their content hash', async () => {
  const root = await mkdtemp(join(scratch, 'storage-'));
  const s = new LocalStorage({
    images: join(root, 'i'),
    artifacts: join(root, 'a'),
    bottlenecks: join(root, 'b'),
    uploads: join(root, 'u'),
  });
  await s.ensure();
  const bytes = new TextEncoder().encode('not really a jpeg');
  const a = await s.putImage(bytes);
  const b = await s.putImage(bytes);
  assert.equal(a.sha256, sha256Hex(bytes));
  assert.equal(a.created, true);
  assert.equal(b.created, false);
  assert.deepEqual(await s.readImage(a.key), Buffer.from(bytes));
  assert.deepEqual(await readdir(join(root, 'i', a.sha256.slice(0, 2))), [a.sha256]);
});

test('keys that escape the store are refused', () => {
  const s = new LocalStorage({ images: '/x/i', artifacts: '/x/a', bottlenecks: '/x/b', uploads: '/x/u' });
  assert.throws(() => s.imagePath('../../etc/passwd'), /escapes/);
  assert.throws(() => s.imageKey('abc'), /not a sha256/);
  assert.throws(() => s.artifactDir('../x'), /bad version id/);
});
