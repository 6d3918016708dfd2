import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { curveFrom, type HeldOutScores, type KnobCurve, type Layout, type Rows } from './grow-head.js';
import { matrix } from './matrix.js';
import { rng } from './rng.js';

/** The knob's curve computed the direct way, O(rows × trained columns) per shift (the rule curveFrom must keep). */
function reference(rows: Rows, lay: Layout, h: HeldOutScores, deltas: number[]): { acc: number[]; ch: number[] } {
  const k = lay.trained.length;
  const all = [...h.labelledRows, ...h.poolRows];
  const desc = rows.descendants;
  let counted = 0;
  for (const r of h.poolRows) if (!rows.takenOver?.[r]) counted++;
  const acc: number[] = [];
  const ch: number[] = [];
  const sig = (m: number) => 1 / (1 + Math.exp(-m));
  for (const delta of deltas) {
    let ok = 0;
    let changed = 0;
    all.forEach((r, i) => {
      const sc = (c: number) => h.s[i * k + c] - (lay.fresh[c] ? delta : 0);
      let best = rows.stats.max[r];
      let unit = rows.stats.argmax[r];
      for (let c = 0; c < k; c++)
        if (sc(c) > best) {
          best = sc(c);
          unit = lay.trained[c];
        }
      if (i < h.labelledRows.length) {
        const t = lay.columnOf.get(rows.unit[r]) ?? -1;
        if (t < 0) ok += unit === rows.unit[r] ? 1 / h.labelledRows.length : 0;
        else {
          const hasDesc = desc !== undefined && desc.max[r] > -Infinity;
          const own = Math.max(sc(t), hasDesc ? desc.max[r] : -Infinity);
          let rival = hasDesc ? desc.rest[r] : rows.stats.max[r];
          for (let c = 0; c < k; c++) if (c !== t) rival = Math.max(rival, sc(c));
          ok += sig(own - rival) / h.labelledRows.length;
        }
      } else if (!rows.takenOver?.[r]) {
        const t = lay.columnOf.get(rows.stats.top1[r]) ?? -1;
        const parentTop = t >= 0 ? h.s[i * k + t] : rows.stats.max[r];
        let rival = t >= 0 ? rows.stats.max[r] : -Infinity;
        for (let c = 0; c < k; c++) if (c !== t) rival = Math.max(rival, sc(c));
        changed += sig(rival - parentTop);
      }
    });
    acc.push(ok);
    ch.push(counted ? changed / counted : 0);
  }
  return { acc, ch };
}

describe('curveFrom (the knob curve from per-row best and second-best scores)', () => {
  it('equals the direct computation: refined, re-fitted and new columns, descendants, taken-over rows', () => {
    const rand = rng(11);
    // parent units 0..9; refined: 3 (merged base unit, not shifted) and 8 (earlier user class, shifted); new: 10..13
    const P = 10;
    const trained = [3, 8, 10, 11, 12, 13];
    const lay: Layout = {
      parentClasses: P,
      refined: [3, 8],
      trained,
      columnOf: new Map(trained.map((u, c) => [u, c])),
      newCount: 4,
      fresh: Uint8Array.from(trained, (u) => (u === 3 ? 0 : 1)),
      userClass: Uint8Array.from(trained, (u) => (u === 8 ? 1 : 0)),
    };
    const nL = 60;
    const nPool = 40;
    const n = nL + nPool;
    const k = trained.length;
    const unit = new Int32Array(n).fill(-1);
    // labelled rows: trained units and a frozen one (unit 5: right only while the parent's answer survives)
    const units = [3, 8, 10, 11, 12, 13, 5];
    for (let i = 0; i < nL; i++) unit[i] = units[i % units.length];
    const max = Float32Array.from({ length: n }, () => 4 * rand());
    const argmax = Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 5 : Math.floor(rand() * P)));
    const top1 = Int32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? [3, 8][i % 2] : argmax[i]));
    const descMax = new Float32Array(n).fill(-Infinity);
    const descRest = new Float32Array(n).fill(-Infinity);
    for (let i = 0; i < nL; i++)
      if (unit[i] === 11) {
        descMax[i] = 3 * rand();
        descRest[i] = 3 * rand();
      }
    const takenOver = Uint8Array.from({ length: n }, (_, i) => (i >= nL && i % 5 === 0 ? 1 : 0));
    const rows: Rows = {
      x: matrix(n, 1),
      nLabelled: nL,
      nPool,
      heldOut: new Uint8Array(n).fill(1),
      stats: { lse: max, max, argmax, top1, prob: new Float32Array(n * 2) },
      unit,
      descendants: { lse: descMax, max: descMax, rest: descRest },
      takenOver,
    };
    const h: HeldOutScores = {
      labelledRows: Array.from({ length: nL }, (_, i) => i),
      poolRows: Array.from({ length: nPool }, (_, i) => nL + i),
      s: Float32Array.from({ length: n * k }, () => 6 * rand() - 2),
    };
    // labelled rows lean toward their own column, so the shift moves accuracy a lot
    for (let i = 0; i < nL; i++) if (lay.columnOf.has(unit[i])) h.s[i * k + lay.columnOf.get(unit[i])!] += 3;
    const curve: KnobCurve = curveFrom(rows, lay, h, 'rows');
    const ref = reference(rows, lay, h, curve.delta);
    assert.equal(curve.poolRows, nPool - takenOver.reduce((a, b) => a + b, 0));
    curve.delta.forEach((d, j) => {
      assert.ok(
        Math.abs(curve.accuracy[j] - ref.acc[j]) < 1e-9,
        `accuracy at ${d}: ${curve.accuracy[j]} vs ${ref.acc[j]}`,
      );
      assert.ok(Math.abs(curve.changed[j] - ref.ch[j]) < 1e-9, `changed at ${d}: ${curve.changed[j]} vs ${ref.ch[j]}`);
    });
    // the fixture exercises the whole range: accuracy and changed both move along the shifts
    assert.ok(Math.max(...curve.accuracy) - Math.min(...curve.accuracy) > 0.2);
    assert.ok(Math.max(...curve.changed) - Math.min(...curve.changed) > 0.2);
  });
});
