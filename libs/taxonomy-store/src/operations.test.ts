// Taxonomy edits and reads on a real, seeded database (PGlite, or PostgreSQL with ACCRETE_TEST_DB=postgres).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type DbHandle, type PrismaClient } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { imagenetNodeId } from '@accrete/taxonomy';
import { RegistryError } from '@accrete/errors';
import {
  addClassAlias,
  createClass,
  createClasses,
  deleteClass,
  classAncestors,
  getClass,
  classSubtreeNodes,
  mergeClasses,
  moveClass,
  removeClassAlias,
  renameClass,
  resolveClassNames,
  searchClasses,
  seedTaxonomy,
  versionClassTree,
} from './index.js';

const FLOWER = imagenetNodeId('n11669921');
const DAISY = imagenetNodeId('n11939491');
const PLANT = imagenetNodeId('n00017222');
const PANDA = imagenetNodeId('n02510455');

let db: DbHandle;
let prisma: PrismaClient;
before(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  await seedTaxonomy(prisma);
});
after(async () => {
  await db?.close();
});

/** Asserts a RegistryError with the given taxonomy reason and a message matching `message`. */
async function refused(p: Promise<unknown>, reason: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RegistryError, `expected RegistryError, got ${String(e)}`);
    assert.equal(e.details?.reason, reason, e.message);
    assert.match(e.message, message);
    return true;
  });
}

let seq = 0;
/** A dataset with `n` images labelled with `classNodeId`. */
async function imagesFor(classNodeId: string, label: string, n: number): Promise<string> {
  const dataset = await prisma.dataset.create({ data: { name: `ds-${label}-${++seq}` } });
  for (let i = 0; i < n; i++) {
    const sha256 = createHash('sha256').update(`${label}/${seq}/${i}`).digest('hex');
    const image = await prisma.image.create({
      data: { sha256, width: 10, height: 10, format: 'jpeg', bytes: 100, storageKey: sha256 },
    });
    await prisma.datasetImage.create({
      data: {
        datasetId: dataset.id,
        imageId: image.id,
        label,
        classNodeId,
        split: 'TRAIN',
        sourcePath: `${label}/${i}.jpg`,
      },
    });
  }
  return dataset.id;
}

/** A model version whose output units are the given class nodes. */
async function versionWith(classNodeIds: string[], added: string[] = []): Promise<string> {
  const backbone = await prisma.backbone.upsert({
    where: { name: 'mobilenet-test' },
    update: {},
    create: {
      name: 'mobilenet-test',
      source: '/x',
      inputSize: 224,
      bottleneckDim: 768,
      bottleneckLayer: 'gap',
      headLayer: 'conv_preds',
      sha256: 'x',
    },
  });
  const model = await prisma.model.create({ data: { name: `model-${++seq}`, backboneId: backbone.id } });
  const version = await prisma.modelVersion.create({
    data: { modelId: model.id, number: 1, classCount: classNodeIds.length, status: 'READY' },
  });
  await prisma.versionClass.createMany({
    data: classNodeIds.map((classNodeId, outputUnit) => ({
      versionId: version.id,
      outputUnit,
      classNodeId,
      added: added.includes(classNodeId),
    })),
  });
  return version.id;
}

async function orphanCounts(): Promise<{ images: number; children: number; aliases: number }> {
  const [row] = await prisma.$queryRaw<{ images: number; children: number; aliases: number }[]>`
    SELECT
      (SELECT count(*) FROM "DatasetImage" d LEFT JOIN "ClassNode" c ON c."id" = d."classNodeId"
        WHERE d."classNodeId" IS NOT NULL AND c."id" IS NULL)::int AS images,
      (SELECT count(*) FROM "ClassNode" n LEFT JOIN "ClassNode" p ON p."id" = n."parentId"
        WHERE n."parentId" IS NOT NULL AND p."id" IS NULL)::int AS children,
      (SELECT count(*) FROM "ClassAlias" a LEFT JOIN "ClassNode" c ON c."id" = a."classNodeId" WHERE c."id" IS NULL)::int AS aliases`;
  return row;
}

/** The user class "sunflower" (alias "Helianthus annuus") under flower, created once for the tests that need it. */
let sunflowerOnce: ReturnType<typeof createClass> | undefined;
const sunflowerClass = () =>
  (sunflowerOnce ??= createClass(prisma, { name: 'sunflower', parentId: FLOWER, aliases: ['Helianthus annuus'] }));

test("sunflower is attached under ImageNet's flower node, next to daisy", async () => {
  const sunflower = await sunflowerClass();
  assert.equal(sunflower.origin, 'USER');
  assert.equal(sunflower.parentId, FLOWER);
  assert.equal(sunflower.depth, 11);
  const path = [...(await classAncestors(prisma, sunflower.id)), sunflower].map((n) => n.name);
  assert.deepEqual(path.slice(-3), ['angiosperm', 'flower', 'sunflower']);
  assert.equal(path[0], 'entity');
  const kids = (await classSubtreeNodes(prisma, FLOWER, 1)).filter((n) => n.parentId === FLOWER).map((n) => n.name);
  assert.ok(kids.includes('daisy') && kids.includes('sunflower'), kids.join(','));
  assert.deepEqual((await getClass(prisma, sunflower.id)).aliases, ['Helianthus annuus']);
  const [hit] = await searchClasses(prisma, 'helianthus', { limit: 3 });
  assert.equal(hit.id, sunflower.id);
  assert.equal(hit.field, 'alias');
  assert.deepEqual(hit.path.slice(-2), ['flower', 'sunflower']);
  await refused(
    createClass(prisma, { name: 'tulip', parentId: 'no-such-node' }),
    'NOT_FOUND',
    /parent class no-such-node does not exist/,
  );
});

test('a second "daisy" is refused; adding "Daisy" or "daisies" proposes the existing class', async () => {
  await sunflowerClass();
  await refused(
    createClass(prisma, { name: 'Daisy', parentId: FLOWER }),
    'DUPLICATE_NAME',
    /class "Daisy" already exists: "daisy" \(… › spermatophyte › angiosperm › flower › daisy, n11939491\)/,
  );
  await refused(
    createClass(prisma, { name: 'helianthus ANNUUS', parentId: FLOWER }),
    'DUPLICATE_NAME',
    /as alias "Helianthus annuus"/,
  );
  await refused(
    createClasses(prisma, [
      { name: 'tulip', parentId: FLOWER },
      { name: 'Tulip', parentId: FLOWER },
    ]),
    'DUPLICATE_NAME',
    /"tulip" and "Tulip" are the same ignoring case/,
  );
  assert.equal(
    await prisma.classNode.count({ where: { name: { in: ['tulip', 'Tulip'] } } }),
    0,
    'a refused batch leaves nothing',
  );

  const r = await resolveClassNames(prisma, ['daisy', 'Daisy', 'daisies', 'sunflowers', 'dandelion']);
  assert.equal(r[0].kind, 'exact');
  if (r[0].kind === 'exact') assert.equal(r[0].match.id, DAISY);
  for (const [i, reason] of [
    [1, 'same name ignoring case'],
    [2, 'plural/singular'],
    [3, 'plural/singular'],
  ] as const) {
    const x = r[i];
    assert.equal(x.kind, 'proposals', x.input);
    if (x.kind !== 'proposals') continue;
    assert.equal(x.proposals[0].reason, reason, x.input);
    assert.equal(x.proposals[0].name, i === 3 ? 'sunflower' : 'daisy', x.input);
    assert.deepEqual(x.proposals[0].path.slice(-2, -1), ['flower']);
  }
  assert.equal(r[4].kind, 'new');
});

test("aliases are unique ignoring case and cannot take another class's name", async () => {
  const rose = await createClass(prisma, { name: 'rose', parentId: FLOWER });
  await addClassAlias(prisma, rose.id, 'Rosa');
  await refused(addClassAlias(prisma, DAISY, 'ROSA'), 'DUPLICATE_ALIAS', /alias "ROSA" already belongs to "rose"/);
  await refused(addClassAlias(prisma, rose.id, 'daisy'), 'DUPLICATE_NAME', /"daisy" is the name of another class/);
  await refused(addClassAlias(prisma, rose.id, 'Rose'), 'DUPLICATE_ALIAS', /already the name of "rose"/);
  await addClassAlias(prisma, DAISY, 'marguerite'); // ImageNet classes take aliases too
  assert.equal((await resolveClassNames(prisma, ['marguerite']))[0].kind, 'exact');
  await removeClassAlias(prisma, rose.id, 'rosa');
  assert.deepEqual((await getClass(prisma, rose.id)).aliases, []);
  await refused(removeClassAlias(prisma, rose.id, 'rosa'), 'NOT_FOUND', /has no alias "rosa"/);
});

test('moves update depths below and refuse cycles with a clear error', async () => {
  const [composite, aster, michaelmas] = await createClasses(prisma, [
    { name: 'composite flower', parentId: FLOWER },
  ]).then(async ([c]) => {
    const [a] = await createClasses(prisma, [{ name: 'aster', parentId: c.id }]);
    const [m] = await createClasses(prisma, [{ name: 'michaelmas daisy', parentId: a.id }]);
    return [c, a, m];
  });
  await refused(
    moveClass(prisma, composite.id, michaelmas.id),
    'CYCLE',
    /cannot move "composite flower" under "michaelmas daisy": "michaelmas daisy" is inside "composite flower" \(composite flower → aster → michaelmas daisy\)/,
  );
  await refused(moveClass(prisma, aster.id, aster.id), 'CYCLE', /under itself/);
  await refused(
    moveClass(prisma, DAISY, composite.id),
    'NOT_USER_CLASS',
    /cannot move "daisy".*ImageNet\/WordNet class/,
  );

  const moved = await moveClass(prisma, aster.id, PLANT); // plant is at depth 6
  assert.equal(moved.depth, 7);
  assert.equal((await prisma.classNode.findUniqueOrThrow({ where: { id: michaelmas.id } })).depth, 8);
  const top = await moveClass(prisma, aster.id, null);
  assert.equal(top.depth, 0);
  assert.equal((await prisma.classNode.findUniqueOrThrow({ where: { id: michaelmas.id } })).depth, 1);
  await moveClass(prisma, aster.id, composite.id);

  // Two opposite moves at once: the taxonomy lock lets one win and the other see the cycle.
  const [x, y] = await createClasses(prisma, [
    { name: 'left', parentId: FLOWER },
    { name: 'right', parentId: FLOWER },
  ]);
  const results = await Promise.allSettled([moveClass(prisma, x.id, y.id), moveClass(prisma, y.id, x.id)]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.match(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message), /cycle/);
  assert.equal((await orphanCounts()).children, 0);
});

test('merging a user class carries its images, aliases and children and leaves no orphan', async () => {
  // A user made "daisies" (plural, so not caught as the same name) and labelled images with it.
  const daisies = await createClass(prisma, {
    name: 'daisies',
    parentId: FLOWER,
    aliases: ['common daisy'],
    synonyms: ['Bellis perennis'],
  });
  const [child] = await createClasses(prisma, [{ name: 'lawn daisy', parentId: daisies.id }]);
  await imagesFor(daisies.id, 'daisies', 3);
  const daisyImagesBefore = await prisma.datasetImage.count({ where: { classNodeId: DAISY } });

  const merged = await mergeClasses(prisma, daisies.id, DAISY);
  assert.equal(merged.id, DAISY);
  assert.deepEqual(
    { ...merged.merge, addedAliases: [...merged.merge.addedAliases].sort() },
    {
      sourceId: daisies.id,
      sourceName: 'daisies',
      targetId: DAISY,
      movedImages: 3,
      movedAliases: 1,
      addedAliases: ['Bellis perennis', 'daisies'],
      movedChildren: 1,
    },
  );
  assert.equal(await prisma.classNode.findUnique({ where: { id: daisies.id } }), null);
  assert.equal(await prisma.datasetImage.count({ where: { classNodeId: DAISY } }), daisyImagesBefore + 3);
  const movedChild = await prisma.classNode.findUniqueOrThrow({ where: { id: child.id } });
  assert.equal(movedChild.parentId, DAISY);
  assert.equal(movedChild.depth, 12);
  const daisyAliases = (await getClass(prisma, DAISY)).aliases;
  for (const a of ['Bellis perennis', 'common daisy', 'daisies'])
    assert.ok(daisyAliases.includes(a), `${a} in ${daisyAliases.join(', ')}`);
  assert.deepEqual(await orphanCounts(), { images: 0, children: 0, aliases: 0 });
  // The old name now resolves straight to ImageNet's daisy.
  const [again] = await resolveClassNames(prisma, ['daisies']);
  assert.equal(again.kind, 'exact');
  if (again.kind === 'exact') assert.equal(again.match.id, DAISY);

  await refused(mergeClasses(prisma, DAISY, child.id), 'NOT_USER_CLASS', /cannot merge away "daisy"/);
  await refused(mergeClasses(prisma, child.id, child.id), 'SAME_NODE', /into itself/);
  const [outer] = await createClasses(prisma, [{ name: 'outer', parentId: FLOWER }]);
  const [inner] = await createClasses(prisma, [{ name: 'inner', parentId: outer.id }]);
  await refused(mergeClasses(prisma, outer.id, inner.id), 'CYCLE', /lies inside it/);
});

test('merging or deleting a class that a model version uses is refused', async () => {
  const [tulip] = await createClasses(prisma, [{ name: 'tulip', parentId: FLOWER }]);
  const versionId = await versionWith([DAISY, tulip.id], [tulip.id]);
  const model = await prisma.modelVersion.findUniqueOrThrow({ where: { id: versionId }, include: { model: true } });
  await refused(
    mergeClasses(prisma, tulip.id, DAISY),
    'IN_USE',
    new RegExp(`model versions use it as a class \\(${model.model.name} v1\\)`),
  );
  await refused(deleteClass(prisma, tulip.id), 'IN_USE', /cannot delete "tulip".*model versions use it/);
  assert.ok(await prisma.classNode.findUnique({ where: { id: tulip.id } }), 'nothing changed');
});

test('delete: refused for ImageNet classes, classes with children or images; allowed otherwise', async () => {
  await refused(deleteClass(prisma, PANDA), 'NOT_USER_CLASS', /cannot delete "giant panda"/);
  const [parent] = await createClasses(prisma, [{ name: 'wildflower', parentId: FLOWER }]);
  const [kid] = await createClasses(prisma, [{ name: 'poppy', parentId: parent.id, aliases: ['Papaver'] }]);
  await refused(
    deleteClass(prisma, parent.id),
    'HAS_CHILDREN',
    /has 1 child class\(es\) \("poppy"\); move or delete them first/,
  );
  await imagesFor(kid.id, 'poppy', 2);
  await refused(deleteClass(prisma, kid.id), 'HAS_IMAGES', /2 dataset image\(s\) are labelled with it; merge it/);
  await deleteClass(prisma, kid.id, { detachImages: true });
  assert.equal(await prisma.classAlias.count({ where: { name: 'Papaver' } }), 0);
  assert.equal(await prisma.datasetImage.count({ where: { label: 'poppy', classNodeId: null } }), 2);
  await deleteClass(prisma, parent.id);
  assert.equal((await resolveClassNames(prisma, ['wildflower']))[0].kind, 'new', 'the cache forgot the deleted class');
  assert.deepEqual(await orphanCounts(), { images: 0, children: 0, aliases: 0 });
});

test("rename: user classes only, and not onto another class's name", async () => {
  await sunflowerClass();
  const [c] = await createClasses(prisma, [{ name: 'sun flower', parentId: FLOWER }]);
  await refused(renameClass(prisma, DAISY, 'Bellis'), 'NOT_USER_CLASS', /cannot rename "daisy".*add an alias instead/);
  await refused(renameClass(prisma, c.id, 'Sunflower'), 'DUPLICATE_NAME', /already exists: "sunflower"/);
  await refused(renameClass(prisma, c.id, '  '), 'INVALID_NAME', /class name is empty/);
  const renamed = await renameClass(prisma, c.id, 'giant sunflower');
  assert.equal(renamed.name, 'giant sunflower');
  assert.equal((await searchClasses(prisma, 'giant sunflower', { limit: 1 }))[0].id, c.id);
});

test("a version's classes as a tree with image and version counts", async () => {
  const [iris] = await createClasses(prisma, [{ name: 'iris', parentId: FLOWER }]);
  await imagesFor(iris.id, 'iris', 4);
  await imagesFor(DAISY, 'daisy', 2);
  const v1 = await versionWith([DAISY, iris.id, PANDA], [iris.id]);
  await versionWith([DAISY]);
  const tree = await versionClassTree(prisma, v1);
  assert.equal(tree.classCount, 3);
  assert.equal(tree.roots.length, 1);
  const root = tree.roots[0];
  assert.equal(root.name, 'entity');
  assert.equal(root.subtreeClassCount, 3);
  const find = (n: (typeof tree.roots)[number], id: string): typeof n | undefined =>
    n.id === id ? n : n.children.map((c) => find(c, id)).find(Boolean);
  const flower = find(root, FLOWER)!;
  assert.equal(flower.outputUnit, null);
  assert.deepEqual(
    flower.children.map((c) => c.name),
    ['daisy', 'iris'],
  );
  const daisy = find(root, DAISY)!;
  const irisNode = find(root, iris.id)!;
  assert.equal(daisy.outputUnit, 0);
  assert.equal(irisNode.outputUnit, 1);
  assert.equal(irisNode.added, true);
  assert.equal(irisNode.imageCount, 4);
  assert.equal(irisNode.versionCount, 1);
  const daisyImages = await prisma.datasetImage.count({ where: { classNodeId: DAISY } });
  assert.equal(daisy.imageCount, daisyImages);
  assert.ok(
    daisy.versionCount >= 3,
    `daisy is used by v1, the daisy-only version and the earlier one (${daisy.versionCount})`,
  );
  assert.equal(flower.subtreeClassCount, 2);
  assert.equal(flower.subtreeImageCount, daisyImages + 4);
  await refused(versionClassTree(prisma, 'nope'), 'NOT_FOUND', /model version nope does not exist/);
});
