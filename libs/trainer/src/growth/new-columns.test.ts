import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimizeLbfgs } from './lbfgs.js';
import { matrix } from './matrix.js';
import { fitNewColumns, newColumnObjective, toDevice } from './new-columns.js';
import { rng } from './rng.js';

describe('minimizeLbfgs', () => {
  it('finds the minimum of an ill-conditioned quadratic', async () => {
    const scale = [1, 10, 100, 1000];
    const target = [3, -2, 0.5, 1];
    const res = await minimizeLbfgs(
      (x, g) => {
        let f = 0;
        x.forEach((v, i) => {
          f += 0.5 * scale[i] * (v - target[i]) ** 2;
          g[i] = scale[i] * (v - target[i]);
        });
        return f;
      },
      new Float64Array(4),
      { maxIterations: 200, tolerance: 1e-14 },
    );
    res.x.forEach((v, i) => assert.ok(Math.abs(v - target[i]) < 1e-4, `x[${i}] = ${v}`));
  });
});

describe('fitNewColumns', () => {
  // Two well-separated blobs (new classes) and a third region where the frozen columns are strong.
  const dim = 6;
  const rand = rng(7);
  const n = 90;
  const x = matrix(n, dim);
  const target = new Int32Array(n);
  const oldLse = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % 3; // 0, 1: new classes; 2: rows that must keep the parent's answer
    for (let d = 0; d < dim; d++) x.data[i * dim + d] = Math.max(0, (d === cls ? 3 : 0) + rand() - 0.5);
    target[i] = cls < 2 ? cls : -1;
    oldLse[i] = cls < 2 ? 1 : 6;
  }
  const weight = new Float32Array(n).fill(1);

  it('learns columns that win on their class and stay below the frozen columns elsewhere', async () => {
    const fit = await fitNewColumns({ x, oldLse, target, weight }, { k: 2, l2: 1e-3, iterations: 200 });
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const s = [0, 1].map(
        (c) =>
          fit.b[c] +
          Array.from({ length: dim }, (_, d) => x.data[i * dim + d] * fit.w[d * 2 + c]).reduce((a, b) => a + b),
      );
      const best = s[0] >= s[1] ? 0 : 1;
      const pred = Math.max(...s) > oldLse[i] ? best : -1;
      if (pred === target[i]) ok++;
    }
    assert.ok(ok >= 0.95 * n, `${ok}/${n} rows right`);
    assert.ok(fit.loss < 0.3, `loss ${fit.loss}`);
  });

  it('has a hand-written gradient that matches finite differences (soft targets, a held bias)', async () => {
    const k = 2;
    const soft = new Float32Array(n * k);
    for (let i = 0; i < n; i++) if (target[i] < 0) soft[i * k] = 0.2; // 20% of the parent's mass on trained column 0
    const opts = {
      k,
      l2: Float32Array.from([0.05, 0.2]),
      anchor: Float32Array.from({ length: dim * k }, (_, j) => 0.1 * Math.sin(j)),
      iterations: 0,
      // column 0's bias pulled toward -0.4 (an anchored user class), column 1's free
      biasPull: { l2: Float32Array.from([0.5, 0]), toward: Float32Array.from([-0.4, 0]) },
    };
    const device = await toDevice(x);
    try {
      const fg = await newColumnObjective(
        { x, oldLse, target, weight: Float32Array.from({ length: n }, (_, i) => 1 + (i % 4)), soft },
        opts,
        device,
      );
      const theta = Float64Array.from({ length: dim * k + k }, (_, j) => 0.3 * Math.cos(j));
      const grad = new Float64Array(theta.length);
      await fg(theta, grad);
      const scratch = new Float64Array(theta.length);
      await assertGradient(fg, theta, grad, scratch);
      // the pull adds ½·λ·(b − anchor)² to the objective, against the same objective with both biases free
      const free = await newColumnObjective(
        { x, oldLse, target, weight: Float32Array.from({ length: n }, (_, i) => 1 + (i % 4)), soft },
        { ...opts, biasPull: { ...opts.biasPull, l2: Float32Array.from([0, 0]) } },
        device,
      );
      const gap = (await fg(theta, scratch)) - (await free(theta, scratch));
      assert.ok(Math.abs(gap - 0.5 * 0.5 * (theta[dim * k] + 0.4) ** 2) < 1e-6, String(gap));
    } finally {
      device.dispose();
    }
  });

  it("lets declared descendants answer a label's rows (set target) with a matching gradient", async () => {
    const k = 2;
    // rows of class 0 may also be answered by a strong frozen descendant (log-sum-exp 3 of its logits)
    const alsoRightLse = Float32Array.from({ length: n }, (_, i) => (target[i] === 0 ? 3 : -Infinity));
    const opts = { k, l2: 0.05, iterations: 0 };
    const device = await toDevice(x);
    try {
      const fg = await newColumnObjective(
        {
          x,
          oldLse: Float32Array.from(oldLse, (v, i) => (target[i] === 0 ? Math.log(Math.exp(v) + Math.exp(3)) : v)),
          target,
          weight,
          alsoRightLse,
        },
        opts,
        device,
      );
      const plain = await newColumnObjective(
        {
          x,
          oldLse: Float32Array.from(oldLse, (v, i) => (target[i] === 0 ? Math.log(Math.exp(v) + Math.exp(3)) : v)),
          target,
          weight,
        },
        opts,
        device,
      );
      const theta = Float64Array.from({ length: dim * k + k }, (_, j) => 0.3 * Math.cos(j));
      const grad = new Float64Array(theta.length);
      const scratch = new Float64Array(theta.length);
      // the descendant's mass counts as right: lower loss than with the label alone
      assert.ok((await fg(theta, grad)) < (await plain(theta, scratch)));
      await assertGradient(fg, theta, grad, scratch);
    } finally {
      device.dispose();
    }
  });

  it('computes the same objective and gradient in the onnxruntime graph as in JS (every kind of row)', async () => {
    const k = 3;
    // hard targets (class 0 rows also right under a frozen descendant), soft targets, all-frozen targets, weight 0
    const soft = new Float32Array(n * k);
    for (let i = 0; i < n; i++) if (target[i] < 0 && i % 2) soft.set([0.1, 0, 0.3], i * k);
    const rows = {
      x,
      oldLse,
      target,
      weight: Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1 + (i % 3))),
      soft,
      alsoRightLse: Float32Array.from({ length: n }, (_, i) => (target[i] === 0 && i % 4 ? 2 : -Infinity)),
    };
    const opts = {
      k,
      l2: 0.05,
      iterations: 0,
      biasPull: { l2: Float32Array.of(0, 0.5, 0), toward: new Float32Array(k) },
    };
    const theta = Float64Array.from({ length: dim * k + k }, (_, j) => 0.4 * Math.cos(j));
    const onnx = await toDevice(x);
    const before = process.env.ACCRETE_GROWTH_STATS;
    process.env.ACCRETE_GROWTH_STATS = 'tfjs';
    const tfjs = await toDevice(x);
    if (before === undefined) delete process.env.ACCRETE_GROWTH_STATS;
    else process.env.ACCRETE_GROWTH_STATS = before;
    try {
      assert.equal(onnx.backend, 'onnx');
      assert.equal(tfjs.backend, 'tfjs');
      const gOnnx = new Float64Array(theta.length);
      const gJs = new Float64Array(theta.length);
      const fOnnx = await (await newColumnObjective(rows, opts, onnx))(theta, gOnnx);
      const fJs = await (await newColumnObjective(rows, opts, tfjs))(theta, gJs);
      assert.ok(Math.abs(fOnnx - fJs) < 1e-5 * Math.abs(fJs), `${fOnnx} vs ${fJs}`);
      const scale = Math.max(...gJs.map(Math.abs));
      gJs.forEach((v, j) => assert.ok(Math.abs(gOnnx[j] - v) < 1e-4 * scale, `grad[${j}] ${gOnnx[j]} vs ${v}`));
    } finally {
      onnx.dispose();
      tfjs.dispose();
    }
  });
});

/** Central differences against the analytic gradient `grad` of `fg` at `theta`. */
async function assertGradient(
  fg: (theta: Float64Array, grad: Float64Array) => Promise<number>,
  theta: Float64Array,
  grad: Float64Array,
  scratch: Float64Array,
): Promise<void> {
  const h = 1e-3;
  for (let j = 0; j < theta.length; j++) {
    const tp = theta.slice();
    tp[j] += h;
    const tm = theta.slice();
    tm[j] -= h;
    const numeric = ((await fg(tp, scratch)) - (await fg(tm, scratch))) / (2 * h);
    assert.ok(
      Math.abs(numeric - grad[j]) < 2e-3 + 0.02 * Math.abs(numeric),
      `d/dθ${j}: analytic ${grad[j]}, numeric ${numeric}`,
    );
  }
}
