// The retention/new-class trade-off of a grown head as a function of one extra shift on the new columns' biases
// (the same lever as the retention knob): top-1 on the user's classes vs the drop in top-1 on a retention set.
import { topK } from './evaluate.js';

export interface TradeoffPoint {
  shift: number;
  /** Top-1 on the user's-classes set (fraction). */
  newTop1: number;
  /** Parent top-1 minus child top-1 on the retention set, in points of %. */
  dropPoints: number;
}

export interface TradeoffInput {
  classes: number;
  /** First appended unit; units ≥ this get the shift. */
  firstNewUnit: number;
  user: { logits: Float32Array; unit: Int32Array };
  retention: { logits: Float32Array; unit: Int32Array; parentTop1: Int32Array };
}

function top1Shifted(z: Float32Array, o: number, classes: number, firstNew: number, shift: number): number {
  let best = -Infinity;
  let u = 0;
  for (let j = 0; j < classes; j++) {
    const v = j >= firstNew ? z[o + j] - shift : z[o + j];
    if (v > best) {
      best = v;
      u = j;
    }
  }
  return u;
}

export function tradeoffCurve(input: TradeoffInput, shifts: number[]): TradeoffPoint[] {
  const { classes, firstNewUnit } = input;
  const nU = input.user.unit.length;
  const nR = input.retention.unit.length;
  let parentHits = 0;
  for (let i = 0; i < nR; i++) parentHits += input.retention.parentTop1[i] === input.retention.unit[i] ? 1 : 0;
  return shifts.map((shift) => {
    let ok = 0;
    for (let i = 0; i < nU; i++)
      ok += top1Shifted(input.user.logits, i * classes, classes, firstNewUnit, shift) === input.user.unit[i] ? 1 : 0;
    let kept = 0;
    for (let i = 0; i < nR; i++)
      kept +=
        top1Shifted(input.retention.logits, i * classes, classes, firstNewUnit, shift) === input.retention.unit[i]
          ? 1
          : 0;
    return { shift, newTop1: nU ? ok / nU : 0, dropPoints: nR ? (100 * (parentHits - kept)) / nR : 0 };
  });
}

/** Best new-class top-1 among points whose drop is at most maxDrop (undefined when none qualifies). */
export function bestUnderDrop(points: TradeoffPoint[], maxDrop: number): TradeoffPoint | undefined {
  let best: TradeoffPoint | undefined;
  for (const p of points) if (p.dropPoints <= maxDrop + 1e-9 && (!best || p.newTop1 > best.newTop1)) best = p;
  return best;
}

export function parentTop1(z: Float32Array, classes: number): Int32Array {
  const n = z.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = topK(z, i * classes, classes, 1)[0];
  return out;
}
