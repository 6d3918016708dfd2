// Operator mistakes at start print one clear message and exit 2, without a stack trace: a bad setting, a missing
// PostgreSQL database, and a PGlite data directory already held by another process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '@accrete/db';
import { REPO } from './paths.js';

/** Runs the API's main on embedded PGlite; it is expected to refuse to start. */
function startApi(env: Record<string, string>) {
  const { DATABASE_URL: _pg, ...inherited } = process.env;
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: REPO,
    env: { ...inherited, ...env },
    timeout: 120_000,
  }).then(
    () => assert.fail('the API must not start'),
    (e: { code: number; stderr: string }) => e,
  );
}

test('a bad setting: its message, exit 2, no stack trace', { timeout: 150_000 }, async () => {
  const r = await startApi({ ACCRETE_API_PORT: 'four thousand' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ACCRETE_API_PORT/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
});

test(
  'the data directory held by another process: who holds it, exit 2, no stack trace',
  { timeout: 150_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'accrete-held-'));
    const held = await openDatabase({ dataDir: join(dataDir, 'db'), migrate: false, program: 'another api' });
    try {
      const r = await startApi({ ACCRETE_DATA_DIR: dataDir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`open in another process \\(another api, pid ${process.pid}`));
      assert.match(r.stderr, /already running/);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    } finally {
      await held.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);

test(
  'a PostgreSQL database that is missing (or a server that is down): one line, exit 2, no stack trace',
  { timeout: 150_000 },
  async () => {
    const name = `accrete_missing_${process.pid}_${Date.now()}`;
    const r = await startApi({ DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${name}` });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^api: .*(${name}|Cannot connect)`, 'm'));
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  },
);
