// Pure parts of the model registry: alias rollback order, metric diffs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollbackTarget } from '../src/aliases.js';
import { flattenMetrics, perClassMetrics } from '../src/compare.js';

test('rollback pops the alias history like a stack', () => {
  const set = (v: string) => ({ action: 'SET' as const, toVersionId: v });
  const rb = (v: string) => ({ action: 'ROLLBACK' as const, toVersionId: v });
  assert.equal(rollbackTarget([set('v1')]), null);
  assert.equal(rollbackTarget([set('v1'), set('v2')]), 'v1');
  assert.equal(rollbackTarget([set('v1'), set('v2'), set('v3'), rb('v2')]), 'v1');
  assert.equal(rollbackTarget([set('v1'), set('v2'), rb('v1')]), null);
  assert.equal(rollbackTarget([set('v1'), set('v2'), rb('v1'), set('v3')]), 'v1');
});

test('metrics: numeric leaves flattened, per-class tables read in object or array form', () => {
  const m = {
    top1: 0.8,
    old: { top1: 0.7, top5: 0.9 },
    perClass: { daisy: { recall: 0.5 } },
    confusions: [[1, 2]],
    note: 'x',
  };
  assert.deepEqual(flattenMetrics(m), [
    { name: 'top1', value: 0.8 },
    { name: 'old.top1', value: 0.7 },
    { name: 'old.top5', value: 0.9 },
  ]);
  assert.deepEqual([...perClassMetrics(m).get('daisy')!], [['recall', 0.5]]);
  assert.deepEqual(
    [...perClassMetrics({ perClass: [{ label: 'roses', precision: 1 }] }).get('roses')!],
    [['precision', 1]],
  );
});

test('metrics of a group over zero images are absent (only its size is kept), so comparisons show null, not 0', () => {
  const val = {
    overall: { count: 12, top1: 0.75, top5: 0.9 },
    old: { count: 0, top1: 0, top5: 0 },
    retention: { count: 0, parentTop1: 0, childTop1: 0, dropPoints: 0, kept: 1 },
  };
  const flat = new Map(flattenMetrics(val).map((m) => [m.name, m.value]));
  assert.equal(flat.get('old.count'), 0);
  assert.equal(flat.has('old.top1'), false, 'no 0 standing for "not measured"');
  assert.equal(flat.has('retention.kept'), false);
  assert.equal(flat.get('overall.top1'), 0.75);
  assert.deepEqual(flattenMetrics({ images: 0, top1: 0 }), [{ name: 'images', value: 0 }]);
});
