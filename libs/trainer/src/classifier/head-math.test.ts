import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headLogits } from './head-math.js';
import { topK } from '../eval/evaluate.js';

test('head logits and top-k agree with a direct computation', () => {
  const head = {
    inDim: 3,
    classes: 4,
    weights: Float32Array.from([1, 0, 0, 2, 0, 1, 0, 0, 0, 0, 3, -1]),
    bias: Float32Array.from([0, 0.5, 0, 0]),
  };
  const z = headLogits(head, Float32Array.from([1, 2, 0.5]));
  assert.deepEqual([...z], [1, 2.5, 1.5, 1.5]);
  assert.deepEqual(topK(z, 0, z.length, 2), [1, 2]);
  const v = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 7.3));
  const sorted = [...v.keys()].sort((a, b) => v[b]! - v[a]!);
  assert.deepEqual(topK(v, 0, v.length, 5), sorted.slice(0, 5));
});
