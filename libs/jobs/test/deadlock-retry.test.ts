// Processes starting together on a fresh database can deadlock in pg-boss's create_queue; the one PostgreSQL aborts
// (40P01) tries again. Any other error, or a deadlock that keeps coming back, is not swallowed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryOnDeadlock } from '../src/pgboss-queue.js';

const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

test('a deadlock is retried; other errors and a persistent deadlock are thrown', async () => {
  const logs: string[] = [];
  let calls = 0;
  await retryOnDeadlock(
    async () => {
      if (++calls === 1) throw deadlock();
    },
    (m) => logs.push(m),
  );
  assert.equal(calls, 2);
  assert.equal(logs.length, 1);

  await assert.rejects(
    retryOnDeadlock(
      async () => {
        throw Object.assign(new Error('permission denied'), { code: '42501' });
      },
      () => undefined,
    ),
    /permission denied/,
  );
  let tries = 0;
  await assert.rejects(
    retryOnDeadlock(
      async () => {
        tries++;
        throw deadlock();
      },
      () => undefined,
      3,
    ),
    /deadlock detected/,
  );
  assert.equal(tries, 3);
});
