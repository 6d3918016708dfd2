// Growth at the story's scale over HTTP against a real server: v2 = base + 5 flowers (defaults), then an Oxford 102
// subset whose names and images overlap v2's classes: the overlap reports (names with reasons, what the parent answers
// on each label's images), v3 grown with one label per choice (merge into X, new class under Y, parent of the old
// class answering it, teach to win, defaults), then predict's roll-up and the exported class → parent chain.
// Small real data (16/4 flowers and 10/3 Oxford images per class) to keep it fast. PGlite, or PostgreSQL with
// ACCRETE_TEST_DB=postgres.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as registry from '@accrete/registry';
import { DEFAULT_TAKEOVER_SHARE } from '@accrete/trainer';
import { CLASS_NODE_TTL_MS, setClassNodeCacheTiming } from '@accrete/taxonomy-store';
import { startTestApi, ok, codeOf, FLOWERS, SHARED, type TestApi } from './harness.js';
import { checkExport, type ApiPrediction } from './export-check.js';

const OXFORD = join(SHARED, 'datasets/oxford102');
const FLOWER_CLASSES = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];
const OXFORD_LABELS = ['sunflower', 'rose', 'common dandelion', 'oxeye daisy', 'barbeton daisy', 'pink primrose'];

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(() => api?.close());

async function copy(from: string, to: string, n: number, skip = 0) {
  await mkdir(to, { recursive: true });
  for (const f of (await readdir(from)).sort().slice(skip, skip + n)) await cp(join(from, f), join(to, f));
}

async function importFolder(name: string, dir: string): Promise<{ id: string; classCounts: { label: string }[] }> {
  const ds = ok(await api.gql(`mutation($n: String!) { createDataset(input: { name: $n }) { id } }`, { n: name }))
    .createDataset.id;
  const imp = ok(
    await api.gql(
      `mutation($i: ImportDatasetInput!) { importDataset(input: $i) { rejected rejections { path reason } } }`,
      { i: { datasetId: ds, path: dir } },
    ),
  ).importDataset;
  assert.equal(imp.rejected, 0, JSON.stringify(imp.rejections));
  return ok(
    await api.gql(`mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id classCounts { label } } }`, { d: ds }),
  ).freezeDatasetVersion;
}

/** The base model's production version (v1). */
async function production(): Promise<string> {
  const base = ok(
    await api.gql(`{ model(name: "${api.config.baseModelName}") { aliases { name version { id } } } }`),
  ).model;
  return base.aliases.find((a: { name: string }) => a.name === 'production').version.id;
}

const CMV = `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) {
  version { id number } job { id } classes { label resolution outputUnit classNode { id name parent { name } } } } }`;

async function grow(input: Record<string, unknown>) {
  const created = ok(
    await api.gql(CMV, { i: { options: { augmentations: 1, seed: 1 }, ...input } }, api.tokens.editor),
  ).createModelVersion;
  await api.app.runner.idle();
  const job = ok(
    await api.gql(`query($id: ID!) { trainingJob(id: $id) { status error } }`, { id: created.job.id }),
  ).trainingJob;
  assert.equal(job.status, 'SUCCEEDED', job.error);
  return created;
}

test(
  'v2 + Oxford subset: overlap reports, per-label decisions, roll-up in predict and in the export',
  { timeout: 30 * 60_000 },
  async () => {
    const v1 = await production();

    // v2 = v1 + the five flowers with the defaults (daisy merged into ImageNet's daisy)
    const flowersDir = join(api.importRoot, 'flowers');
    for (const c of FLOWER_CLASSES) {
      await copy(join(FLOWERS, 'train', c), join(flowersDir, 'train', c), 16);
      await copy(join(FLOWERS, 'val', c), join(flowersDir, 'val', c), 4);
    }
    const flowers = await importFolder('flowers', flowersDir);
    const v2 = (
      await grow({
        parentVersionId: v1,
        datasetVersionId: flowers.id,
        classes: FLOWER_CLASSES.map((label) => ({ label })),
      })
    ).version;

    // the Oxford subset: train → train, valid → val
    const oxDir = join(api.importRoot, 'oxford');
    for (const c of OXFORD_LABELS) {
      await copy(join(OXFORD, 'train', c), join(oxDir, 'train', c), 10);
      await copy(join(OXFORD, 'valid', c), join(oxDir, 'val', c), 3);
    }
    const oxford = await importFolder('oxford', oxDir);
    assert.deepEqual(oxford.classCounts.map((c) => c.label).sort(), [...OXFORD_LABELS].sort());

    // 1. name overlaps, with reasons and the defaults
    const names = ok(
      await api.gql(
        `query($p: ID!, $d: ID!) { growthOverlap(parentVersionId: $p, datasetVersionId: $d) {
      label proposals { name reason relation outputUnit } byDefault { decision reason byDefault } } }`,
        { p: v2.id, d: oxford.id },
      ),
    ).growthOverlap;
    const proposal = (label: string) => {
      const r = names.find((x: { label: string }) => x.label === label);
      return [r.proposals[0]?.name, r.proposals[0]?.reason, r.byDefault.decision];
    };
    assert.deepEqual(proposal('sunflower'), ['sunflowers', 'plural/singular', 'merge']);
    assert.deepEqual(proposal('rose'), ['roses', 'plural/singular', 'merge']);
    assert.deepEqual(proposal('common dandelion'), ['dandelion', 'head noun', 'new']);
    assert.deepEqual(proposal('oxeye daisy'), ['daisy', 'head noun', 'new']);
    assert.deepEqual(proposal('pink primrose'), [undefined, undefined, 'new'], 'no class of v2 is a primrose');

    // 2. data overlap: computed in the background; the first answer comes at once
    const DATA = `query($p: ID!, $d: ID!) { dataOverlap(parentVersionId: $p, datasetVersionId: $d) {
      status done total error labels { label images answers { share outputUnit takenOverByDefault defaultTakeover defaultTakeoverNote classNode { name } } } } }`;
    const first = ok(await api.gql(DATA, { p: v2.id, d: oxford.id })).dataOverlap;
    assert.ok(['RUNNING', 'READY'].includes(first.status), first.status);
    await (
      await registry.dataOverlap(api.app.services, v2.id, oxford.id)
    ).settled; // wait on the computation, not the clock
    const data = ok(await api.gql(DATA, { p: v2.id, d: oxford.id })).dataOverlap;
    assert.equal(data.status, 'READY', data.error);
    assert.equal(data.labels.length, OXFORD_LABELS.length);
    for (const l of data.labels) {
      assert.equal(l.images, 10);
      assert.ok(l.answers.length >= 1 && l.answers.length <= 3);
      assert.ok(
        l.answers.every(
          (a: { share: number }, i: number) => a.share > 0 && (i === 0 || a.share <= l.answers[i - 1].share),
        ),
      );
    }
    const answersOf = (labels: { label: string; answers: unknown[] }[], label: string) =>
      labels.find((l) => l.label === label)!.answers as { share: number; classNode: { name: string } }[];
    // v2 answers sunflower photos with the sunflowers it learnt
    assert.equal(
      answersOf(data.labels, 'sunflower')[0].classNode.name,
      'sunflowers',
      JSON.stringify(answersOf(data.labels, 'sunflower')),
    );
    // ... and the report, like training, never takes over a class the request has images of: "sunflower" merges into
    // sunflowers by default, and v2's user classes (daisy merged, dandelion, roses, sunflowers, tulips) are fed again
    assert.ok(answersOf(data.labels, 'sunflower')[0].share >= DEFAULT_TAKEOVER_SHARE);
    type Answer = { share: number; takenOverByDefault: boolean; defaultTakeover: string; defaultTakeoverNote: string };
    // ... and says why: the label is merged, or (for the other labels) the request has images of the class
    const merged = answersOf(data.labels, 'sunflower')[0] as unknown as Answer;
    assert.equal(merged.defaultTakeover, 'LABEL_MERGED', JSON.stringify(merged));
    assert.match(merged.defaultTakeoverNote, /merged into an existing class/);
    const mergedByDefault = names
      .filter((n: { byDefault: { decision: string } }) => n.byDefault.decision === 'merge')
      .map((n: { label: string }) => n.label);
    assert.deepEqual(mergedByDefault.sort(), ['rose', 'sunflower']);
    for (const l of data.labels)
      for (const a of l.answers as (Answer & { classNode: { name: string } })[]) {
        if (FLOWER_CLASSES.includes(a.classNode.name))
          assert.equal(a.takenOverByDefault, false, `${l.label}: ${JSON.stringify(a)}`);
        if (FLOWER_CLASSES.includes(a.classNode.name))
          assert.equal(
            a.defaultTakeover,
            a.share < DEFAULT_TAKEOVER_SHARE
              ? 'BELOW_SHARE'
              : mergedByDefault.includes(l.label)
                ? 'LABEL_MERGED'
                : 'HAS_IMAGES',
            `${l.label}: ${JSON.stringify(a)}`,
          );
        assert.equal(a.takenOverByDefault, a.defaultTakeover === 'TAKEN_OVER', JSON.stringify(a));
      }
    // the ImageNet base (no training involved, so the same answer on every run) answers oxeye daisy photos mostly with daisy
    await (
      await registry.dataOverlap(api.app.services, v1, oxford.id)
    ).settled;
    const fromBase = ok(await api.gql(DATA, { p: v1, d: oxford.id })).dataOverlap;
    assert.equal(fromBase.status, 'READY', fromBase.error);
    assert.equal(
      answersOf(fromBase.labels, 'oxeye daisy')[0].classNode.name,
      'daisy',
      JSON.stringify(answersOf(fromBase.labels, 'oxeye daisy')),
    );
    assert.ok(
      answersOf(fromBase.labels, 'oxeye daisy')[0].share >= 0.5,
      JSON.stringify(answersOf(fromBase.labels, 'oxeye daisy')),
    );
    // ... which the trainer's default would let a new "oxeye daisy" win over (share ≥ 25 %), unless the request decides
    assert.equal(
      (answersOf(fromBase.labels, 'oxeye daisy')[0] as { takenOverByDefault?: boolean }).takenOverByDefault,
      true,
    );
    const wonOver = answersOf(fromBase.labels, 'oxeye daisy')[0] as unknown as Answer;
    assert.equal(wonOver.defaultTakeover, 'TAKEN_OVER');
    assert.match(wonOver.defaultTakeoverNote, /^won over by default: it answers 25 % or more/);

    // 3. v3 with one label per choice
    const idOf = async (name: string): Promise<string> =>
      ok(
        await api.gql(
          `query($id: ID!, $s: String!) { modelVersion(id: $id) { classes(first: 20, filter: { search: $s }) { nodes { classNode { id name } } } } }`,
          { id: v2.id, s: name },
        ),
      ).modelVersion.classes.nodes.find((c: { classNode: { name: string } }) => c.classNode.name === name).classNode.id;
    const flower = ok(
      await api.gql(`{ classNodes(first: 100, filter: { search: "flower" }) { nodes { id name wnid } } }`),
    ).classNodes.nodes.find((n: { wnid: string }) => n.wnid === 'n11669921');
    assert.ok(flower, 'the WordNet synset flower');
    const daisy = await idOf('daisy');
    const dandelion = await idOf('dandelion');
    const v3created = await grow({
      parentVersionId: v2.id,
      datasetVersionId: oxford.id,
      classes: [
        { label: 'sunflower' }, // default: merge into sunflowers
        { label: 'rose' }, // default: merge into roses
        { label: 'common dandelion', mergeIntoClassId: dandelion }, // merge into a named class
        { label: 'oxeye daisy', parentOfClassIds: [daisy] }, // parent of the old class answering it
        { label: 'barbeton daisy', winsOverClassIds: [daisy] }, // teach to win
        { label: 'pink primrose', parentClassId: flower.id }, // new class under a named parent
      ],
    });
    const cls = new Map(v3created.classes.map((c: { label: string }) => [c.label, c]));
    const summary = (label: string) => {
      const c = cls.get(label) as { resolution: string; classNode: { name: string; parent: { name: string } | null } };
      return [c.resolution, c.classNode.name, c.classNode.parent?.name];
    };
    assert.deepEqual(summary('sunflower'), ['MERGE', 'sunflowers', 'flower']);
    assert.deepEqual(summary('common dandelion'), ['MERGE', 'dandelion', 'vascular plant']);
    assert.deepEqual(summary('oxeye daisy'), ['NEW', 'oxeye daisy', 'flower'], 'above daisy, so not filed under it');
    assert.deepEqual(
      summary('barbeton daisy'),
      ['NEW', 'barbeton daisy', 'daisy'],
      'default placement: under its head noun',
    );
    assert.deepEqual(summary('pink primrose'), ['NEW', 'pink primrose', 'flower']);

    const v3 = ok(
      await api.gql(
        `query($id: ID!) { modelVersion(id: $id) { status classCount artifactUri
      growth { decisions { label decision reason byDefault parentOf winsOver } newLabels mergedLabels }
      evaluations { name validation { overall { top1 } leafTop1 leafOrDescendantTop1 newLabels { label count top1Leaf top1LeafOrDescendant descendants winsOver byDefault } } imagenetRetention { images takenOver { units images } } } } }`,
        { id: v3created.version.id },
      ),
    ).modelVersion;
    assert.deepEqual([v3.status, v3.classCount], ['READY', 1007]);
    assert.deepEqual(
      v3.growth.decisions.map(
        (d: { label: string; decision: string; reason: string; byDefault: boolean }) =>
          `${d.label}:${d.decision}:${d.reason}:${d.byDefault}`,
      ),
      [
        'sunflower:merge:plural/singular:true',
        'rose:merge:plural/singular:true',
        'common dandelion:merge:caller:false',
        'oxeye daisy:new:head noun:false',
        'barbeton daisy:new:head noun:false',
        'pink primrose:new:caller:false',
      ],
    );
    const dec = (label: string) => v3.growth.decisions.find((d: { label: string }) => d.label === label);
    assert.deepEqual([dec('oxeye daisy').parentOf, dec('barbeton daisy').winsOver], [[daisy], [daisy]]);
    // evaluation at the leaf and at "leaf or declared descendant": a daisy answer on oxeye daisy photos counts at the latter
    const val = v3.evaluations.find((e: { name: string }) => e.name === 'val').validation;
    assert.ok(val.leafTop1 !== null && val.leafOrDescendantTop1 >= val.leafTop1, JSON.stringify(val));
    const scoreOf = (label: string) => val.newLabels.find((l: { label: string }) => l.label === label);
    const daisyUnitOf = names.find((x: { label: string }) => x.label === 'oxeye daisy').proposals[0].outputUnit;
    assert.deepEqual([scoreOf('oxeye daisy').descendants, scoreOf('oxeye daisy').byDefault], [[daisyUnitOf], false]);
    assert.ok(scoreOf('oxeye daisy').top1LeafOrDescendant >= scoreOf('oxeye daisy').top1Leaf);
    assert.deepEqual([scoreOf('barbeton daisy').winsOver, scoreOf('barbeton daisy').byDefault], [[daisyUnitOf], false]);
    assert.equal(scoreOf('pink primrose').byDefault, true, 'no decision given: the trainer default applies');
    // retention: daisy, taken over by the user's choice, is reported apart from the other old classes
    const retention = v3.evaluations.find((e: { name: string }) => e.name === 'imagenet-retention').imagenetRetention;
    assert.ok(retention.takenOver.units.includes(daisyUnitOf), JSON.stringify(retention.takenOver));

    // 4. predict: beside each leaf, the classes of the version it rolls up to
    const PREDICT = `query($i: PredictInput!) { predict(input: $i) { classes { label outputUnit rollsUpTo } } }`;
    const daisyPhoto = join(FLOWERS, 'val/daisy', (await readdir(join(FLOWERS, 'val/daisy'))).sort()[20]);
    const p = ok(
      await api.gql(PREDICT, {
        i: { versionId: v3created.version.id, imageBase64: (await readFile(daisyPhoto)).toString('base64'), topK: 10 },
      }),
    ).predict;
    const asDaisy = p.classes.find((c: { label: string }) => c.label === 'daisy');
    assert.ok(asDaisy, `daisy not in the top 10: ${JSON.stringify(p.classes)}`);
    assert.deepEqual(asDaisy.rollsUpTo, ['oxeye daisy'], 'declared: daisy rolls up to oxeye daisy');
    for (const c of p.classes) if (c.label === 'barbeton daisy') assert.deepEqual(c.rollsUpTo, ['daisy']);

    // 5. the export: taxonomy.json beside labels.json, with the same chain, hashed in the manifest
    const manifest = JSON.parse(await readFile(join(v3.artifactUri, 'manifest.json'), 'utf8'));
    assert.ok(manifest.files['taxonomy.json']);
    const taxonomy = JSON.parse(await readFile(join(v3.artifactUri, 'taxonomy.json'), 'utf8'));
    const labels = JSON.parse(await readFile(join(v3.artifactUri, 'labels.json'), 'utf8'));
    assert.equal(taxonomy.classes.length, labels.length);
    const unitOf = (name: string) => taxonomy.classes.find((c: { name: string }) => c.name === name).unit;
    const chain = (name: string) => taxonomy.classes.find((c: { name: string }) => c.name === name);
    assert.deepEqual(chain('daisy').rollsUpTo, [unitOf('oxeye daisy')]);
    assert.deepEqual(chain('barbeton daisy').rollsUpTo, [unitOf('daisy')]);
    assert.deepEqual(chain('pink primrose').path.slice(-2), ['flower', 'pink primrose']);

    // 6. the exported v3 (a grown child of a grown version) stands alone and answers as predict does, and its
    //    class → parent chain says what predict's roll-up says
    const PREDICT_FULL = `query($i: PredictInput!) { predict(input: $i) {
      classes { label outputUnit probability rollsUpTo taxonomyPath } } }`;
    const daisyBytes = await readFile(daisyPhoto);
    const atV3 = async () =>
      ok(
        await api.gql(PREDICT_FULL, {
          i: { versionId: v3created.version.id, imageBase64: daisyBytes.toString('base64'), topK: 10 },
        }),
      ).predict.classes as { label: string; outputUnit: number; rollsUpTo: string[]; taxonomyPath: string[] }[];
    const answered = await atV3();
    const exported = ok(
      await api.gql(`query($id: ID!) { modelVersion(id: $id) { number exportUrl artifactSha256 } }`, {
        id: v3created.version.id,
      }),
    ).modelVersion;
    await checkExport({
      url: `${api.url}${exported.exportUrl}`,
      token: api.tokens.reader,
      into: await mkdtemp(join(tmpdir(), 'accrete-export-v3-')),
      folder: `${api.config.baseModelName}-v${exported.number}`,
      artifactSha256: exported.artifactSha256,
      image: daisyBytes,
      apiClasses: answered as unknown as ApiPrediction[],
    });
    const nameOfUnit = (u: number) => taxonomy.classes.find((c: { unit: number }) => c.unit === u).name;
    for (const c of answered) {
      const t = taxonomy.classes.find((x: { unit: number }) => x.unit === c.outputUnit);
      assert.deepEqual(t.rollsUpTo.map(nameOfUnit), c.rollsUpTo, `${c.label}: taxonomy.json and predict roll up alike`);
      assert.deepEqual(t.path, c.taxonomyPath, c.label);
    }

    // 7. taxonomy edits after v3 exists: predict's roll-up names the classes as they are now, like its labels and
    //    paths (the export keeps the names of its publication, sha256-pinned)
    const nodeOf = (label: string) => (cls.get(label) as { classNode: { id: string } }).classNode.id;
    const oxeye = nodeOf('oxeye daisy');
    ok(
      await api.gql(`mutation($i: RenameClassInput!) { renameClass(input: $i) { name } }`, {
        i: { id: oxeye, name: 'marguerite oxeye' },
      }),
    );
    const renamed = await atV3();
    const daisyNow = renamed.find((c) => c.label === 'daisy')!;
    assert.deepEqual(daisyNow.rollsUpTo, ['marguerite oxeye'], 'the roll-up names the renamed class by its new name');
    for (const c of renamed) for (const up of c.rollsUpTo) assert.ok(!/^oxeye daisy$/.test(up), JSON.stringify(c));
    // a user class moved under another class of v3 now rolls up to it, as its path says
    const barbeton = nodeOf('barbeton daisy');
    const primrose = nodeOf('pink primrose');
    ok(
      await api.gql(`mutation($i: MoveClassInput!) { moveClass(input: $i) { id } }`, {
        i: { id: primrose, parentId: barbeton },
      }),
    );
    const primroseImage = (
      await readFile(
        join(OXFORD, 'valid', 'pink primrose', (await readdir(join(OXFORD, 'valid', 'pink primrose'))).sort()[0]),
      )
    ).toString('base64');
    const predictAtV3 = async (imageBase64: string) =>
      ok(await api.gql(PREDICT_FULL, { i: { versionId: v3created.version.id, imageBase64, topK: 10 } })).predict
        .classes as { label: string; rollsUpTo: string[]; taxonomyPath: string[] }[];
    const moved = await predictAtV3(primroseImage);
    const primroseNow = moved.find((c) => c.label === 'pink primrose');
    assert.ok(primroseNow, JSON.stringify(moved));
    assert.deepEqual(primroseNow.taxonomyPath.slice(-2), ['barbeton daisy', 'pink primrose']);
    assert.equal(primroseNow.rollsUpTo[0], 'barbeton daisy', JSON.stringify(primroseNow));
    // another process's edit (a row written without this process's invalidation, as a second API would) reaches
    // the roll-up when it reaches the label: once the class-node cache's TTL has passed (injected clock) and its
    // revalidation has run
    let now = Date.now();
    const timing = setClassNodeCacheTiming({ now: () => now });
    try {
      await api.db.prisma.classNode.update({ where: { id: barbeton }, data: { name: 'barberton daisy' } });
      now += CLASS_NODE_TTL_MS + 1;
      await predictAtV3(primroseImage); // served from the cache while it revalidates
      await api.classNodesSettled();
      const later = (await predictAtV3(primroseImage)).find((c) => c.label === 'pink primrose');
      assert.deepEqual(later?.taxonomyPath.slice(-2), ['barberton daisy', 'pink primrose'], JSON.stringify(later));
      assert.equal(later?.rollsUpTo[0], 'barberton daisy', JSON.stringify(later));
    } finally {
      setClassNodeCacheTiming(timing);
    }
  },
);

test(
  'views, a growth option over HTTP: refused when unknown, used and recorded when given',
  { timeout: 10 * 60_000 },
  async () => {
    const v1 = await production();
    const dir = join(api.importRoot, 'views');
    await copy(join(FLOWERS, 'train', 'tulips'), join(dir, 'train', 'tulips'), 8);
    await copy(join(FLOWERS, 'val', 'tulips'), join(dir, 'val', 'tulips'), 2);
    const tulips = await importFolder('views-tulips', dir);
    const input = { parentVersionId: v1, datasetVersionId: tulips.id, classes: [{ label: 'tulips' }] };

    const jobs = async () => ok(await api.gql(`{ trainingJobs { totalCount } }`)).trainingJobs.totalCount as number;
    const jobsBefore = await jobs();
    const bad = await api.gql(CMV, { i: { ...input, options: { views: 'sideways' } } }, api.tokens.editor);
    assert.equal(codeOf(bad), 'BAD_INPUT');
    assert.match(bad.errors![0].message, /unknown views "sideways"; one of feature-map, mirror-and-map, image/);
    assert.deepEqual(ok(await api.gql(`{ growthViewKinds }`)).growthViewKinds, [
      'feature-map',
      'mirror-and-map',
      'image',
    ]);
    assert.equal(await jobs(), jobsBefore, 'a refused request starts no job');

    // the mirror-and-map views have a cache namespace of their own: seeing it appear shows the option reached the trainer
    const namespaces = async () => readdir(api.config.paths.bottlenecks).catch(() => [] as string[]);
    assert.ok(!(await namespaces()).some((d) => d.endsWith('-mv1')), JSON.stringify(await namespaces()));
    const created = await grow({ ...input, options: { views: 'mirror-and-map', augmentations: 1, seed: 1 } });
    assert.ok(
      (await namespaces()).some((d) => d.endsWith('-mv1')),
      JSON.stringify(await namespaces()),
    );
    const v = ok(
      await api.gql(`query($id: ID!) { modelVersion(id: $id) { status growth { options { views augmentations } } } }`, {
        id: created.version.id,
      }),
    ).modelVersion;
    assert.deepEqual(
      [v.status, v.growth.options.views, v.growth.options.augmentations],
      ['READY', 'mirror-and-map', 1],
    );
  },
);

test(
  'a renamed user class keeps its new name in its children: labels.json, taxonomy.json and a new class of the freed name',
  { timeout: 10 * 60_000 },
  async () => {
    const v1 = await production();
    const dir = join(api.importRoot, 'renamed');
    await copy(join(OXFORD, 'train', 'tree poppy'), join(dir, 'train', 'tree poppy'), 8);
    await copy(join(OXFORD, 'valid', 'tree poppy'), join(dir, 'val', 'tree poppy'), 2);
    const poppies = await importFolder('renamed-poppies', dir);
    const first = await grow({ parentVersionId: v1, datasetVersionId: poppies.id, classes: [{ label: 'tree poppy' }] });
    const old = first.classes[0] as { outputUnit: number; classNode: { id: string } };
    ok(
      await api.gql(`mutation($i: RenameClassInput!) { renameClass(input: $i) { name } }`, {
        i: { id: old.classNode.id, name: 'poppy of trees' },
      }),
    );
    // the freed name is no class now: the same label grows a new class of that name beside the renamed one
    const second = await grow({
      parentVersionId: first.version.id,
      datasetVersionId: poppies.id,
      classes: [{ label: 'tree poppy' }],
    });
    const fresh = second.classes[0] as { outputUnit: number; resolution: string; classNode: { name: string } };
    assert.deepEqual([fresh.resolution, fresh.classNode.name], ['NEW', 'tree poppy']);
    assert.notEqual(fresh.outputUnit, old.outputUnit);

    const v = ok(
      await api.gql(`query($id: ID!) { modelVersion(id: $id) { artifactUri } }`, { id: second.version.id }),
    ).modelVersion;
    const labels = JSON.parse(await readFile(join(v.artifactUri, 'labels.json'), 'utf8')) as string[];
    const taxonomy = JSON.parse(await readFile(join(v.artifactUri, 'taxonomy.json'), 'utf8'));
    assert.equal(labels[old.outputUnit], 'poppy of trees', 'the renamed class is called by its name today');
    assert.equal(labels[fresh.outputUnit], 'tree poppy');
    assert.equal(labels.filter((l) => l === 'tree poppy').length, 1, 'one unit per name');
    for (const c of taxonomy.classes as { unit: number; name: string }[])
      if (c.unit >= 1000) assert.equal(labels[c.unit], c.name, `unit ${c.unit}: labels.json and taxonomy.json agree`);
  },
);
