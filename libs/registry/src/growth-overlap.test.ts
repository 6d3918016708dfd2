// Name overlaps before growing, and the per-label decisions reaching the job's params and the growth record.
// Real database (PGlite, or PostgreSQL with ACCRETE_TEST_DB=postgres), the seeded ImageNet taxonomy, the Oxford
// 102 label names from ../shared; versions are made as rows (training is not what is tested here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DbHandle, PrismaClient } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { imagenetNodeId } from '@accrete/taxonomy';
import { createClasses, imagenetVersionClasses, placeClassNames, seedTaxonomy } from '@accrete/taxonomy-store';
import { nameOverlap } from './growth-overlap.js';
import { resolveLabels } from './resolve-labels.js';
import { createModelVersion, type ClassToAdd } from './versions.js';
import { RegistryError } from '@accrete/errors';
import { readGrowthParams } from '@accrete/shapes';
import { versionClassChains } from '@accrete/jobs';

const SHARED = join(import.meta.dirname, '../../../../shared');
const OXFORD: string[] = Object.values(
  JSON.parse(readFileSync(join(SHARED, 'datasets/oxford102/cat_to_name.json'), 'utf8')),
);
const DAISY = imagenetNodeId('n11939491');
const ALP = imagenetNodeId('n09193705');
const VALLEY = imagenetNodeId('n09468604');

let db: DbHandle;
let prisma: PrismaClient;
let v1: string;
let v2: string;
const user = new Map<string, string>(); // v2's user classes by name
before(async () => {
  db = await createTestDatabase();
  prisma = db.prisma;
  await seedTaxonomy(prisma);
  const backbone = await prisma.backbone.create({
    data: {
      name: 'b',
      source: 'x',
      inputSize: 224,
      bottleneckDim: 768,
      bottleneckLayer: 'l',
      headLayer: 'h',
      sha256: 'x',
    },
  });
  const model = await prisma.model.create({ data: { name: 'm', backboneId: backbone.id } });
  const base = await imagenetVersionClasses(prisma);
  v1 = (
    await prisma.modelVersion.create({
      data: { modelId: model.id, number: 1, status: 'READY', classCount: 1000, classes: { create: base } },
    })
  ).id;
  // v2 = v1 + the flowers' user classes, filed where the placement rule puts them (daisy merged)
  const names = ['dandelion', 'roses', 'sunflowers', 'tulips'];
  const placed = await placeClassNames(prisma, names);
  const made = await createClasses(
    prisma,
    names.map((name, i) => ({ name, parentId: placed[i]?.parentId ?? null })),
  );
  made.forEach((n) => user.set(n.name, n.id));
  v2 = (
    await prisma.modelVersion.create({
      data: {
        modelId: model.id,
        number: 2,
        parentId: v1,
        status: 'READY',
        classCount: 1004,
        classes: {
          create: [...base, ...made.map((n, i) => ({ outputUnit: 1000 + i, classNodeId: n.id, added: true }))],
        },
      },
    })
  ).id;
});
after(async () => {
  await db?.close();
});

async function datasetVersion(labels: string[]): Promise<string> {
  const ds = await prisma.dataset.create({ data: { name: `ds-${Math.random().toString(36).slice(2)}` } });
  const classCounts = Object.fromEntries(labels.map((l) => [l, { train: 8, val: 2 }]));
  return (
    await prisma.datasetVersion.create({
      data: { datasetId: ds.id, number: 1, imageCount: labels.length * 10, classCounts },
    })
  ).id;
}

test('v2 + Oxford 102: the four name overlaps with their reasons and defaults', async () => {
  const report = await nameOverlap(prisma, v2, await datasetVersion(OXFORD));
  assert.equal(report.length, 102);
  const first = (label: string) => {
    const r = report.find((x) => x.label === label)!;
    return [r.proposals[0]?.name, r.proposals[0]?.reason, r.proposals[0]?.relation, r.byDefault?.decision];
  };
  assert.deepEqual(first('sunflower'), ['sunflowers', 'plural/singular', 'is', 'merge']);
  assert.deepEqual(first('rose'), ['roses', 'plural/singular', 'is', 'merge']);
  assert.deepEqual(first('common dandelion'), ['dandelion', 'head noun', 'under', 'new']);
  assert.deepEqual(first('oxeye daisy'), ['daisy', 'head noun', 'under', 'new']);
  const byLabel = new Map(report.map((r) => [r.label, r]));
  assert.equal(byLabel.get('sunflower')!.byDefault!.classId, user.get('sunflowers'));
  assert.equal(
    byLabel.get('common dandelion')!.byDefault!.parentId,
    user.get('dandelion'),
    'a new class under the user class',
  );
  assert.equal(byLabel.get('oxeye daisy')!.byDefault!.parentId, DAISY);
  // labels with no overlap get no proposal, and every default says why
  assert.deepEqual(byLabel.get('monkshood')!.proposals, []);
  assert.ok(report.every((r) => r.byDefault && r.byDefault.reason && r.problem === null));
  const overlapping = report
    .filter((r) => r.proposals.length)
    .map((r) => `${r.label} → ${r.proposals[0].name} (${r.proposals[0].reason})`);
  console.log(overlapping.join('\n'));
});

test('labels that are the same class are each reported with the problem, not a default', async () => {
  const report = await nameOverlap(prisma, v2, await datasetVersion(['rose', 'roses', 'tulip']));
  const byLabel = new Map(report.map((r) => [r.label, r]));
  assert.match(byLabel.get('rose')!.problem!, /same class as "roses"/);
  assert.match(byLabel.get('roses')!.problem!, /same class as "rose"/);
  assert.equal(byLabel.get('tulip')!.problem, null);
  assert.equal(byLabel.get('tulip')!.byDefault!.decision, 'merge');
});

test('decisions: merge into a named class, new class under a named parent, parent of old classes, teach to win', async () => {
  const labels = ['sunflower', 'mountain', 'buildings', 'glacier', 'sea'];
  const dv = await datasetVersion(labels);
  const submitted: string[] = [];
  const runner = { submit: async (id: string) => void submitted.push(id), cancel: async () => {} };
  const { version, classes } = await createModelVersion(
    { prisma, runner },
    {
      parentVersionId: v2,
      datasetVersionId: dv,
      strategy: 'guarded',
      classes: [
        { label: 'sunflower', mergeIntoClassId: user.get('sunflowers') },
        { label: 'mountain', parentOfClassIds: [ALP, VALLEY] },
        { label: 'buildings', winsOverClassIds: [imagenetNodeId('n03781244') /* monastery */] },
        { label: 'glacier' },
        { label: 'sea', parentClassId: imagenetNodeId('n09287968') /* geological formation */ },
      ],
    },
  );
  assert.equal(submitted.length, 1);
  const byLabel = new Map(classes.map((c) => [c.label, c]));
  assert.deepEqual([byLabel.get('sunflower')!.resolution, byLabel.get('sunflower')!.outputUnit], ['MERGE', 1002]);
  assert.equal(byLabel.get('mountain')!.classNode.wnid, 'n09359803', 'the name is the WordNet synset mountain');
  assert.equal(byLabel.get('buildings')!.classNode.name, 'building');
  const units = new Map(
    (await prisma.versionClass.findMany({ where: { versionId: v2 } })).map((u) => [u.classNodeId, u.outputUnit]),
  );
  const params = (await prisma.modelVersion.findUniqueOrThrow({ where: { id: version.id } })).params as Record<
    string,
    unknown
  >;
  assert.deepEqual(params.labelDecisions, {
    mountain: { descendants: [units.get(ALP), units.get(VALLEY)] },
    buildings: { winsOver: [units.get(imagenetNodeId('n03781244'))] },
  });
  const record = readGrowthParams(params).decisions;
  assert.deepEqual(
    record.map((d) => [d.label, d.decision, d.reason, d.byDefault]),
    [
      ['sunflower', 'merge', 'caller', false],
      ['mountain', 'new', 'same name', false],
      ['buildings', 'new', 'plural/singular', false],
      ['glacier', 'new', 'WordNet sense', true],
      ['sea', 'new', 'caller', false],
    ],
  );
  assert.deepEqual(record[1].parentOf, [ALP, VALLEY]);
  assert.equal(record[3].parentId, imagenetNodeId('n09287968'), 'glacier under geological formation by default');
  assert.equal(record[4].parentId, imagenetNodeId('n09287968'));
  // the roll-up served by predict and written to taxonomy.json: alp and valley roll up to mountain (declared;
  // alp also sits under the mountain synset), the user classes under their taxonomy ancestors that are classes
  const parentUnits = await prisma.versionClass.findMany({
    where: { versionId: v2 },
    select: { outputUnit: true, classNodeId: true },
  });
  const newUnits = classes
    .filter((c) => c.resolution === 'NEW')
    .map((c, i) => ({ outputUnit: 1004 + i, classNodeId: c.classNode.id }));
  const chains = new Map(
    (await versionClassChains(prisma, version.id, [...parentUnits, ...newUnits])).map((c) => [c.unit, c]),
  );
  const mountainUnit = newUnits.find((u) => u.classNodeId === byLabel.get('mountain')!.classNode.id)!.outputUnit;
  assert.deepEqual(chains.get(units.get(ALP)!)!.rollsUpTo, [mountainUnit]);
  assert.deepEqual(
    chains.get(units.get(VALLEY)!)!.rollsUpTo,
    [mountainUnit],
    'declared: valley is not under mountain in WordNet',
  );
  assert.deepEqual(
    chains.get(units.get(imagenetNodeId('n03028079'))!)!.rollsUpTo.map((u) => chains.get(u)!.name),
    ['building'],
    'church < building',
  );
  assert.deepEqual(
    chains.get(units.get(imagenetNodeId('n03781244'))!)!.rollsUpTo,
    [],
    'monastery: taught to lose, not declared a descendant',
  );
  assert.deepEqual(chains.get(units.get(ALP)!)!.path.slice(-2), ['mountain', 'alp']);
  // decisions name classes of the parent version only, and only for new classes
  const bad = (c: Record<string, unknown>) =>
    resolveLabels(prisma, v2, [{ label: 'x', ...c }]).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
  assert.match(
    await bad({ label: 'mountain', parentOfClassIds: [imagenetNodeId('n09287968')] }),
    /not a class of the parent version/,
  );
  assert.match(await bad({ label: 'rose', winsOverClassIds: [ALP] }), /merged into an existing class/);
});

const CRANE_BIRD = imagenetNodeId('n02012849'); // unit 134
const noRunner = { submit: async () => {}, cancel: async () => {} };
/** The refusal of a promise as [code, details.reason] (or 'accepted'). */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: RegistryError) => [e.code, e.details?.reason],
  );
/** Ends v2's queued jobs, so that the next createModelVersion from v2 is not refused for an active job. */
const settle = () => prisma.trainingJob.updateMany({ where: { status: 'QUEUED' }, data: { status: 'CANCELLED' } });

test('an ambiguous name (crane: bird 134 or machine 517) is a problem listing both, never a silent merge', async () => {
  const dv = await datasetVersion(['crane', 'maillot', 'tulip']);
  const report = new Map((await nameOverlap(prisma, v2, dv)).map((r) => [r.label, r]));
  const crane = report.get('crane')!;
  assert.deepEqual(crane.proposals.map((p) => [p.outputUnit, p.reason, p.relation]).sort(), [
    [134, 'same name', 'is'],
    [517, 'same name', 'is'],
  ]);
  assert.equal(crane.byDefault, null, 'no default picks one of them');
  assert.equal(crane.problemCode, 'AMBIGUOUS_NAME');
  assert.match(crane.problem!, /unit 134.*unit 517|unit 517.*unit 134/);
  assert.equal(report.get('maillot')!.problemCode, 'AMBIGUOUS_NAME');
  assert.equal(report.get('tulip')!.problem, null);

  // the mutation refuses the same label with the same code, naming the candidates
  await settle();
  const grow = (classes: ClassToAdd[]) =>
    createModelVersion(
      { prisma, runner: noRunner },
      { parentVersionId: v2, datasetVersionId: dv, strategy: 'guarded', classes },
    );
  const e = await grow([{ label: 'crane' }, { label: 'tulip' }]).catch((x: RegistryError) => x);
  assert.ok(e instanceof RegistryError);
  assert.deepEqual([e.code, e.details?.reason], ['BAD_INPUT', 'AMBIGUOUS_NAME']);
  assert.deepEqual((e.details!.candidates as { outputUnit: number }[]).map((c) => c.outputUnit).sort(), [134, 517]);
  assert.deepEqual(await refusal(grow([{ label: 'crane', resolution: 'MERGE' }])), ['BAD_INPUT', 'AMBIGUOUS_NAME']);

  // the caller's decision works: merge into the bird, or a class of its own
  const { classes } = await grow([{ label: 'crane', mergeIntoClassId: CRANE_BIRD }]);
  assert.deepEqual([classes[0].resolution, classes[0].outputUnit], ['MERGE', 134]);
  // a class of its own needs a name of its own: a third "crane" unit would be told apart by nobody
  assert.deepEqual(
    await resolveLabels(prisma, v2, [{ label: 'crane', resolution: 'NEW' }]).catch((x: RegistryError) => [
      x.code,
      x.details?.reason,
    ]),
    ['CONFLICT', 'DUPLICATE_NAME'],
  );
  const [fresh] = await resolveLabels(prisma, v2, [{ label: 'crane', resolution: 'NEW', name: 'crane sculpture' }]);
  assert.deepEqual([fresh.resolution, fresh.create?.name], ['NEW', 'crane sculpture']);
  await settle();
});

test('a new class may not take the name of a class the parent version has: merge, or name it apart', async () => {
  // "daisy" is ImageNet's unit 985 in the parent: a second "daisy" unit would be told apart by nobody
  const e = await resolveLabels(prisma, v2, [{ label: 'daisy', resolution: 'NEW' }]).catch((x: RegistryError) => x);
  assert.ok(e instanceof RegistryError);
  assert.deepEqual([e.code, e.details?.reason], ['CONFLICT', 'DUPLICATE_NAME']);
  assert.match(e.message, /already has a class "daisy" \(unit 985\).*name of its own/);
  const [named] = await resolveLabels(prisma, v2, [{ label: 'daisy', resolution: 'NEW', name: 'white daisy' }]);
  assert.deepEqual([named.resolution, named.create?.name], ['NEW', 'white daisy']);
  const [merged] = await resolveLabels(prisma, v2, [{ label: 'daisy' }]);
  assert.deepEqual([merged.resolution, merged.outputUnit], ['MERGE', 985]);
});

test('labels the mutation refuses for their names are problems in the report too, with the same codes', async () => {
  const [nfc, nfd] = ['caf\u00e9', 'cafe\u0301'];
  const dv = await datasetVersion(['Widget', 'widget', nfc, nfd, '.', '..', '\u{1F338}', 'tulip']);
  const report = new Map((await nameOverlap(prisma, v2, dv)).map((r) => [r.label, r]));
  const codes = Object.fromEntries([...report].map(([label, r]) => [label, r.problemCode]));
  assert.deepEqual(codes, {
    Widget: 'DUPLICATE_NAME',
    widget: 'DUPLICATE_NAME',
    [nfc]: 'DUPLICATE_NAME',
    [nfd]: 'DUPLICATE_NAME',
    '.': 'INVALID_NAME',
    '..': 'INVALID_NAME',
    '\u{1F338}': 'INVALID_NAME',
    tulip: null,
  });
  assert.match(report.get('widget')!.problem!, /"[wW]idget" and "[wW]idget" are the same ignoring case/);
  assert.match(report.get('.')!.problem!, /no letters or digits/);
  assert.ok([...report.values()].every((r) => (r.problemCode === null) === (r.byDefault !== null)));

  // the mutation refuses them with the same details.reason
  await settle();
  const grow = (classes: ClassToAdd[]) =>
    refusal(
      createModelVersion(
        { prisma, runner: noRunner },
        { parentVersionId: v2, datasetVersionId: dv, strategy: 'guarded', classes },
      ),
    );
  assert.deepEqual(await grow([{ label: 'tulip' }, { label: 'Widget' }, { label: 'widget' }]), [
    'CONFLICT',
    'DUPLICATE_NAME',
  ]);
  assert.deepEqual(await grow([{ label: nfc }, { label: nfd }]), ['CONFLICT', 'DUPLICATE_NAME']);
  assert.deepEqual(await grow([{ label: '..' }]), ['BAD_INPUT', 'INVALID_NAME']);
  // a name given by the caller is what becomes the class: that settles both
  const named = await resolveLabels(prisma, v2, [
    { label: '.', name: 'dot' },
    { label: 'Widget', name: 'big widget' },
    { label: 'widget' },
  ]);
  assert.deepEqual(
    named.map((r) => r.create?.name),
    ['dot', 'big widget', 'widget'],
  );
});

test('a growth retried after a cancelled or failed one uses the class that attempt made, not a twin', async () => {
  const NAME = 'garden gnome';
  const dv = await datasetVersion([NAME]);
  const userNodes = () =>
    prisma.classNode.findMany({ where: { name: NAME, origin: 'USER' }, select: { id: true, parentId: true } });
  const grow = (parentClassId?: string) =>
    createModelVersion(
      { prisma, runner: noRunner },
      {
        parentVersionId: v2,
        datasetVersionId: dv,
        strategy: 'guarded',
        classes: [{ label: NAME, resolution: 'NEW', name: NAME, ...(parentClassId ? { parentClassId } : {}) }],
      },
    );
  /** How the job runner ends a job without a version (libs/jobs endJob): job and version, in one transaction. */
  const end = (versionId: string, status: 'CANCELLED' | 'FAILED') =>
    prisma.$transaction([
      prisma.trainingJob.updateMany({ where: { versionId }, data: { status } }),
      prisma.modelVersion.update({ where: { id: versionId }, data: { status } }),
    ]);
  await settle();

  const first = await grow();
  const made = first.classes[0].classNode.id;
  await end(first.version.id, 'CANCELLED');
  // the name now files under that class, which the retry takes
  const retry = await grow();
  assert.equal(retry.classes[0].classNode.id, made);
  await end(retry.version.id, 'FAILED');
  // filed under a parent the caller names: the unused class moves there instead of a twin being made
  const placed = await grow(DAISY);
  assert.equal(placed.classes[0].classNode.id, made);
  assert.deepEqual(await userNodes(), [{ id: made, parentId: DAISY }], 'one "garden gnome"');
  await settle();
});
