// Embedded PGlite answers a query inside a resolved promise: without a turn between queries, a chain of awaited
// queries starves every timer and socket of the process until it ends. The same chain with the event loop
// counting its turns (setImmediate re-arming itself): each query lets it turn, in or out of a transaction.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/prisma/client.js';
import { openDatabase, MEMORY_DATA_DIR, type DbHandle } from './database.js';

const QUERIES = 30;
let db: DbHandle;
before(async () => {
  db = await openDatabase({ dataDir: MEMORY_DATA_DIR });
});
after(async () => {
  await db?.close();
});

/** How many times the event loop turned while `chain` ran. */
async function turnsDuring(chain: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const spin = () => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  try {
    await chain();
  } finally {
    running = false;
  }
  return turns;
}

test('a chain of queries lets the event loop turn between them', async () => {
  const turns = await turnsDuring(async () => {
    for (let i = 0; i < QUERIES; i++) await db.prisma.$queryRaw`SELECT ${i}::int AS n`;
  });
  assert.ok(turns >= QUERIES, `the loop turned ${turns} times during ${QUERIES} queries`);
});

test('so does a chain inside an interactive transaction', async () => {
  const turns = await turnsDuring(() =>
    db.prisma.$transaction(async (tx) => {
      for (let i = 0; i < QUERIES; i++) await tx.$queryRaw`SELECT ${i}::int AS n`;
    }),
  );
  assert.ok(turns >= QUERIES, `the loop turned ${turns} times during ${QUERIES} queries in a transaction`);
});

test('(the reason) a client on the bare PGlite instance does not let it turn', async () => {
  const raw = await PGlite.create();
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(raw) });
  try {
    const turns = await turnsDuring(async () => {
      for (let i = 0; i < QUERIES; i++) await prisma.$queryRaw`SELECT ${i}::int AS n`;
    });
    assert.ok(turns < QUERIES / 3, `bare PGlite: the loop turned ${turns} times during ${QUERIES} queries`);
  } finally {
    await prisma.$disconnect();
    await raw.close();
  }
});
