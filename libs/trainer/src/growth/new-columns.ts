// Trains a few columns of a head (the appended ones, plus merged-into parent units when asked) with softmax
// cross-entropy over ALL classes. The other columns are frozen, so each row's frozen logits enter the softmax only
// through one cached number (their log-sum-exp): the problem shrinks to rows × dim × k, and its gradient is written
// by hand (no autodiff, no transposed matMul).
import { initTf, tf } from '../backend/tf-runtime.js';
import { minimizeLbfgs } from './lbfgs.js';
import { onnxRows, SOFTPLUS_NONE, type OnnxRows } from './onnx-rows.js';
import type { FeatureMatrix } from './types.js';

export interface NewColumnRows {
  x: FeatureMatrix;
  /** log Σ exp(logits of the frozen columns) of each row. */
  oldLse: Float32Array;
  /** Trained column index 0..k-1, or -1 when the row's target is the parent's answer (old unit, rehearsal). */
  target: Int32Array;
  /** For rows with target -1: the parent's probability on each trained column (n × k; 0 for new columns).
   *  The rest of the target mass sits on the frozen columns. Omitted = all mass on the frozen columns. */
  soft?: Float32Array;
  /** Non-negative row weights (normalised by their sum inside the loss). */
  weight: Float32Array;
  /** For rows with a target column: log Σ exp(logits) of frozen units that also count as right (the label's declared
   *  descendants, e.g. `alp` under `mountain`); -Infinity or omitted = none. The row's loss is then
   *  −log(p_target + p_descendants): the label's images may keep answering a descendant. */
  alsoRightLse?: Float32Array;
}

export interface NewColumnFit {
  /** dim × k, row-major. */
  w: Float32Array;
  b: Float32Array;
  loss: number;
  iterations: number;
  evaluations: number;
}

export interface FitNewColumnsOptions {
  k: number;
  /** L2 strength pulling the trained columns toward `anchor` (or 0); per column when an array. */
  l2: number | Float32Array;
  anchor?: Float32Array;
  init?: { w: Float32Array; b: Float32Array };
  iterations: number;
  onIteration?: (it: number, loss: number) => void;
  signal?: AbortSignal;
  /** Rows already on the compute backend (reused across fits over the same rows with different weights). */
  device?: DeviceRows;
  /** L-BFGS history length (default 8). */
  memory?: number;
  /** Per column: an L2 of strength l2[c] pulling its bias toward toward[c] (0 = a free bias). */
  biasPull?: { l2: Float32Array; toward: Float32Array };
}

/** The rows where the objective runs: on onnxruntime the whole data term is one graph call (onnx-rows.ts); on tfjs
 *  its two products S = X·W (n × k) and X^T·G (dim × k), with the softmax and G between them in JS. */
export type DeviceRows =
  | {
      backend: 'onnx';
      project(w: Float32Array, k: number): Promise<Float32Array>;
      objective: OnnxRows['objective'];
      dispose(): void;
    }
  | {
      backend: 'tfjs';
      project(w: Float32Array, k: number): Promise<Float32Array>;
      backProject(g: Float32Array, k: number): Promise<Float32Array>;
      dispose(): void;
    };

let onnxFailure: string | undefined;
/** Why the onnxruntime path of the fits was not used (undefined while it works). */
export const fitBackendFallbackReason = () => onnxFailure;

/** onnxruntime (MLAS) when available, else the tfjs backend with an explicit transpose (X^T·G as a plain matMul). */
export async function toDevice(x: FeatureMatrix): Promise<DeviceRows> {
  if (process.env.ACCRETE_GROWTH_STATS !== 'tfjs' && !onnxFailure) {
    try {
      const o = await onnxRows(x);
      return {
        backend: 'onnx',
        project: o.project,
        objective: o.objective,
        dispose: () => void o.release(),
      };
    } catch (err) {
      onnxFailure ??= (err as Error).message;
    }
  }
  await initTf();
  const X = tf.tensor2d(x.data, [x.n, x.dim]);
  const XT = tf.transpose(X);
  return {
    backend: 'tfjs',
    async project(w, k) {
      const wT = tf.tensor2d(w, [x.dim, k]);
      const sT = tf.matMul(X, wT);
      const s = (await sT.data()) as Float32Array;
      sT.dispose();
      wT.dispose();
      return s;
    },
    async backProject(g, k) {
      const gT = tf.tensor2d(g, [x.n, k]);
      const gwT = tf.matMul(XT, gT);
      const gw = (await gwT.data()) as Float32Array;
      gT.dispose();
      gwT.dispose();
      return gw;
    },
    dispose: () => {
      X.dispose();
      XT.dispose();
    },
  };
}

/**
 * The regularised objective and its gradient over theta = [W (dim × k, row-major), b (k)]:
 * Σ_i w_i·CE(softmax([frozen lse_i, x_i·W + b]), target_i) / Σ w_i + ½ Σ_c l2_c ‖W_c − anchor_c‖².
 */
export type Objective = (theta: Float64Array, grad: Float64Array) => Promise<number>;

export async function newColumnObjective(
  rows: NewColumnRows,
  opts: FitNewColumnsOptions,
  device: DeviceRows,
): Promise<Objective> {
  const { x, oldLse, target, weight, soft, alsoRightLse } = rows;
  if (alsoRightLse && alsoRightLse.length !== x.n) throw new Error('alsoRightLse must have one value per row');
  const { n, dim } = x;
  const k = opts.k;
  if (oldLse.length !== n || target.length !== n || weight.length !== n)
    throw new Error('row arrays disagree in length');
  if (soft && soft.length !== n * opts.k) throw new Error('soft targets must be rows × k');
  if (k < 1) throw new Error('need at least one new column');
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weight[i];
  if (!(wsum > 0)) throw new Error('all row weights are zero');
  const anchor = opts.anchor ?? new Float32Array(dim * k);
  const l2 = typeof opts.l2 === 'number' ? new Float32Array(k).fill(opts.l2) : opts.l2;
  if (l2.length !== k) throw new Error('one l2 strength per trained column');
  /** The L2 terms, and the full gradient from the data term's (gw: dim × k, gb: k). */
  const regularise = (theta: Float64Array, grad: Float64Array, gw: ArrayLike<number>, gb: ArrayLike<number>) => {
    let reg = 0;
    for (let j = 0; j < dim * k; j++) {
      const dlt = theta[j] - anchor[j];
      const lam = l2[j % k];
      reg += lam * dlt * dlt;
      grad[j] = gw[j] + lam * dlt;
    }
    const pull = opts.biasPull;
    for (let c = 0; c < k; c++) {
      grad[dim * k + c] = gb[c];
      const lam = pull?.l2[c] ?? 0;
      if (pull && lam > 0) {
        const dlt = theta[dim * k + c] - pull.toward[c];
        reg += lam * dlt * dlt;
        grad[dim * k + c] += lam * dlt;
      }
    }
    return 0.5 * reg;
  };
  const split = (theta: Float64Array) => ({
    w: Float32Array.from(theta.subarray(0, dim * k)),
    b: Float32Array.from(theta.subarray(dim * k)),
  });

  if (device.backend === 'onnx') {
    // the targets as the graph takes them (onnx-rows.ts): one-hot / soft mass on trained columns, the fit's constant
    // frozen part, normalised weights
    const hard = new Float32Array(n * k);
    const softT = new Float32Array(n * k);
    const alsoRight = new Float32Array(n).fill(SOFTPLUS_NONE);
    const frozenFit = new Float32Array(n);
    const rowWeight = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      rowWeight[i] = weight[i] / wsum;
      const t = target[i];
      if (t >= 0) {
        hard[i * k + t] = 1;
        const a = alsoRightLse ? alsoRightLse[i] : -Infinity;
        if (a > -Infinity) alsoRight[i] = a;
      } else if (soft) {
        let qT = 0;
        for (let c = 0; c < k; c++) qT += softT[i * k + c] = soft[i * k + c];
        frozenFit[i] = (1 - qT) * oldLse[i];
      } else frozenFit[i] = oldLse[i];
    }
    const terms = device.objective(
      { hard, soft: softT, alsoRight, frozenFit, weight: rowWeight, frozenLse: oldLse },
      k,
    );
    return async (theta, grad) => {
      const { w, b } = split(theta);
      const { rowLoss, gw, gb } = await terms(w, b);
      let loss = 0;
      for (let i = 0; i < n; i++) loss += rowLoss[i];
      return loss + regularise(theta, grad, gw, gb);
    };
  }

  // tfjs: the products on the backend, the softmax and G here
  const G = new Float32Array(n * k);
  const s = new Float32Array(n * k);
  const p = new Float32Array(n * k);
  const lse = new Float64Array(n);
  const backProject = device.backProject;
  const softmaxOf = async ({ w, b }: { w: Float32Array; b: Float32Array }) => {
    const raw = await device.project(w, k);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let m = oldLse[i];
      for (let c = 0; c < k; c++) {
        const v = raw[o + c] + b[c];
        s[o + c] = v;
        if (v > m) m = v;
      }
      let z = Math.exp(oldLse[i] - m);
      for (let c = 0; c < k; c++) z += Math.exp(s[o + c] - m);
      lse[i] = m + Math.log(z);
      for (let c = 0; c < k; c++) p[o + c] = Math.exp(s[o + c] - lse[i]);
    }
  };
  /** Loss, and G (rows × k: weighted softmax minus targets) with the bias gradient gb, from the rows' softmax. The
   *  gradient is written as p for every column, then the target's mass taken off its own column (or the soft targets
   *  off theirs), so no per-column branch runs in the inner loops. */
  const lossAndG = (gb: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      if (weight[i] === 0) {
        G.fill(0, o, o + k);
        continue;
      }
      const t = target[i];
      const wi = weight[i] / wsum;
      let fit: number;
      if (t >= 0) {
        fit = s[o + t];
        let qt = 1; // target column's share of the right answers' mass (1 without descendants)
        const a = alsoRightLse ? alsoRightLse[i] : -Infinity;
        if (a > -Infinity) {
          const hi = Math.max(fit, a);
          const both = hi + Math.log(Math.exp(fit - hi) + Math.exp(a - hi));
          qt = Math.exp(fit - both);
          fit = both;
        }
        for (let c = 0; c < k; c++) {
          const gi = wi * p[o + c];
          G[o + c] = gi;
          gb[c] += gi;
        }
        G[o + t] -= wi * qt;
        gb[t] -= wi * qt;
      } else if (soft) {
        // soft target: q on trained columns, the remaining mass on the frozen ones (stand-in logit: their lse)
        let qT = 0;
        fit = 0;
        for (let c = 0; c < k; c++) {
          const q = soft[o + c];
          qT += q;
          fit += q * s[o + c];
          const gi = wi * (p[o + c] - q);
          G[o + c] = gi;
          gb[c] += gi;
        }
        fit += (1 - qT) * oldLse[i];
      } else {
        fit = oldLse[i]; // all the target mass on the frozen columns
        for (let c = 0; c < k; c++) {
          const gi = wi * p[o + c];
          G[o + c] = gi;
          gb[c] += gi;
        }
      }
      loss += wi * (lse[i] - fit);
    }
    return loss;
  };
  return async (theta: Float64Array, grad: Float64Array): Promise<number> => {
    const gb = new Float64Array(k);
    await softmaxOf(split(theta));
    const loss = lossAndG(gb);
    const gw = await backProject(G, k);
    return loss + regularise(theta, grad, gw, gb);
  };
}

export async function fitNewColumns(rows: NewColumnRows, opts: FitNewColumnsOptions): Promise<NewColumnFit> {
  const { dim } = rows.x;
  const k = opts.k;
  const device = opts.device ?? (await toDevice(rows.x));
  try {
    const fg = await newColumnObjective(rows, opts, device);
    const anchor = opts.anchor ?? new Float32Array(dim * k);
    const theta0 = new Float64Array(dim * k + k);
    if (opts.init) {
      theta0.set(opts.init.w);
      theta0.set(opts.init.b, dim * k);
    } else theta0.set(anchor);
    const res = await minimizeLbfgs(fg, theta0, {
      maxIterations: opts.iterations,
      memory: opts.memory,
      onIteration: opts.onIteration,
      signal: opts.signal,
    });
    return {
      w: Float32Array.from(res.x.subarray(0, dim * k)),
      b: Float32Array.from(res.x.subarray(dim * k)),
      loss: res.f,
      iterations: res.iterations,
      evaluations: res.evaluations,
    };
  } finally {
    if (!opts.device) device.dispose();
  }
}
