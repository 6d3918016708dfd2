// tools/create-token.ts prints a working secret once and stores only its hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@accrete/db';
import { authenticateToken } from '@accrete/auth';
import { REPO } from './paths.js';

test('create-token CLI: prints the secret, stores its hash, refuses bad roles', { timeout: 180_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'accrete-token-'));
  const { DATABASE_URL: _pg, ...inherited } = process.env; // always the embedded database here
  const env = { ...inherited, ACCRETE_DATA_DIR: dataDir };
  const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/create-token.ts', ...args], { cwd: REPO, env });
  try {
    await assert.rejects(run(['--name', 'x', '--role', 'OWNER']), /usage/);
    const { stdout, stderr } = await run(['--name', 'ci-bot', '--role', 'editor']);
    const secret = stdout.trim();
    assert.match(secret, /^acc_[\w-]{40,}$/);
    assert.match(stderr, /EDITOR token "ci-bot"/);
    const db = await openDatabase({ dataDir: join(dataDir, 'db') });
    try {
      const row = await authenticateToken(db.prisma, secret);
      assert.equal(row?.name, 'ci-bot');
      assert.equal(row?.role, 'EDITOR');
      assert.notEqual(row?.tokenHash, secret);
    } finally {
      await db.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
