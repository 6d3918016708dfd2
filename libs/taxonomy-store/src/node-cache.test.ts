// The class-node cache on a real database: a second Prisma client object stands in for another process
// (caches are per client), so its writes reach this client's cache only through the TTL revalidation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DbHandle, type PrismaClient } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { classNodeCacheSettled, classNodesById, setClassNodeCacheTiming } from './node-cache.js';
import type { CacheTiming } from '@accrete/primitives';
import { invalidateTaxonomyCache } from './snapshot.js';

let db: DbHandle;
let prisma: PrismaClient;
let other: PrismaClient;
let previous: CacheTiming;
// the cache's clock, moved by hand: the test never races the TTL, however slow the machine
let clock = Date.now();
const TTL = 10_000;
const pastTheTtl = () => (clock += TTL + 1);
before(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  other = prisma.$extends({}) as unknown as PrismaClient;
  previous = setClassNodeCacheTiming({ ttlMs: TTL, now: () => clock });
});
after(async () => {
  setClassNodeCacheTiming(previous);
  await db?.close();
});

test('class nodes edited elsewhere are served stale within the TTL, then revalidated in one background query', async () => {
  const a = await prisma.classNode.create({ data: { name: 'cache-a' } });
  const b = await prisma.classNode.create({ data: { name: 'cache-b' } });
  assert.equal((await classNodesById(prisma, [a.id, b.id])).get(a.id)?.name, 'cache-a');

  let queries = 0;
  const counting = prisma.$extends({
    query: { classNode: { findMany: ({ args, query }) => (queries++, query(args)) } },
  }) as unknown as PrismaClient;
  await classNodesById(counting, [a.id, b.id]); // fills this client's cache
  assert.equal(queries, 1);

  await other.classNode.update({ where: { id: a.id }, data: { name: 'cache-a renamed' } });
  await other.classNode.delete({ where: { id: b.id } });
  assert.equal(
    (await classNodesById(counting, [a.id])).get(a.id)?.name,
    'cache-a',
    'within the TTL the cached row is served',
  );
  assert.equal(queries, 1);

  pastTheTtl();
  // past the TTL: 20 concurrent readers get the cached rows at once and start a single re-read
  const reads = await Promise.all(Array.from({ length: 20 }, () => classNodesById(counting, [a.id])));
  assert.ok(reads.every((r) => r.get(a.id)?.name === 'cache-a'));
  await classNodeCacheSettled(counting);
  assert.equal(queries, 2, 'one revalidation query, no stampede');
  assert.equal((await classNodesById(counting, [a.id])).get(a.id)?.name, 'cache-a renamed');
  const gone = await classNodesById(counting, [b.id]);
  assert.equal(gone.has(b.id), false, 'a node deleted elsewhere drops out');
});

test('an edit in this process clears the cache at once, and a revalidation that started before it is discarded', async () => {
  const c = await prisma.classNode.create({ data: { name: 'cache-c' } });
  await classNodesById(prisma, [c.id]);
  pastTheTtl();
  await classNodesById(prisma, [c.id]); // starts a revalidation (reads the old name)
  await prisma.classNode.update({ where: { id: c.id }, data: { name: 'cache-c renamed' } });
  invalidateTaxonomyCache();
  await classNodeCacheSettled(prisma);
  assert.equal((await classNodesById(prisma, [c.id])).get(c.id)?.name, 'cache-c renamed');
});
