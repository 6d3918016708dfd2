// tools/create-token.ts prints a working secret once and stores only its hash; with the API running on PGlite the
// API makes the token; the first start of an empty install offers a one-time sign-in link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@accrete/db';
import { authenticateToken } from '@accrete/auth';
import 'reflect-metadata';
import { loadConfig } from '@accrete/config';
import { disposeSharedBackbones } from '@accrete/jobs';
import { startApi } from '../src/app.js';
import { REPO, SHARED } from './paths.js';

test('create-token CLI: prints the secret, stores its hash, refuses bad roles', { timeout: 180_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'accrete-token-'));
  const { DATABASE_URL: _pg, ...inherited } = process.env; // always the embedded database here
  const env = { ...inherited, ACCRETE_DATA_DIR: dataDir };
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/create-token.ts', ...args], { cwd: REPO, env });
  try {
    await assert.rejects(run(['--name', 'x', '--role', 'OWNER']), /usage/);
    const { stdout, stderr } = await run(['--name', 'ci-bot', '--role', 'editor']);
    const secret = stdout.trim();
    assert.match(secret, /^acc_[\w-]{40,}$/);
    assert.match(stderr, /EDITOR token "ci-bot"/);
    // says where it went: a token in the embedded database is unknown to an API on PostgreSQL
    assert.match(stderr, /in the embedded database in .*\(no DATABASE_URL\)/);
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

test(
  'create-token CLI while the API holds the PGlite database: the API creates it; another holder: refused, no secret',
  { timeout: 300_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'accrete-token-live-'));
    const { DATABASE_URL: _pg, ...inherited } = process.env;
    const env = { ...inherited, ACCRETE_DATA_DIR: dataDir };
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/create-token.ts', ...args], { cwd: REPO, env });
    const config = loadConfig(
      { ACCRETE_DATA_DIR: dataDir, ACCRETE_SHARED_DIR: SHARED, ACCRETE_OPEN_READS: 'false' },
      REPO,
    );
    try {
      // another process (here: this test) holds the database and answers no token requests
      const other = await openDatabase({ dataDir: config.paths.db, program: 'a story run' });
      try {
        const refused = await run(['--name', 'bob', '--role', 'READER']).then(
          () => null,
          (e: { code: number; stdout: string; stderr: string }) => e,
        );
        assert.ok(refused, 'the CLI must fail while another process holds the database');
        assert.equal(refused.code, 1);
        assert.equal(refused.stdout, '', 'no secret printed');
        assert.match(refused.stderr, new RegExp(`a story run, pid ${process.pid}`));
        assert.match(refused.stderr, /No token was created/);
        assert.equal(await other.prisma.apiToken.count(), 0);
      } finally {
        await other.close();
      }

      // the API holds it: the first start has no token, so it offers the one-time sign-in link
      const db = await openDatabase({ dataDir: config.paths.db, program: 'api' });
      const app = await startApi({ config, db, port: 0, evaluateBase: false, log: () => undefined });
      try {
        assert.match(app.firstSignInUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/sign-in#code=[\w-]{20,}$/);
        const code = new URL(app.firstSignInUrl!).hash.slice('#code='.length);
        const redeem = async (c: string) => {
          const r = await fetch(`${app.server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: 'mutation($c: String!) { redeemSignInCode(code: $c) { token apiToken { role } } }',
              variables: { c },
            }),
          });
          return (await r.json()) as {
            data?: { redeemSignInCode: { token: string; apiToken: { role: string } } };
            errors?: { extensions?: { code?: string } }[];
          };
        };
        assert.equal((await redeem('not-the-code')).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
        const first = await redeem(code);
        assert.equal(first.data?.redeemSignInCode.apiToken.role, 'ADMIN');
        assert.equal((await redeem(code)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', 'the link works once');

        const { stdout, stderr } = await run(['--name', 'alice', '--role', 'EDITOR']);
        assert.match(stderr, /by the running API/);
        const secret = stdout.trim();
        // usable at once through the running API, with no restart
        const viewer = await fetch(`${app.server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify({ query: '{ viewer { name role } }' }),
        }).then((r) => r.json() as Promise<{ data: { viewer: unknown } }>);
        assert.deepEqual(viewer.data.viewer, { name: 'alice', role: 'EDITOR' });
      } finally {
        await app.close();
        await disposeSharedBackbones();
        await db.close();
      }
      // stored for good, and a later start with tokens prints no link
      const again = await openDatabase({ dataDir: config.paths.db, program: 'api' });
      const app2 = await startApi({ config, db: again, port: 0, evaluateBase: false, log: () => undefined });
      try {
        assert.equal(await again.prisma.apiToken.count(), 2);
        assert.equal(app2.firstSignInUrl, null);
      } finally {
        await app2.close();
        await disposeSharedBackbones();
        await again.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
