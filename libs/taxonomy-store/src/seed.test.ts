// Seeding the ImageNet/WordNet taxonomy into a real database (PGlite, or PostgreSQL with ACCRETE_TEST_DB=postgres).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DbHandle } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { imagenetNodeId, loadImagenetTaxonomy } from '@accrete/taxonomy';
import { classAncestors, classSubtreeNodes, imagenetVersionClasses, seedTaxonomy } from './index.js';

let db: DbHandle;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

test('seedTaxonomy inserts every synset once, with parents and depths, and is idempotent', async () => {
  const total = loadImagenetTaxonomy().nodes.length;
  // Two starts at once (API and worker): both succeed and the rows exist once.
  const [a, b] = await Promise.all([seedTaxonomy(db.prisma), seedTaxonomy(db.prisma, { batchSize: 300 })]);
  assert.equal(a.inserted + b.inserted, total);
  console.log(`# seeded ${total} nodes on ${db.kind} in ${Math.round(Math.max(a.ms, b.ms))} ms`);
  assert.equal(await db.prisma.classNode.count(), total);
  assert.equal(await db.prisma.classNode.count({ where: { origin: 'IMAGENET' } }), total);
  const again = await seedTaxonomy(db.prisma);
  assert.equal(again.inserted, 0);
  assert.equal(await db.prisma.classNode.count(), total);

  const daisy = await db.prisma.classNode.findUniqueOrThrow({ where: { wnid: 'n11939491' } });
  assert.equal(daisy.id, imagenetNodeId('n11939491'));
  assert.equal(daisy.depth, 11);
  const path = [...(await classAncestors(db.prisma, daisy.id)), daisy].map((n) => n.name);
  assert.deepEqual(path.slice(-4), ['spermatophyte', 'angiosperm', 'flower', 'daisy']);
  assert.equal(path[0], 'entity');
  // depth column agrees with the parent chain everywhere
  const bad = await db.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "ClassNode" c LEFT JOIN "ClassNode" p ON p."id" = c."parentId"
    WHERE (c."parentId" IS NULL AND c."depth" <> 0) OR (c."parentId" IS NOT NULL AND (p."id" IS NULL OR c."depth" <> p."depth" + 1))`;
  assert.equal(bad[0].n, 0);
});

test('a deleted part of the taxonomy is filled in again by the next seed', async () => {
  const total = loadImagenetTaxonomy().nodes.length;
  const daisyId = imagenetNodeId('n11939491');
  await seedTaxonomy(db.prisma);
  await db.prisma.classNode.delete({ where: { id: daisyId } });
  const r = await seedTaxonomy(db.prisma);
  assert.equal(r.inserted, 1);
  assert.equal(await db.prisma.classNode.count(), total);
  const flower = imagenetNodeId('n11669921');
  const below = await classSubtreeNodes(db.prisma, flower, 1);
  assert.ok(below.some((n) => n.id === daisyId && n.parentId === flower));
});

test('imagenetVersionClasses maps the 1000 output units to seeded nodes', async () => {
  await seedTaxonomy(db.prisma);
  const units = await imagenetVersionClasses(db.prisma);
  assert.equal(units.length, 1000);
  assert.deepEqual(units[985], { outputUnit: 985, classNodeId: imagenetNodeId('n11939491') });
});
