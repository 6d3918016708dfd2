// Token verification cache on a real database. A second Prisma client object stands in for another process
// (the cache is per client), so its revocation reaches this client only through the timed re-check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DbHandle, type PrismaClient } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import {
  FirstSignIn,
  authenticateToken,
  createApiToken,
  revokeApiToken,
  setTokenCacheTiming,
  tokenChecksSettled,
} from './tokens.js';
import type { CacheTiming } from '@accrete/primitives';

let db: DbHandle;
let previous: CacheTiming;
// the cache's clock, moved by hand: the test never races the cache time, however slow the machine
let clock = Date.now();
const TTL = 10_000;
const pastTheCacheTime = () => (clock += TTL + 1);
before(async () => {
  db = await createTestDatabase();
  previous = setTokenCacheTiming({ ttlMs: TTL, now: () => clock });
});
after(async () => {
  setTokenCacheTiming(previous);
  await db?.close();
});

/** A client of the same database that counts its apiToken queries and writes. */
function countingClient(prisma: PrismaClient) {
  const counts = { reads: 0, writes: 0 };
  const client = prisma.$extends({
    query: {
      apiToken: {
        findUnique: ({ args, query }) => (counts.reads++, query(args)),
        update: ({ args, query }) => (counts.writes++, query(args)),
      },
    },
  }) as unknown as PrismaClient;
  return { client, counts };
}

test('concurrent requests with a new token share one query; an expired entry is re-checked once, before it answers', async () => {
  const { token } = await createApiToken(db.prisma, { name: 'busy', role: 'READER' });
  const { client, counts } = countingClient(db.prisma);
  const first = await Promise.all(Array.from({ length: 50 }, () => authenticateToken(client, token)));
  assert.ok(first.every((r) => r?.name === 'busy'));
  assert.deepEqual(counts, { reads: 1, writes: 1 }, 'one lookup and one lastUsedAt touch for 50 concurrent requests');

  pastTheCacheTime(); // still within the minute that spaces lastUsedAt touches
  const again = await Promise.all(Array.from({ length: 50 }, () => authenticateToken(client, token)));
  assert.ok(again.every((r) => r?.name === 'busy'));
  await tokenChecksSettled(client);
  assert.equal(counts.reads, 2, 'one re-check, not one per in-flight request');
  assert.equal(counts.writes, 1, 'lastUsedAt is touched at most once a minute');
});

test('a token revoked by another process stops working once its verdict is older than the cache time', async () => {
  const { token, apiToken } = await createApiToken(db.prisma, { name: 'revoked-elsewhere', role: 'EDITOR' });
  const { client } = countingClient(db.prisma);
  assert.ok(await authenticateToken(client, token));
  const otherProcess = db.prisma.$extends({}) as unknown as PrismaClient;
  await otherProcess.apiToken.update({ where: { id: apiToken.id }, data: { revokedAt: new Date() } });
  assert.ok(await authenticateToken(client, token), 'still cached within the cache time');
  pastTheCacheTime();
  assert.equal(await authenticateToken(client, token), null, 'no request is answered from an expired verdict');
});

test('a revocation in this process applies at once', async () => {
  const { token, apiToken } = await createApiToken(db.prisma, { name: 'revoked-here', role: 'EDITOR' });
  assert.ok(await authenticateToken(db.prisma, token));
  await revokeApiToken(db.prisma, apiToken.id);
  assert.equal(await authenticateToken(db.prisma, token), null);
  assert.equal(await authenticateToken(db.prisma, 'acc_unknown'), null);
});

test('a token with expiresAt works until then and is refused after, saying it expired, cached verdict or not', async () => {
  const expiresAt = new Date(clock + 60 * 60_000);
  const { token, apiToken } = await createApiToken(db.prisma, { name: 'temp', role: 'READER', expiresAt });
  assert.equal(apiToken.expiresAt?.getTime(), expiresAt.getTime());
  assert.equal((await authenticateToken(db.prisma, token))?.id, apiToken.id);
  clock = expiresAt.getTime() - 1; // still cached (verdict younger than the TTL would not matter either way)
  assert.equal((await authenticateToken(db.prisma, token))?.id, apiToken.id);
  clock = expiresAt.getTime();
  await assert.rejects(authenticateToken(db.prisma, token), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'UNAUTHENTICATED');
    assert.match(e.message, /API token "temp" expired at .+; ask an admin for a new one/);
    return true;
  });
  pastTheCacheTime(); // and after a fresh look at the row
  await assert.rejects(authenticateToken(db.prisma, token), /expired/);
});

test('expiresAt must be a date in the future; without it a token never expires', async () => {
  for (const expiresAt of [new Date(clock), new Date(clock - 1), new Date(Number.NaN)])
    await assert.rejects(
      createApiToken(db.prisma, { name: 'bad', role: 'READER', expiresAt }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'BAD_INPUT');
        return true;
      },
    );
  const { token } = await createApiToken(db.prisma, { name: 'forever', role: 'READER' });
  clock += 100 * 365 * 86_400_000;
  assert.ok(await authenticateToken(db.prisma, token));
});

test('the first sign-in code is refused once any token exists, even one made after the code was printed', async () => {
  const fresh = await createTestDatabase();
  try {
    const link = new FirstSignIn();
    const code = await link.open(fresh.prisma);
    assert.ok(code, 'an empty token table opens a code');
    await createApiToken(fresh.prisma, { name: 'made with the CLI', role: 'EDITOR' });
    await assert.rejects(link.redeem(fresh.prisma, code), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'UNAUTHENTICATED');
      assert.match(e.message, /expired when the first API token was created/);
      return true;
    });
    assert.equal(await fresh.prisma.apiToken.count(), 1, 'no ADMIN token minted');
  } finally {
    await fresh.close();
  }
});
