import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deltaForKnob, type KnobCurve } from './grow-head.js';

// Held-out accuracy falls and the expected share of changed answers falls as the shift grows.
const delta = Array.from({ length: 101 }, (_, i) => -5 + i * 0.1);
const curve: KnobCurve = {
  delta,
  accuracy: delta.map((d) => (d <= -1 ? 0.9 : Math.max(0, 0.9 - 0.01 * (d + 1) ** 2))),
  changed: delta.map((d) => 0.08 * Math.exp(-0.5 * (d + 5))),
  labelledRows: 100,
  poolRows: 100,
};

describe('deltaForKnob', () => {
  it('knob 0 takes the largest shift that keeps the best held-out accuracy', () => {
    // accuracy ≥ 0.9 - 0.005 while (d + 1)² ≤ 0.5, i.e. up to d ≈ -0.29 on the 0.1 grid
    assert.ok(Math.abs(deltaForKnob(curve, 0) - -0.3) < 1e-9, String(deltaForKnob(curve, 0)));
  });

  it('higher knob values shift further, cutting the changed-answer share log-linearly', () => {
    const shifts = [0, 0.25, 0.5, 0.75, 1].map((k) => deltaForKnob(curve, k));
    for (let i = 1; i < shifts.length; i++) assert.ok(shifts[i] > shifts[i - 1], shifts.join(', '));
    const at = (d: number) => curve.changed[delta.findIndex((x) => Math.abs(x - d) < 1e-9)];
    assert.ok(at(shifts[2]) <= at(shifts[0]) / 2 + 1e-9); // knob 0.5: at most half the changed share of knob 0
  });

  it('never gives up more than 10 points of held-out accuracy', () => {
    const flat = { ...curve, changed: delta.map(() => 0.05) }; // shifting never helps retention here
    const d = deltaForKnob(flat, 1);
    const acc = curve.accuracy[delta.findIndex((x) => Math.abs(x - d) < 1e-9)];
    assert.ok(acc >= 0.8 - 1e-9, `accuracy ${acc} at shift ${d}`);
  });

  it('rejects knob values outside 0..1', () => {
    assert.throws(() => deltaForKnob(curve, 1.5), /within 0..1/);
  });
});
