import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendColumns, frozenStats, headColumns, logits, matrix } from './matrix.js';
import { rng } from './rng.js';

const rand = rng(11);
const head = {
  inDim: 8,
  classes: 6,
  weights: Float32Array.from({ length: 48 }, () => rand() * 2 - 1),
  bias: Float32Array.from({ length: 6 }, () => rand()),
};
const x = matrix(
  300,
  8,
  Float32Array.from({ length: 2400 }, () => Math.max(0, rand() * 3 - 1)),
);

/** Reference computed in plain doubles. */
function reference(trained: number[]) {
  const out = {
    lse: [] as number[],
    max: [] as number[],
    argmax: [] as number[],
    top1: [] as number[],
    prob: [] as number[],
  };
  for (let i = 0; i < x.n; i++) {
    const z = Array.from(
      { length: 6 },
      (_, c) =>
        head.bias[c] +
        Array.from({ length: 8 }, (_, d) => x.data[i * 8 + d] * head.weights[d * 6 + c]).reduce((a, b) => a + b),
    );
    const frozen = z.map((v, c) => (trained.includes(c) ? -Infinity : v));
    const lse = (v: number[]) => {
      const m = Math.max(...v);
      return m + Math.log(v.reduce((s, a) => s + Math.exp(a - m), 0));
    };
    out.lse.push(lse(frozen));
    out.max.push(Math.max(...frozen));
    out.argmax.push(frozen.indexOf(Math.max(...frozen)));
    out.top1.push(z.indexOf(Math.max(...z)));
    for (const t of trained) out.prob.push(Math.exp(z[t] - lse(z)));
  }
  return out;
}

describe('frozenStats', () => {
  for (const path of ['onnx', 'tfjs']) {
    it(`matches a plain reference on the ${path} path`, async () => {
      const prev = process.env.ACCRETE_GROWTH_STATS;
      process.env.ACCRETE_GROWTH_STATS = path;
      try {
        const trained = [4, 1];
        const s = await frozenStats(head, x, trained, 128); // several chunks
        const r = reference(trained);
        for (let i = 0; i < x.n; i++) {
          assert.ok(Math.abs(s.lse[i] - r.lse[i]) < 1e-4, `lse row ${i}`);
          assert.ok(Math.abs(s.max[i] - r.max[i]) < 1e-4, `max row ${i}`);
          assert.equal(s.argmax[i], r.argmax[i]);
          assert.equal(s.top1[i], r.top1[i]);
          assert.ok(
            Math.abs(s.prob[2 * i] - r.prob[2 * i]) < 1e-5 && Math.abs(s.prob[2 * i + 1] - r.prob[2 * i + 1]) < 1e-5,
          );
        }
      } finally {
        if (prev === undefined) delete process.env.ACCRETE_GROWTH_STATS;
        else process.env.ACCRETE_GROWTH_STATS = prev;
      }
    });
  }

  it('refuses to train every unit', async () => {
    await assert.rejects(frozenStats(head, x, [0, 1, 2, 3, 4, 5]), /at least one unit must stay frozen/);
  });
});

describe('head columns', () => {
  it('appends new columns after the parent ones, leaving the parent logits unchanged', async () => {
    const w = Float32Array.from({ length: 16 }, () => rand());
    const grown = appendColumns(head, w, Float32Array.from([0.5, -0.5]));
    assert.equal(grown.classes, 8);
    const zp = await logits(head, x);
    const zg = await logits(grown, x);
    for (let i = 0; i < 20; i++) for (let c = 0; c < 6; c++) assert.ok(Math.abs(zp[i * 6 + c] - zg[i * 8 + c]) < 1e-5);
    assert.deepEqual(headColumns(grown, 6, 8).weights, w);
  });
});
