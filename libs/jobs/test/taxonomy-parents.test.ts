// Labels → parent class names for the evaluation roll-up, on a real database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type DbHandle } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { taxonomyParentNames } from '../src/taxonomy-parents.js';

let db: DbHandle;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.close();
});

test('each label maps to its parent class name; root classes and labels with two different parents are left out', async () => {
  const p = db.prisma;
  const flower = await p.classNode.create({ data: { name: 'rollup-flower' } });
  const bird = await p.classNode.create({ data: { name: 'rollup-bird' } });
  const machine = await p.classNode.create({ data: { name: 'rollup-machine' } });
  const daisy = await p.classNode.create({ data: { name: 'rollup-daisy', parentId: flower.id } });
  const sunflower = await p.classNode.create({ data: { name: 'rollup-sunflower', parentId: flower.id } });
  const craneBird = await p.classNode.create({ data: { name: 'rollup-crane-bird', parentId: bird.id } });
  const craneMachine = await p.classNode.create({ data: { name: 'rollup-crane-machine', parentId: machine.id } });
  const lonely = await p.classNode.create({ data: { name: 'rollup-root-class' } });
  const parents = await taxonomyParentNames(p, [
    { label: 'daisy', classNodeId: daisy.id },
    { label: 'sunflowers', classNodeId: sunflower.id },
    { label: 'crane', classNodeId: craneBird.id },
    { label: 'crane', classNodeId: craneMachine.id },
    { label: 'lonely', classNodeId: lonely.id },
  ]);
  assert.deepEqual(Object.fromEntries(parents), { daisy: 'rollup-flower', sunflowers: 'rollup-flower' });
});
