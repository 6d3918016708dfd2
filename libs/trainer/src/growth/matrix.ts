// Dense linear algebra for heads over bottlenecks. Large products (rows × 768 × 1000 parent logits) go through the
// tfjs backend chosen by the trainer (wasm SIMD or native) in chunks; small ones are plain loops.
import { initTf, tf } from '../backend/tf-runtime.js';
import type { Head } from '../types.js';
import type { FeatureMatrix } from './types.js';
import { onnxFrozenStats } from './onnx-stats.js';

export function matrix(n: number, dim: number, data?: Float32Array): FeatureMatrix {
  const d = data ?? new Float32Array(n * dim);
  if (d.length !== n * dim) throw new Error(`matrix data has ${d.length} values, expected ${n}×${dim}`);
  return { n, dim, data: d };
}

/** Stacks row vectors into one matrix. */
export function stackRows(rows: Float32Array[], dim: number): FeatureMatrix {
  const m = matrix(rows.length, dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`row ${i} has ${r.length} values, expected ${dim}`);
    m.data.set(r, i * dim);
  });
  return m;
}

export function selectRows(m: FeatureMatrix, idx: ArrayLike<number>): FeatureMatrix {
  const out = matrix(idx.length, m.dim);
  for (let i = 0; i < idx.length; i++) out.data.set(m.data.subarray(idx[i] * m.dim, (idx[i] + 1) * m.dim), i * m.dim);
  return out;
}

export function concatRows(parts: FeatureMatrix[]): FeatureMatrix {
  const dim = parts[0].dim;
  const out = matrix(
    parts.reduce((s, p) => s + p.n, 0),
    dim,
  );
  let o = 0;
  for (const p of parts) {
    if (p.dim !== dim) throw new Error(`cannot stack ${p.dim}-d rows under ${dim}-d rows`);
    out.data.set(p.data, o);
    o += p.data.length;
  }
  return out;
}

export function checkHead(h: Head): void {
  if (h.weights.length !== h.inDim * h.classes)
    throw new Error(`head weights have ${h.weights.length} values, expected ${h.inDim}×${h.classes}`);
  if (h.bias.length !== h.classes) throw new Error(`head bias has ${h.bias.length} values, expected ${h.classes}`);
}

/** Columns [from, to) of a head as their own head. */
export function headColumns(h: Head, from: number, to: number): Head {
  const k = to - from;
  const w = new Float32Array(h.inDim * k);
  for (let d = 0; d < h.inDim; d++) w.set(h.weights.subarray(d * h.classes + from, d * h.classes + to), d * k);
  return { inDim: h.inDim, classes: k, weights: w, bias: h.bias.slice(from, to) };
}

/** Parent columns followed by new columns (weights [inDim][k] row-major, bias [k]). */
export function appendColumns(parent: Head, w: Float32Array, b: Float32Array): Head {
  const k = b.length;
  const c = parent.classes + k;
  const weights = new Float32Array(parent.inDim * c);
  for (let d = 0; d < parent.inDim; d++) {
    weights.set(parent.weights.subarray(d * parent.classes, (d + 1) * parent.classes), d * c);
    weights.set(w.subarray(d * k, (d + 1) * k), d * c + parent.classes);
  }
  const bias = new Float32Array(c);
  bias.set(parent.bias);
  bias.set(b, parent.classes);
  return { inDim: parent.inDim, classes: c, weights, bias };
}

/** logits = x · W + b for every row, computed in row chunks; `each` sees one chunk (rows × classes) at a time. */
export async function forEachLogitChunk(
  head: Head,
  x: FeatureMatrix,
  each: (logits: Float32Array, firstRow: number, rows: number) => void,
  chunkRows = 2048,
): Promise<void> {
  checkHead(head);
  if (x.dim !== head.inDim) throw new Error(`features are ${x.dim}-d but the head expects ${head.inDim}-d`);
  await initTf();
  const w = tf.tensor2d(head.weights, [head.inDim, head.classes]);
  const b = tf.tensor1d(head.bias);
  try {
    for (let r = 0; r < x.n; r += chunkRows) {
      const rows = Math.min(chunkRows, x.n - r);
      const z = tf.tidy(() =>
        tf.add(tf.matMul(tf.tensor2d(x.data.subarray(r * x.dim, (r + rows) * x.dim), [rows, x.dim]), w), b),
      );
      const data = (await z.data()) as Float32Array;
      z.dispose();
      each(data, r, rows);
    }
  } finally {
    w.dispose();
    b.dispose();
  }
}

/** All logits as one rows × classes array (use for evaluation-sized sets). */
export async function logits(head: Head, x: FeatureMatrix): Promise<Float32Array> {
  const out = new Float32Array(x.n * head.classes);
  await forEachLogitChunk(head, x, (z, r) => out.set(z, r * head.classes));
  return out;
}

/** Per row: log-sum-exp of the logits and the arg-max unit (what a frozen head contributes to a softmax). */
export async function logitStats(
  head: Head,
  x: FeatureMatrix,
): Promise<{ lse: Float32Array; max: Float32Array; argmax: Int32Array }> {
  const lse = new Float32Array(x.n);
  const max = new Float32Array(x.n);
  const argmax = new Int32Array(x.n);
  const c = head.classes;
  await forEachLogitChunk(head, x, (z, r, rows) => {
    for (let i = 0; i < rows; i++) {
      const o = i * c;
      let m = -Infinity;
      let am = 0;
      for (let j = 0; j < c; j++)
        if (z[o + j] > m) {
          m = z[o + j];
          am = j;
        }
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(z[o + j] - m);
      lse[r + i] = m + Math.log(s);
      max[r + i] = m;
      argmax[r + i] = am;
    }
  });
  return { lse, max, argmax };
}

/** Small product x · W (W: dim × k, row-major) in plain loops; k is a handful of new classes. */
export function projectRows(
  x: FeatureMatrix,
  w: Float32Array,
  k: number,
  out = new Float32Array(x.n * k),
): Float32Array {
  const { n, dim, data } = x;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let c = 0; c < k; c++) out[i * k + c] = 0;
    for (let d = 0; d < dim; d++) {
      const v = data[o + d];
      if (v === 0) continue; // bottlenecks are post-ReLU averages: many exact zeros
      const q = d * k;
      for (let c = 0; c < k; c++) out[i * k + c] += v * w[q + c];
    }
  }
  return out;
}

export function l2Norm(v: ArrayLike<number>, from = 0, to = v.length, stride = 1): number {
  let s = 0;
  for (let i = from; i < to; i += stride) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * Per row, for a head whose `trained` units will be re-fitted: log-sum-exp, max and arg-max over the other (frozen)
 * units, the head's own top-1, and its softmax probability on each trained unit (rows × trained.length) — the
 * distillation target for rehearsal rows.
 */
export interface FrozenStats {
  lse: Float32Array;
  max: Float32Array;
  argmax: Int32Array;
  top1: Int32Array;
  prob: Float32Array;
}

let onnxFailure: string | undefined;
/** Why the onnxruntime path of frozenStats was not used (undefined while it works). */
export const frozenStatsFallbackReason = () => onnxFailure;

async function frozenStatsOnnx(
  head: Head,
  x: FeatureMatrix,
  trained: number[],
  mask: Float32Array,
  out: FrozenStats,
  chunkRows: number,
): Promise<void> {
  const t = trained.length;
  const ort = await onnxFrozenStats(head, mask, trained);
  try {
    for (let r = 0; r < x.n; r += chunkRows) {
      const rows = Math.min(chunkRows, x.n - r);
      const res = await ort.run(x.data.subarray(r * x.dim, (r + rows) * x.dim), rows);
      out.lse.set(res.lse, r);
      out.max.set(res.max, r);
      for (let i = 0; i < rows; i++) {
        out.argmax[r + i] = Number(res.argmax[i]);
        out.top1[r + i] = Number(res.top1[i]);
        for (let q = 0; q < t; q++) out.prob[(r + i) * t + q] = Math.exp(res.zTrained![i * t + q] - res.lseAll[i]);
      }
    }
  } finally {
    await ort.release();
  }
}

export async function frozenStats(
  head: Head,
  x: FeatureMatrix,
  trained: number[],
  chunkRows = 4096,
): Promise<FrozenStats> {
  checkHead(head);
  if (x.dim !== head.inDim) throw new Error(`features are ${x.dim}-d but the head expects ${head.inDim}-d`);
  const c = head.classes;
  const t = trained.length;
  const mask = new Float32Array(c);
  for (const u of trained) {
    if (!(u >= 0 && u < c)) throw new Error(`trained unit ${u} outside 0..${c - 1}`);
    mask[u] = -1e9; // drops trained units from the frozen max / log-sum-exp
  }
  if (t >= c) throw new Error('at least one unit must stay frozen');
  const out: FrozenStats = {
    lse: new Float32Array(x.n),
    max: new Float32Array(x.n),
    argmax: new Int32Array(x.n),
    top1: new Int32Array(x.n),
    prob: new Float32Array(x.n * t),
  };
  if (process.env.ACCRETE_GROWTH_STATS !== 'tfjs') {
    try {
      await frozenStatsOnnx(head, x, trained, mask, out, chunkRows);
      return out;
    } catch (err) {
      onnxFailure ??= (err as Error).message;
    }
  }
  await initTf();
  // Reductions run on the backend; only a few numbers per row come back (a rows × classes download is the slow part).
  const w = tf.tensor2d(head.weights, [head.inDim, c]);
  const b = tf.tensor1d(head.bias);
  const m = tf.tensor1d(mask);
  const idx = tf.tensor1d(Int32Array.from(trained), 'int32');
  try {
    for (let r = 0; r < x.n; r += chunkRows) {
      const rows = Math.min(chunkRows, x.n - r);
      const res = tf.tidy(() => {
        const z = tf.add(tf.matMul(tf.tensor2d(x.data.subarray(r * x.dim, (r + rows) * x.dim), [rows, x.dim]), w), b);
        const zf = tf.add(z, m);
        const lseAll = tf.logSumExp(z, 1, true);
        return [
          tf.logSumExp(zf, 1),
          tf.max(zf, 1),
          tf.argMax(zf, 1),
          tf.argMax(z, 1),
          t > 0 ? tf.exp(tf.sub(tf.gather(z, idx, 1), lseAll)) : tf.zeros([rows, 0]),
        ];
      });
      const [lse, max, am, top, prob] = await Promise.all(res.map((v) => v.data()));
      res.forEach((v) => v.dispose());
      out.lse.set(lse as Float32Array, r);
      out.max.set(max as Float32Array, r);
      out.argmax.set(am as Int32Array, r);
      out.top1.set(top as Int32Array, r);
      out.prob.set(prob as Float32Array, r * t);
    }
  } finally {
    w.dispose();
    b.dispose();
    m.dispose();
    idx.dispose();
  }
  return out;
}
