// holdAnswers: an earlier user class re-fitted on examples that lean toward an old class must not answer more
// rehearsal images than it did in the parent once held; without the hold it does (so the test can fail).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growHead } from './grow-head.js';
import { logits, matrix } from './matrix.js';
import { rng } from './rng.js';
import type { Head } from '../types.js';
import type { GrowthProblem } from './types.js';

const DIM = 6;
const BASE = 3; // units 0..2 are base classes, unit 3 an earlier user class
const rand = rng(7);
const noise = () => (rand() - 0.5) * 0.3;
const row = (v: number[]) => Array.from({ length: DIM }, (_, d) => Math.max(0, (v[d] ?? 0) + noise()));

function parentHead(): Head {
  const classes = BASE + 1;
  const weights = new Float32Array(DIM * classes);
  for (let c = 0; c < classes; c++) weights[c * classes + c] = 4;
  return { inDim: DIM, classes, weights, bias: new Float32Array(classes) };
}

function problem(): GrowthProblem {
  const labelled: { v: number[]; unit: number }[] = [];
  // the earlier class's examples now lean toward base class 2; a new class sits on its own axis
  for (let i = 0; i < 30; i++) labelled.push({ v: row([0, 0, 0.8, 1]), unit: 3 });
  for (let i = 0; i < 30; i++) labelled.push({ v: row([0, 0, 0, 0, 1]), unit: 4 });
  const pool: number[][] = [];
  for (let c = 0; c < BASE; c++)
    for (let i = 0; i < 15; i++) pool.push(row([c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0]));
  for (let i = 0; i < 30; i++) pool.push(row([0, 0, 1, 0.7])); // near the border of 2 and 3: the parent says 2
  return {
    parent: parentHead(),
    parentLabels: ['a', 'b', 'c', 'earlier'],
    baseClasses: BASE,
    newClasses: ['fresh'],
    train: {
      x: matrix(labelled.length, DIM, Float32Array.from(labelled.flatMap((r) => r.v))),
      unit: Int32Array.from(labelled, (r) => r.unit),
      image: Int32Array.from(labelled, (_, i) => i),
      augmentation: new Uint16Array(labelled.length),
    },
    pool: {
      x: matrix(pool.length, DIM, Float32Array.from(pool.flat())),
      image: Int32Array.from(pool, (_, i) => i),
      augmentation: new Uint16Array(pool.length),
    },
    options: { retentionKnob: 0.5, seed: 1 },
  };
}

/** The soft count of rehearsal rows unit u answers (logistic in its margin over the best other unit). */
async function answers(head: Head, p: GrowthProblem, u: number): Promise<number> {
  const z = await logits(head, p.pool!.x);
  let n = 0;
  for (let i = 0; i < p.pool!.x.n; i++) {
    let rival = -Infinity;
    for (let c = 0; c < head.classes; c++) if (c !== u) rival = Math.max(rival, z[i * head.classes + c]);
    n += 1 / (1 + Math.exp(-(z[i * head.classes + u] - rival)));
  }
  return n;
}

describe('holdAnswers', () => {
  it("keeps an earlier user class at the parent's count of rehearsal answers", async () => {
    const p = problem();
    const before = await answers(p.parent, p, 3);
    const free = await growHead(p, 'guarded', { holdAnswers: 'none' });
    const held = await growHead(p, 'guarded', { holdAnswers: 'user' });
    const drifted = await answers(free.head, p, 3);
    assert.ok(drifted > before + 0.5, `without the hold the class takes more: ${drifted} vs ${before}`);
    const kept = await answers(held.head, p, 3);
    assert.ok(kept <= before + 1e-3, `held: ${kept} vs the parent's ${before}`);
    assert.ok((held.details.holdAnswers as Record<string, number>)[3] > 0);
    // only the bias moved
    for (let d = 0; d < DIM; d++)
      assert.equal(held.head.weights[d * held.head.classes + 3], free.head.weights[d * free.head.classes + 3]);
  });
});
