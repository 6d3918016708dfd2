import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateLogits, topK } from './evaluate.js';
import { bestUnderDrop, tradeoffCurve } from './tradeoff.js';

// 4 classes: 0,1 old; 2 new; 3 merged-into old unit counted as "new" (the user's class).
const labels = ['cat', 'dog', 'rose', 'daisy'];
const rows = [
  // logits per row               true unit
  [[5, 1, 0, 0], 0], // cat ok
  [[1, 5, 6, 0], 1], // dog → rose (lost to a new class)
  [[0, 0, 3, 1], 2], // rose ok
  [[0, 2, 1, 0], 2], // rose → dog, rose is 2nd
  [[0, 0, 0, 4], 3], // daisy ok
  [[0, 0, 5, 4], 3], // daisy → rose
] as const;
const z = Float32Array.from(rows.flatMap((r) => r[0]));
const unit = Int32Array.from(rows.map((r) => r[1]));

describe('evaluateLogits', () => {
  it('splits top-1/top-5 into old and new classes and keeps per-class precision/recall', () => {
    const r = evaluateLogits(z, labels, unit, { newUnits: [2, 3] });
    assert.equal(r.overall.count, 6);
    assert.equal(r.overall.top1, 3 / 6);
    assert.equal(r.old.count, 2);
    assert.equal(r.old.top1, 1 / 2);
    assert.equal(r.new.count, 4);
    assert.equal(r.new.top1, 2 / 4);
    assert.equal(r.overall.top5, 1); // 4 classes: everything is in the top 5
    const rose = r.perClass.find((c) => c.label === 'rose')!;
    assert.deepEqual([rose.support, rose.predicted, rose.correct], [2, 3, 1]);
    assert.equal(rose.precision, 1 / 3);
    assert.equal(rose.recall, 1 / 2);
    const daisy = r.perClass.find((c) => c.label === 'daisy')!;
    assert.equal(daisy.precision, 1);
    assert.equal(daisy.recall, 0.5);
  });

  it('lists confusions of new classes, and old classes taken by new ones', () => {
    const r = evaluateLogits(z, labels, unit, { newUnits: [2, 3] });
    assert.deepEqual(r.confusions.newAsOther.map((c) => `${c.trueLabel}→${c.predictedLabel}`).sort(), [
      'daisy→rose',
      'rose→dog',
    ]);
    assert.deepEqual(
      r.confusions.oldAsNew.map((c) => `${c.trueLabel}→${c.predictedLabel}:${c.count}`),
      ['dog→rose:1'],
    );
  });

  it('measures retention against the parent answers on old-class rows', () => {
    const parentTop1 = Int32Array.from([0, 1, 0, 0, 0, 0]);
    const r = evaluateLogits(z, labels, unit, { newUnits: [2, 3], parentTop1 });
    assert.equal(r.retention!.count, 2);
    assert.equal(r.retention!.parentTop1, 1);
    assert.equal(r.retention!.childTop1, 0.5);
    assert.equal(r.retention!.dropPoints, 50);
    assert.equal(r.retention!.kept, 0.5);
    assert.deepEqual(
      r.retention!.lost.map((c) => `${c.trueLabel}→${c.predictedLabel}:${c.count}`),
      ['dog→rose:1'],
    );
    assert.equal(r.retention!.wonBack, 0);
  });

  it('counts declared descendants right at leaf-or-descendant level and reports taken-over units apart', () => {
    // rose (2) is declared the parent of dog (1); daisy (3) wins over cat (0)
    const decisions: [number, { descendants: number[]; winsOver: number[] }][] = [
      [2, { descendants: [1], winsOver: [] }],
      [3, { descendants: [], winsOver: [0] }],
    ];
    const parentTop1 = Int32Array.from([0, 1, 0, 0, 0, 0]);
    const r = evaluateLogits(z, labels, unit, { newUnits: [2, 3], parentTop1, decisions });
    assert.equal(r.top1Leaf, 3 / 6);
    assert.equal(r.top1LeafOrDescendant, 4 / 6); // row 3: rose → dog, dog is rose's descendant
    const rose = r.newLabels.find((l) => l.label === 'rose')!;
    assert.deepEqual([rose.count, rose.top1Leaf, rose.top1LeafOrDescendant, rose.descendants], [2, 0.5, 1, [1]]);
    const daisy = r.newLabels.find((l) => l.label === 'daisy')!;
    assert.deepEqual([daisy.top1Leaf, daisy.top1LeafOrDescendant, daisy.winsOver], [0.5, 0.5, [0]]);
    // retention: cat and dog are both taken over, so the figure has no rows and the two rows are reported apart
    assert.equal(r.retention!.count, 0);
    assert.deepEqual(r.retention!.takenOver.units, [0, 1]);
    assert.equal(r.retention!.takenOver.count, 2);
    assert.equal(r.retention!.takenOver.dropPoints, 50);
    // without decisions every old row is in the figure
    const plain = evaluateLogits(z, labels, unit, { newUnits: [2, 3], parentTop1 });
    assert.equal(plain.retention!.count, 2);
    assert.equal(plain.retention!.takenOver.count, 0);
    assert.equal(plain.top1LeafOrDescendant, plain.top1Leaf);
  });

  it('rolls up by ancestor when given one', () => {
    const ancestor = (l: string) => (l === 'cat' || l === 'dog' ? 'animal' : 'flower');
    const r = evaluateLogits(z, labels, unit, { newUnits: [2, 3], ancestor });
    // rows 0 ok, 1 dog→rose wrong, 2 ok, 3 rose→dog wrong, 4 ok, 5 daisy→rose right at flower level
    assert.deepEqual(r.byAncestor, { top1: 4 / 6, count: 6 });
  });

  it('rejects logits that do not match the labels', () => {
    assert.throws(() => evaluateLogits(z.subarray(1), labels, unit, { newUnits: [] }), /expected 6×4/);
    assert.throws(
      () => evaluateLogits(z, labels, Int32Array.from([0, 1, 2, 3, 4, 9]), { newUnits: [] }),
      /outside 0..3/,
    );
  });
});

describe('topK', () => {
  it('orders the best units', () => {
    assert.deepEqual(topK([0.1, 3, -1, 2, 2.5], 0, 5, 3), [1, 4, 3]);
  });
});

describe('tradeoffCurve', () => {
  it('trades new-class top-1 for retention as the new columns are shifted down', () => {
    const input = {
      classes: 4,
      firstNewUnit: 2,
      user: {
        logits: Float32Array.from(rows.slice(2).flatMap((r) => r[0])),
        unit: Int32Array.from(rows.slice(2).map((r) => r[1])),
      },
      retention: {
        logits: Float32Array.from(rows.slice(0, 2).flatMap((r) => r[0])),
        unit: Int32Array.from([0, 1]),
        parentTop1: Int32Array.from([0, 1]),
      },
    };
    const pts = tradeoffCurve(input, [0, 1.5, 10]);
    assert.deepEqual(
      pts.map((p) => p.dropPoints),
      [50, 0, 0],
    );
    assert.deepEqual(
      pts.map((p) => p.newTop1),
      [0.5, 0.5, 0],
    ); // both appended units (rose, daisy) are shifted
    assert.equal(bestUnderDrop(pts, 1)!.shift, 1.5);
    assert.equal(bestUnderDrop(pts, 60)!.shift, 0);
  });
});
