import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClassConfusions, oldAsNewConfusions, paramsSummary, readLossCurve, readRetentionReport, readValReport } from './metrics';

// The shape libs/jobs writes for the "val" evaluation (trainer EvaluationReport + timings/images).
const val = {
  overall: { count: 12, top1: 0.75, top5: 0.9 },
  old: { count: 0, top1: 0, top5: 0 },
  new: { count: 12, top1: 0.75, top5: 0.9 },
  perClass: [
    { unit: 985, label: 'daisy', support: 4, predicted: 2, correct: 1, precision: 0.5, recall: 0.25 },
    { unit: 1000, label: 'dandelion', support: 4, predicted: 6, correct: 4, precision: 0.66, recall: 1 },
    { unit: 1001, label: 'sunflowers', support: 4, predicted: 4, correct: 4, precision: 1, recall: 1 },
    { unit: 309, label: 'bee', support: 0, predicted: 1, correct: 0, precision: 0, recall: null },
  ],
  confusions: {
    newAsOther: [
      { trueUnit: 985, trueLabel: 'daisy', predictedUnit: 1000, predictedLabel: 'dandelion', count: 2 },
      { trueUnit: 985, trueLabel: 'daisy', predictedUnit: 309, predictedLabel: 'bee', count: 1 },
    ],
    oldAsNew: [{ trueUnit: 7, trueLabel: 'cock', predictedUnit: 1001, predictedLabel: 'sunflowers', count: 1 }],
  },
  images: { daisy: { train: 8, val: 4 } },
};

test('readValReport keeps accuracies, per-class rows, confusions and image counts', () => {
  const r = readValReport(val)!;
  assert.equal(r.overall.top1, 0.75);
  assert.equal(r.old.count, 0);
  assert.equal(r.perClass.length, 4);
  assert.equal(r.perClass[3]!.recall, null);
  assert.equal(r.newAsOther.length, 2);
  assert.deepEqual(r.images, [{ label: 'daisy', train: 8, val: 4 }]);
  assert.equal(r.retention, null);
});

test('readValReport refuses what is not an evaluation report', () => {
  assert.equal(readValReport({ top1: 0.5 }), null);
  assert.equal(readValReport(null), null);
});

test('new-class confusions: rows are new classes, old columns first, shares of each row', () => {
  const r = readValReport(val)!;
  const m = newClassConfusions(r, new Set([985, 1000, 1001]));
  assert.deepEqual(m.rows, ['daisy', 'dandelion', 'sunflowers']);
  assert.deepEqual(m.cols, ['bee', 'dandelion (new)']);
  assert.deepEqual(m.counts[0], [1, 2]);
  assert.deepEqual(m.values[0], [0.25, 0.5]);
  assert.deepEqual(m.values[1], [0, 0]);
});

test('old-as-new confusions use the old class support (0 support → share of 1 image)', () => {
  const r = readValReport(val)!;
  const m = oldAsNewConfusions(r, new Set([985, 1000, 1001]));
  assert.deepEqual(m.rows, ['cock']);
  assert.deepEqual(m.cols, ['sunflowers']);
  assert.deepEqual(m.counts, [[1]]);
});

test('paramsSummary reads new classes, merges and options', () => {
  const p = paramsSummary({
    datasetVersionId: 'x',
    newClasses: [{ label: 'dandelion', classNodeId: 'a' }],
    merges: [{ label: 'daisy', classNodeId: 'b', outputUnit: 985 }],
    options: { retentionKnob: 0.5 },
  });
  assert.deepEqual(p.newLabels, ['dandelion']);
  assert.deepEqual(p.merges, [{ label: 'daisy', outputUnit: 985 }]);
  assert.equal(p.options.retentionKnob, 0.5);
  assert.equal(p.options.epochs, null);
  assert.deepEqual(paramsSummary({}).newLabels, []);
});

test('readRetentionReport and readLossCurve', () => {
  const r = readRetentionReport({ images: 30, top1: 0.7, top5: 0.9, parentTop1: 0.7, parentTop5: 0.9, retention: 1, agreement: 0.83, predictedAsAdded: 0.17 })!;
  assert.equal(r.retention, 1);
  assert.equal(readRetentionReport({ overall: {} }), null);
  assert.deepEqual(readLossCurve([{ phase: 'fit', step: 1, loss: 0.4 }, 0.3, { phase: 'fit', step: 2, loss: 'x' }]), [
    { phase: 'fit', step: 1, loss: 0.4 },
    { phase: 'training', step: 1, loss: 0.3 },
  ]);
});
