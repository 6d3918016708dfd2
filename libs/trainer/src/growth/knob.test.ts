import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deltaForKnob, type KnobCurve } from './grow-head.js';

// Held-out accuracy falls and the expected share of changed answers falls as the shift grows.
const delta = Array.from({ length: 101 }, (_, i) => -5 + i * 0.1);
const at = (c: KnobCurve, d: number) => delta.findIndex((x) => Math.abs(x - d) < 1e-9);
const curve: KnobCurve = {
  delta,
  accuracy: delta.map((d) => (d <= -1 ? 0.9 : Math.max(0, 0.9 - 0.01 * (d + 1) ** 2))),
  changed: delta.map((d) => 0.08 * Math.exp(-0.5 * (d + 5))),
  labelledRows: 100,
  poolRows: 100,
};
/** Accuracy falls 10 points per unit of shift past 0 while the changed share falls only 0.2 points. */
const steep: KnobCurve = {
  ...curve,
  accuracy: delta.map((d) => (d <= 0 ? 0.9 : 0.9 - 0.1 * d)),
  changed: delta.map((d) => (d <= 0 ? 0.03 : Math.max(0.01, 0.03 - 0.002 * d))),
};
/** Each unit of shift costs 1 point of accuracy and saves 10 points of changed answers. */
const cheap: KnobCurve = {
  ...curve,
  accuracy: delta.map((d) => (d <= 0 ? 0.9 : 0.9 - 0.01 * d)),
  changed: delta.map((d) => (d <= 0 ? 0.3 : Math.max(0, 0.3 - 0.1 * d))),
};

describe('deltaForKnob', () => {
  it('knob 0 takes the largest shift that keeps the best held-out accuracy', () => {
    // accuracy ≥ 0.9 - 0.005 while (d + 1)² ≤ 0.5, i.e. up to d ≈ -0.29 on the 0.1 grid
    assert.ok(Math.abs(deltaForKnob(curve, 0) - -0.3) < 1e-9, String(deltaForKnob(curve, 0)));
  });

  it('higher knob values never shift less', () => {
    for (const c of [curve, steep, cheap]) {
      const shifts = [0, 0.25, 0.5, 0.75, 1].map((k) => deltaForKnob(c, k));
      for (let i = 1; i < shifts.length; i++) assert.ok(shifts[i] >= shifts[i - 1], shifts.join(', '));
    }
  });

  it('the default knob does not buy tenths of old answers with points of new-class accuracy', () => {
    const d = deltaForKnob(steep, 0.25);
    assert.ok(steep.accuracy[at(steep, d)] >= 0.9 - 0.01, `shift ${d}: accuracy ${steep.accuracy[at(steep, d)]}`);
    // knob 1 keeps old answers at any price up to 10 points
    assert.ok(Math.abs(deltaForKnob(steep, 1) - 1) < 1e-9, String(deltaForKnob(steep, 1)));
  });

  it('shifts when old answers are cheap to keep', () => {
    const d = deltaForKnob(cheap, 0.25);
    assert.ok(d >= 2.9, `shift ${d}`); // every unit of shift saves 10 points for 1: take it until changed is 0
    assert.ok(cheap.changed[at(cheap, d)] <= 0.005);
  });

  it('never gives up more than 10 points of held-out accuracy', () => {
    const flat = { ...curve, changed: delta.map(() => 0.05) }; // shifting never helps retention here
    const d = deltaForKnob(flat, 1);
    const acc = curve.accuracy[at(curve, d)];
    assert.ok(acc >= 0.8 - 1e-9, `accuracy ${acc} at shift ${d}`);
  });

  it('rejects knob values outside 0..1', () => {
    assert.throws(() => deltaForKnob(curve, 1.5), /within 0..1/);
  });
});
