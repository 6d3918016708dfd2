// The worker refuses to start without the scale-out settings or with bad tuning flags, naming the problem.
// (Workers pulling real jobs from pg-boss are exercised in libs/jobs/test/pgboss.test.ts, which spawns this app.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../src/main.js';

const quiet = () => {};

test('the worker needs DATABASE_URL and ACCRETE_JOBS=pgboss', async () => {
  await assert.rejects(main([], {}, quiet), /needs DATABASE_URL and ACCRETE_JOBS=pgboss/);
  await assert.rejects(main([], { ACCRETE_JOBS: 'pgboss' }, quiet), /ACCRETE_JOBS=pgboss needs DATABASE_URL/);
  await assert.rejects(main([], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x' }, quiet), /ACCRETE_JOBS=pgboss/);
});

test('bad tuning flags are named before anything is opened', async () => {
  const env = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x', ACCRETE_JOBS: 'pgboss' };
  await assert.rejects(main(['--poll-seconds', 'soon'], env, quiet), /--poll-seconds must be a non-negative number/);
  await assert.rejects(main(['--unknown', '1'], env, quiet), /unknown/i);
});
