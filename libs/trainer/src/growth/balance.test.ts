import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classWeights } from './grow-head.js';

// Three user classes with 600, 60 and 6 labelled rows (a tf_flowers class beside Oxford species).
const rowsOf = new Map([
  [1000, 600],
  [1001, 60],
  [1002, 6],
]);
const rows = 666;
const massOf = (w: (u: number) => number) => [...rowsOf].map(([u, n]) => n * w(u));

describe('classWeights', () => {
  it("'rows' (β 0) weighs every row 1", () => {
    const w = classWeights(rowsOf, 'rows', rows);
    for (const u of rowsOf.keys()) assert.equal(w(u), 1);
  });

  it("'classes' (β 1) gives every class the same mass, the rows together still weighing the total", () => {
    const mass = massOf(classWeights(rowsOf, 'classes', rows));
    for (const m of mass) assert.ok(Math.abs(m - rows / 3) < 1e-9, String(mass));
    assert.deepEqual(massOf(classWeights(rowsOf, 1, rows)), mass);
  });

  it('β 0.5 lies between: a class of n rows gets mass ∝ √n', () => {
    const mass = massOf(classWeights(rowsOf, 0.5, rows));
    assert.ok(Math.abs(mass.reduce((a, b) => a + b, 0) - rows) < 1e-9);
    assert.ok(Math.abs(mass[0] / mass[1] - Math.sqrt(10)) < 1e-9, String(mass));
    assert.ok(Math.abs(mass[1] / mass[2] - Math.sqrt(10)) < 1e-9, String(mass));
  });

  it('refuses an exponent outside 0..1', () => {
    assert.throws(() => classWeights(rowsOf, 1.5, rows), /within 0\.\.1/);
    assert.throws(() => classWeights(rowsOf, -0.1, rows), /within 0\.\.1/);
  });
});
