// Cursors: opaque, round-trip their sort keys, and refuse garbage with a stable code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryError } from '@accrete/errors';
import { decodeCursor, encodeCursor } from './pagination.js';

test('cursors round-trip dates and refuse garbage with BAD_INPUT', () => {
  const d = new Date('2026-01-02T03:04:05.678Z');
  assert.deepEqual(decodeCursor(encodeCursor([d, 'id-1', 3]), 3), [d, 'id-1', 3]);
  assert.throws(
    () => decodeCursor('nope', 2),
    (e: unknown) => e instanceof RegistryError && e.code === 'BAD_INPUT',
  );
  assert.throws(() => decodeCursor(encodeCursor(['a']), 2), /invalid cursor/);
});
