// Readings of the stored job JSON that the API serves as typed fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readGrowthParams, readLossCurve, readRetentionReport, readValidationReport } from './reports.js';

// The shape libs/jobs writes for the "val" evaluation (trainer EvaluationReport + timings/images).
const val = {
  overall: { count: 12, top1: 0.75, top5: 0.9 },
  old: { count: 0, top1: 0, top5: 0 },
  new: { count: 12, top1: 0.75, top5: 0.9 },
  retention: { count: 0, parentTop1: 0, childTop1: 0, dropPoints: 0, kept: 1, wonBack: 0, lost: [] },
  perClass: [
    { unit: 985, label: 'daisy', support: 4, predicted: 2, correct: 1, precision: 0.5, recall: 0.25 },
    { unit: 309, label: 'bee', support: 0, predicted: 1, correct: 0, precision: 0, recall: null },
  ],
  confusions: {
    newAsOther: [{ trueUnit: 985, trueLabel: 'daisy', predictedUnit: 1000, predictedLabel: 'dandelion', count: 2 }],
    oldAsNew: [{ trueUnit: 7, trueLabel: 'cock', predictedUnit: 1001, predictedLabel: 'sunflowers', count: 1 }],
  },
  images: { daisy: { train: 8, val: 4 } },
  byAncestor: { top1: 0.9, count: 12 },
  timings: { fit: 1.2 },
};

test('readValidationReport keeps accuracies, retention, per-class rows, confusions and image counts', () => {
  const r = readValidationReport(val)!;
  assert.equal(r.overall.top1, 0.75);
  // no old-class image in this split: the old-class accuracy and the retention on it are absent, not 0
  assert.deepEqual(r.old, { count: 0, top1: null, top5: null });
  assert.equal(r.retention, null);
  assert.deepEqual(
    readValidationReport({
      ...val,
      retention: { count: 5, parentTop1: 0.8, childTop1: 0.6, dropPoints: 20, kept: 0.75 },
    })!.retention,
    {
      count: 5,
      parentTop1: 0.8,
      childTop1: 0.6,
      dropPoints: 20,
      kept: 0.75,
    },
  );
  assert.equal(r.perClass.length, 2);
  assert.equal(r.perClass[1]!.recall, null);
  assert.equal(r.newAsOther[0]!.predictedLabel, 'dandelion');
  assert.equal(r.oldAsNew[0]!.trueLabel, 'cock');
  assert.deepEqual(r.images, [{ label: 'daisy', train: 8, val: 4 }]);
  assert.deepEqual(r.parentLevel, { count: 12, top1: 0.9 });
  assert.equal(readValidationReport({ ...val, retention: undefined })!.retention, null);
  assert.equal(readValidationReport({ ...val, byAncestor: undefined })!.parentLevel, null);
  // hierarchy-aware top-1 (trainer contract): a number or an accuracy object; absent means null, not zero
  assert.deepEqual([r.leafTop1, r.leafOrDescendantTop1], [null, null]);
  const leaf = readValidationReport({ ...val, top1Leaf: 0.6, top1LeafOrDescendant: { count: 12, top1: 0.8 } })!;
  assert.deepEqual([leaf.leafTop1, leaf.leafOrDescendantTop1], [0.6, 0.8]);
});

test('malformed or foreign JSON: null report, defaults for broken fields', () => {
  assert.equal(readValidationReport({ top1: 0.5 }), null);
  assert.equal(readValidationReport(null), null);
  const broken = readValidationReport({ overall: { top1: 'x' }, perClass: [{ label: 3 }], confusions: 'no' })!;
  assert.deepEqual(broken.overall, { count: 0, top1: null, top5: null });
  assert.deepEqual(broken.perClass[0], {
    unit: -1,
    label: '',
    support: 0,
    predicted: 0,
    correct: 0,
    precision: null,
    recall: null,
  });
  assert.deepEqual(broken.newAsOther, []);
});

test('readGrowthParams reads new classes, merges and options', () => {
  const p = readGrowthParams({
    datasetVersionId: 'x',
    newClasses: [{ label: 'dandelion', classNodeId: 'a' }],
    merges: [{ label: 'daisy', classNodeId: 'b', outputUnit: 985 }],
    options: { retentionKnob: 0.5 },
  });
  assert.deepEqual(p.newLabels, ['dandelion']);
  assert.deepEqual(p.mergedLabels, ['daisy']);
  assert.deepEqual(p.merges, [{ label: 'daisy', classNodeId: 'b', outputUnit: 985 }]);
  // a row that did not record the class reads as null, not ''
  assert.equal(readGrowthParams({ merges: [{ label: 'daisy', outputUnit: 985 }] }).merges[0]!.classNodeId, null);
  assert.equal(p.options.retentionKnob, 0.5);
  assert.equal(p.options.epochs, null);
  assert.deepEqual(readGrowthParams({}).newLabels, []);
});

test("the knob's trade-off: the trainer's five points, the version's own setting among them, null without it", () => {
  const point = (knob: number, delta: number, acc: number, changed: number) => ({
    knob,
    delta,
    heldOutAccuracy: acc,
    heldOutChanged: changed,
  });
  const points = [point(0, -1, 0.9, 0.05), point(0.25, -0.5, 0.89, 0.03), point(0.5, 0, 0.87, 0.02)];
  const at = (retentionKnob: number) =>
    readValidationReport({
      ...val,
      details: {
        knob: {
          retentionKnob,
          biasShift: 0.4,
          heldOut: { delta: 0.4, heldOutAccuracy: 0.86, heldOutChanged: 0.015 },
          points,
        },
      },
    })!.knobTradeoff;
  assert.deepEqual(at(0.5), {
    chosenKnob: 0.5,
    points: points.map((p) => ({
      knob: p.knob,
      biasShift: p.delta,
      heldOutAccuracy: p.heldOutAccuracy,
      heldOutChanged: p.heldOutChanged,
    })),
  });
  const between = at(0.3)!;
  assert.deepEqual(
    between.points.map((p) => [p.knob, p.biasShift]),
    [
      [0, -1],
      [0.25, -0.5],
      [0.3, 0.4],
      [0.5, 0],
    ],
    'a knob between the five points is listed in order',
  );
  assert.equal(readValidationReport(val)!.knobTradeoff, null, 'a strategy without the knob has none');
});

test('readRetentionReport reads the retention evaluation only; readLossCurve accepts old and new rows', () => {
  const r = readRetentionReport({
    images: 30,
    top1: 0.7,
    top5: 0.9,
    parentTop1: 0.7,
    parentTop5: 0.9,
    retention: 1,
    agreement: 0.83,
    predictedAsAdded: 0.17,
  })!;
  assert.equal(r.retention, 1);
  assert.equal(r.images, 30);
  assert.equal(r.sinceBase, null, 'a version grown before the figure existed has none');
  const chained = readRetentionReport({
    images: 28,
    top1: 0.68,
    parentTop1: 0.7,
    sinceBase: { images: 27, baseTop1: 0.74, top1: 0.7, dropPoints: 4, takenOverUnits: [985, 'x', 1.5] },
  })!;
  assert.deepEqual(chained.sinceBase, { images: 27, baseTop1: 0.74, top1: 0.7, dropPoints: 4, takenOverUnits: [985] });
  assert.equal(readRetentionReport({ overall: {} }), null);
  assert.equal(readRetentionReport(val), null, 'a val report is not a retention report');
  assert.deepEqual(readLossCurve([{ phase: 'fit', step: 1, loss: 0.4 }, 0.3, { phase: 'fit', step: 2, loss: 'x' }]), [
    { phase: 'fit', step: 1, loss: 0.4 },
    { phase: 'training', step: 1, loss: 0.3 },
  ]);
});

test("absent means null: a base version's retention reading has no parent figures", () => {
  const base = readRetentionReport({ images: 500, top1: 0.69, top5: 0.88 })!;
  assert.deepEqual(base, {
    images: 500,
    top1: 0.69,
    top5: 0.88,
    parentTop1: null,
    parentTop5: null,
    retention: null,
    agreement: null,
    predictedAsAdded: null,
    takenOver: null,
    sinceBase: null,
  });
  assert.equal(readRetentionReport({ images: 0, top1: 0, top5: 0 })!.top1, null);
});

test('every figure goes through the schema: non-finite or wrong-typed values read as absent, lists as empty', () => {
  const r = readRetentionReport({ images: 3, top1: Number.NaN, top5: Infinity, retention: '0.9', takenOver: 0 })!;
  assert.deepEqual([r.images, r.top1, r.top5, r.retention, r.takenOver], [3, null, null, null, null]);
  const p = readGrowthParams({
    merges: 'x',
    options: [],
    growth: [{ label: 'rose', byDefault: 'yes', winsOver: [1, 'a'] }],
  });
  assert.deepEqual(p.merges, []);
  assert.equal(p.options.seed, null);
  assert.deepEqual(p.decisions[0], {
    label: 'rose',
    decision: '',
    classId: null,
    parentId: null,
    reason: '',
    byDefault: false,
    parentOf: [],
    winsOver: ['a'],
  });
});
