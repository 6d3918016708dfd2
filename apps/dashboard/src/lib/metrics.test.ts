import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClassConfusions, oldAsNewConfusions, type ValReport } from './metrics';

// A "val" report as the API's Evaluation.validation serves it (ValidationReportFields).
const acc = (count: number, top1: number | null, top5: number | null) => ({ count, top1, top5 });
const report: ValReport = {
  overall: acc(12, 0.75, 0.9),
  old: acc(0, null, null),
  new: acc(12, 0.75, 0.9),
  retention: null,
  perClass: [
    { unit: 985, label: 'daisy', support: 4, predicted: 2, correct: 1, precision: 0.5, recall: 0.25 },
    { unit: 1000, label: 'dandelion', support: 4, predicted: 6, correct: 4, precision: 0.66, recall: 1 },
    { unit: 1001, label: 'sunflowers', support: 4, predicted: 4, correct: 4, precision: 1, recall: 1 },
    { unit: 309, label: 'bee', support: 0, predicted: 1, correct: 0, precision: 0, recall: null },
  ],
  newAsOther: [
    { trueUnit: 985, trueLabel: 'daisy', predictedUnit: 1000, predictedLabel: 'dandelion', count: 2 },
    { trueUnit: 985, trueLabel: 'daisy', predictedUnit: 309, predictedLabel: 'bee', count: 1 },
  ],
  oldAsNew: [{ trueUnit: 7, trueLabel: 'cock', predictedUnit: 1001, predictedLabel: 'sunflowers', count: 1 }],
  images: [{ label: 'daisy', train: 8, val: 4 }],
  parentLevel: null,
  knobTradeoff: null,
};

test('new-class confusions: rows are new classes, old columns first, shares of each row', () => {
  const m = newClassConfusions(report, new Set([985, 1000, 1001]));
  assert.deepEqual(m.rows, ['daisy', 'dandelion', 'sunflowers']);
  assert.deepEqual(m.cols, ['bee', 'dandelion (new)']);
  assert.deepEqual(m.counts[0], [1, 2]);
  assert.deepEqual(m.values[0], [0.25, 0.5]);
  assert.deepEqual(m.values[1], [0, 0]);
});

test('old-as-new confusions use the old class support (0 support → share of 1 image)', () => {
  const m = oldAsNewConfusions(report, new Set([985, 1000, 1001]));
  assert.deepEqual(m.rows, ['cock']);
  assert.deepEqual(m.cols, ['sunflowers']);
  assert.deepEqual(m.counts, [[1]]);
});
