import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedZ, deltaForKnob, knobUtility, type KnobCurve } from './grow-head.js';

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

  it("knobUtility is the knob's objective at its shift, the best over the shifts it may take", () => {
    for (const c of [curve, steep, cheap])
      for (const knob of [0, 0.25, 0.5, 0.75, 1]) {
        const i = at(c, deltaForKnob(c, knob));
        const u = (j: number) => (1 - knob) * c.accuracy[j] - knob * c.changed[j];
        assert.ok(Math.abs(knobUtility(c, knob) - u(i)) < 1e-12);
        for (let j = i; j < delta.length && c.accuracy[j] >= Math.max(...c.accuracy) - 0.1; j++)
          assert.ok(u(j) <= u(i) + 0.005 * (1 - knob) + 1e-12, `knob ${knob}: shift ${delta[j]} beats the pick`);
      }
  });

  it('rejects knob values outside 0..1', () => {
    assert.throws(() => deltaForKnob(curve, 1.5), /within 0..1/);
  });
});

describe('pairedZ (a held-out choice must not follow the held-out noise)', () => {
  const images = Int32Array.from({ length: 200 }, (_, i) => i >> 1); // two views per image
  const reference = new Float64Array(200).fill(0.004);
  it('a gain shared by most held-out images counts', () => {
    const candidate = reference.map((v, i) => v + (i % 10 === 0 ? -0.001 : 0.001));
    assert.ok(pairedZ(candidate, reference, images) > 1);
  });
  it('a net gain smaller than its spread over images does not', () => {
    // per image (two views): +0.011 on half the images, -0.01 on the other half
    const candidate = reference.map((v, i) => v + ((i >> 1) % 2 ? 0.0055 : -0.005));
    assert.ok(pairedZ(candidate, reference, images) < 1);
  });
  it('gains and losses that cancel out do not, nor an equal candidate', () => {
    const candidate = reference.map((v, i) => v + ((i >> 1) % 2 ? 0.002 : -0.002));
    assert.ok(pairedZ(candidate, reference, images) < 1);
    assert.equal(pairedZ(reference, reference, images), 0);
  });
});
