import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rollbackTarget } from './aliases';

const set = (v: number) => ({ action: 'SET', toVersion: v });
const rb = (v: number) => ({ action: 'ROLLBACK', toVersion: v });

test('rollback goes to the target before the latest SET', () => {
  // oldest first: SET v1, SET v2, SET v3 → newest first for the function
  assert.equal(rollbackTarget([set(3), set(2), set(1)]), 2);
});

test('consecutive rollbacks walk further back, like the API stack', () => {
  // SET v1, SET v2, SET v3, ROLLBACK → v2, so the next rollback goes to v1
  assert.equal(rollbackTarget([rb(2), set(3), set(2), set(1)]), 1);
  // …and after a second rollback (to v1) there is nothing left
  assert.equal(rollbackTarget([rb(1), rb(2), set(3), set(2), set(1)]), null);
});

test('a single SET or a truncated history gives no client-side answer', () => {
  assert.equal(rollbackTarget([set(1)]), null);
  assert.equal(rollbackTarget([set(2), set(1)], true), null);
});
