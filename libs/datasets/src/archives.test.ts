// Pure parts of imports: archive layouts and entry names, and the hash-decided train/val split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutPaths } from './uploads.js';
import { unsafeEntryName } from './zip.js';
import { splitForHash } from './datasets.js';

test('archive layouts: split dirs, class dirs, a common top folder, root files need a label', () => {
  assert.deepEqual(
    layoutPaths(['x/train/daisy/a.jpg', 'x/val/roses/b.jpg', 'x/README'], { label: null, split: null }),
    [
      { path: 'x/train/daisy/a.jpg', label: 'daisy', split: 'TRAIN' },
      { path: 'x/val/roses/b.jpg', label: 'roses', split: 'VAL' },
      { path: 'x/README', label: null, split: null, rejected: 'not inside train/<class>/ or val/<class>/' },
    ],
  );
  assert.deepEqual(
    layoutPaths(['daisy/a.jpg', 'b.jpg'], { label: 'tulips', split: 'VAL' }).map((l) => [l.label, l.split]),
    [
      ['daisy', 'VAL'],
      ['tulips', 'VAL'],
    ],
  );
  assert.match(layoutPaths(['b.jpg'], { label: null, split: null })[0].rejected!, /not inside a class directory/);
  assert.match(
    layoutPaths(['__MACOSX/daisy/._a.jpg', 'daisy/a.jpg'], { label: null, split: null })[0].rejected!,
    /macOS/,
  );
  // train/ without val/: the split is left to the content hash, never all-training
  assert.deepEqual(
    layoutPaths(['x/train/daisy/a.jpg', 'x/train/roses/b.jpg'], { label: null, split: null }).map((l) => [
      l.label,
      l.split,
    ]),
    [
      ['daisy', null],
      ['roses', null],
    ],
  );
});

test('unsafe zip entry names', () => {
  for (const n of ['../a.jpg', 'a/../../b.jpg', '/etc/passwd', 'C:/x.jpg', 'a\\..\\b.jpg'])
    assert.ok(unsafeEntryName(n), n);
  for (const n of ['a.jpg', 'train/daisy/a..b.jpg', 'x/.hidden']) assert.equal(unsafeEntryName(n), null, n);
});

test('the split of an image depends only on its hash', () => {
  const hashes = Array.from(
    { length: 2000 },
    (_, i) => ((i * 2654435761) % 2 ** 32).toString(16).padStart(8, '0') + '0'.repeat(56),
  );
  const val = hashes.filter((h) => splitForHash(h, 0.2) === 'VAL').length;
  assert.ok(val > 300 && val < 500, `${val} of 2000 in VAL`);
  assert.equal(splitForHash('ffffffff' + '0'.repeat(56)), 'TRAIN');
  assert.equal(splitForHash('00000000' + '0'.repeat(56)), 'VAL');
});
