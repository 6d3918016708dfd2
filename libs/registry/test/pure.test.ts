// Pure parts of the registry: cursors, alias rollback order, archive layouts and names, splits, metric diffs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor } from '../src/pagination.js';
import { rollbackTarget } from '../src/aliases.js';
import { layoutPaths } from '../src/uploads.js';
import { unsafeEntryName } from '../src/zip.js';
import { splitForHash } from '../src/datasets.js';
import { flattenMetrics, perClassMetrics } from '../src/compare.js';
import { RegistryError } from '../src/errors.js';

test('cursors round-trip dates and refuse garbage with BAD_INPUT', () => {
  const d = new Date('2026-01-02T03:04:05.678Z');
  assert.deepEqual(decodeCursor(encodeCursor([d, 'id-1', 3]), 3), [d, 'id-1', 3]);
  assert.throws(() => decodeCursor('nope', 2), (e: unknown) => e instanceof RegistryError && e.code === 'BAD_INPUT');
  assert.throws(() => decodeCursor(encodeCursor(['a']), 2), /invalid cursor/);
});

test('rollback pops the alias history like a stack', () => {
  const set = (v: string) => ({ action: 'SET' as const, toVersionId: v });
  const rb = (v: string) => ({ action: 'ROLLBACK' as const, toVersionId: v });
  assert.equal(rollbackTarget([set('v1')]), null);
  assert.equal(rollbackTarget([set('v1'), set('v2')]), 'v1');
  assert.equal(rollbackTarget([set('v1'), set('v2'), set('v3'), rb('v2')]), 'v1');
  assert.equal(rollbackTarget([set('v1'), set('v2'), rb('v1')]), null);
  assert.equal(rollbackTarget([set('v1'), set('v2'), rb('v1'), set('v3')]), 'v1');
});

test('archive layouts: split dirs, class dirs, a common top folder, root files need a label', () => {
  assert.deepEqual(layoutPaths(['x/train/daisy/a.jpg', 'x/val/roses/b.jpg', 'x/README'], { label: null, split: null }), [
    { path: 'x/train/daisy/a.jpg', label: 'daisy', split: 'TRAIN' },
    { path: 'x/val/roses/b.jpg', label: 'roses', split: 'VAL' },
    { path: 'x/README', label: null, split: null, rejected: 'not inside train/<class>/ or val/<class>/' },
  ]);
  assert.deepEqual(layoutPaths(['daisy/a.jpg', 'b.jpg'], { label: 'tulips', split: 'VAL' }).map((l) => [l.label, l.split]), [['daisy', 'VAL'], ['tulips', 'VAL']]);
  assert.match(layoutPaths(['b.jpg'], { label: null, split: null })[0].rejected!, /not inside a class directory/);
  assert.match(layoutPaths(['__MACOSX/daisy/._a.jpg', 'daisy/a.jpg'], { label: null, split: null })[0].rejected!, /macOS/);
  // train/ without val/: the split is left to the content hash, never all-training
  assert.deepEqual(layoutPaths(['x/train/daisy/a.jpg', 'x/train/roses/b.jpg'], { label: null, split: null }).map((l) => [l.label, l.split]), [['daisy', null], ['roses', null]]);
});

test('unsafe zip entry names', () => {
  for (const n of ['../a.jpg', 'a/../../b.jpg', '/etc/passwd', 'C:/x.jpg', 'a\\..\\b.jpg']) assert.ok(unsafeEntryName(n), n);
  for (const n of ['a.jpg', 'train/daisy/a..b.jpg', 'x/.hidden']) assert.equal(unsafeEntryName(n), null, n);
});

test('the split of an image depends only on its hash', () => {
  const hashes = Array.from({ length: 2000 }, (_, i) => (i * 2654435761 % 2 ** 32).toString(16).padStart(8, '0') + '0'.repeat(56));
  const val = hashes.filter((h) => splitForHash(h, 0.2) === 'VAL').length;
  assert.ok(val > 300 && val < 500, `${val} of 2000 in VAL`);
  assert.equal(splitForHash('ffffffff' + '0'.repeat(56)), 'TRAIN');
  assert.equal(splitForHash('00000000' + '0'.repeat(56)), 'VAL');
});

test('metrics: numeric leaves flattened, per-class tables read in object or array form', () => {
  const m = { top1: 0.8, old: { top1: 0.7, top5: 0.9 }, perClass: { daisy: { recall: 0.5 } }, confusions: [[1, 2]], note: 'x' };
  assert.deepEqual(flattenMetrics(m), [{ name: 'top1', value: 0.8 }, { name: 'old.top1', value: 0.7 }, { name: 'old.top5', value: 0.9 }]);
  assert.deepEqual([...perClassMetrics(m).get('daisy')!], [['recall', 0.5]]);
  assert.deepEqual([...perClassMetrics({ perClass: [{ label: 'roses', precision: 1 }] }).get('roses')!], [['precision', 1]]);
});
