// The whole story over HTTP against a real server: base model registered on start → import flowers (a subset:
// 80 train + 10 val images per class, copied into an allowed import root, to keep CI fast) → grow v2 with the
// 5 flower classes (daisy merges into ImageNet's daisy) → READY with evaluation → predict a sunflower and a
// panda by alias "production" → promote v2 → rollbackAlias → the same request is served by v1 again.
// Runs on PGlite, or on PostgreSQL with ACCRETE_TEST_DB=postgres.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { execute, parse } from 'graphql';
import { stepBarrier, type StepBarrier } from '@accrete/jobs/testing';
import { startTestApi, ok, codeOf, FLOWERS, PANDA, type TestApi } from './harness.js';
import { collectIds, rootQueries } from './full-selection.js';
import { getSchema } from '../src/schema/build.js';
import { createJitExecutor } from '../src/jit-executor.js';
import { createContext } from '../src/context.js';

const CLASSES = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];
const TRAIN_PER_CLASS = 80;
const VAL_PER_CLASS = 10;

let api: TestApi;
/** When set, training jobs wait at its step until released (step 10 holds a job to cancel another meanwhile). */
let hold: StepBarrier | null = null;
before(async () => {
  api = await startTestApi({}, { onJobStep: (jobId, step) => hold?.hook(jobId, step) });
});
after(() => api?.close());

async function copySubset(root: string) {
  for (const [split, n] of [
    ['train', TRAIN_PER_CLASS],
    ['val', VAL_PER_CLASS],
  ] as const) {
    for (const cls of CLASSES) {
      const from = join(FLOWERS, split, cls);
      await mkdir(join(root, split, cls), { recursive: true });
      for (const f of (await readdir(from)).sort().slice(0, n)) await cp(join(from, f), join(root, split, cls, f));
    }
  }
}

/** Sunflower photos the version never saw (beyond the imported val subset). */
async function unseenSunflowers(n: number) {
  const dir = join(FLOWERS, 'val/sunflowers');
  const names = (await readdir(dir)).sort().slice(VAL_PER_CLASS, VAL_PER_CLASS + n);
  return Promise.all(
    names.map(async (f) => ({ imageBase64: (await readFile(join(dir, f))).toString('base64'), topK: 3 })),
  );
}

const PREDICT = `query($i: PredictInput!) { predict(input: $i) { alias version { number } classes { label outputUnit probability taxonomyPath } } }`;

/** The story, run once for the tests that need it (the parity test reads the state it leaves), whichever runs first. */
let storyRun: Promise<void> | undefined;
const story = () => (storyRun ??= runStory());

test('register base → import → grow v2 → predict by alias → promote → roll back', { timeout: 20 * 60_000 }, () =>
  story(),
);

async function runStory(): Promise<void> {
  // 1. the base model was registered on start
  const health = await (await fetch(`${api.url}/health`)).json();
  assert.equal(health.status, 'ok');
  assert.equal(health.modelVersions, 1);
  assert.equal(health.baseVersionClasses, 1000);
  const base = ok(
    await api.gql(`{ model(name: "${api.config.baseModelName}") { id aliases { name version { id number } } } }`),
  ).model;
  const v1 = base.aliases.find((a: { name: string }) => a.name === 'production').version;
  assert.equal(v1.number, 1);

  // 2. import the flowers subset and freeze it
  const dir = join(api.importRoot, 'flowers');
  await copySubset(dir);
  const ds = ok(
    await api.gql(`mutation { createDataset(input: { name: "flowers", description: "tf_flowers subset" }) { id } }`),
  ).createDataset.id;
  const imp = ok(
    await api.gql(
      `mutation($i: ImportDatasetInput!) { importDataset(input: $i) { accepted duplicates rejected rejections { path reason } } }`,
      { i: { datasetId: ds, path: dir } },
    ),
  ).importDataset;
  assert.equal(imp.rejected, 0, JSON.stringify(imp.rejections));
  // tf_flowers has a few byte-identical photos: they are counted as duplicates, stored once
  assert.equal(imp.accepted + imp.duplicates, CLASSES.length * (TRAIN_PER_CLASS + VAL_PER_CLASS));
  assert.ok(imp.duplicates < 5, `${imp.duplicates} duplicates`);
  const dv = ok(
    await api.gql(
      `mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id number classCounts { label train val } } }`,
      { d: ds },
    ),
  ).freezeDatasetVersion;
  assert.deepEqual(
    dv.classCounts.map((c: { label: string }) => c.label),
    CLASSES,
  );
  assert.equal(
    dv.classCounts.reduce((n: number, c: { train: number; val: number }) => n + c.train + c.val, 0),
    imp.accepted,
  );
  assert.ok(
    dv.classCounts.every(
      (c: { train: number; val: number }) => c.train >= TRAIN_PER_CLASS - 5 && c.val >= VAL_PER_CLASS - 5,
    ),
  );

  // 3. grow v2: returns at once with a queued job
  const cmv = `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) {
    version { id number status } job { id status } classes { label resolution outputUnit classNode { name wnid } } } }`;
  const input = {
    parentVersionId: v1.id,
    datasetVersionId: dv.id,
    classes: CLASSES.map((label) => ({ label })),
    options: { augmentations: 2, seed: 1 },
  };
  const created = ok(await api.gql(cmv, { i: input }, api.tokens.editor)).createModelVersion;
  assert.equal(created.version.number, 2);
  const daisy = created.classes.find((c: { label: string }) => c.label === 'daisy');
  assert.deepEqual([daisy.resolution, daisy.outputUnit, daisy.classNode.wnid], ['MERGE', 985, 'n11939491']);
  const added = created.classes.filter((c: { resolution: string }) => c.resolution === 'NEW');
  assert.deepEqual(
    added.map((c: { outputUnit: number }) => c.outputUnit),
    [1000, 1001, 1002, 1003],
  );
  // one active job per parent
  assert.equal(codeOf(await api.gql(cmv, { i: input }, api.tokens.editor)), 'CONFLICT');

  // 4. follow progress over graphql-ws until the job ends
  const client = createClient({
    url: `${api.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${api.tokens.reader}` },
  });
  const events: { status: string; phase: string; percent: number; etaSeconds: number | null; error: string | null }[] =
    [];
  for await (const r of client.iterate<{ trainingJobUpdated: (typeof events)[number] }>({
    query: `subscription($id: ID!) { trainingJobUpdated(id: $id) { status phase percent etaSeconds error } }`,
    variables: { id: created.job.id },
  })) {
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    events.push(r.data!.trainingJobUpdated);
  }
  await client.dispose();
  const last = events.at(-1)!;
  assert.equal(last.status, 'SUCCEEDED', `job ended ${last.status}: ${last.error}`);
  assert.ok(
    events.some((e) => e.status === 'RUNNING' && e.percent > 0),
    `no progress seen: ${JSON.stringify(events.slice(0, 5))}`,
  );

  // 5. v2 is READY with its classes and evaluation (polling gives the same row)
  const v2 = ok(
    await api.gql(
      `query($id: ID!) { modelVersion(id: $id) { id number status classCount readyAt artifactSha256
      latestJob { status percent } evaluations { name summary { name value } } classes(filter: { added: true }) { totalCount nodes { outputUnit classNode { name } } } } }`,
      { id: created.version.id },
    ),
  ).modelVersion;
  assert.equal(v2.status, 'READY');
  assert.equal(v2.classCount, 1004);
  assert.ok(v2.readyAt && v2.artifactSha256);
  assert.equal(v2.latestJob.status, 'SUCCEEDED');
  assert.equal(v2.classes.totalCount, 4);
  assert.ok(
    v2.evaluations.length >= 1 && v2.evaluations.every((e: { summary: unknown[] }) => e.summary.length > 0),
    JSON.stringify(v2.evaluations),
  );
  // the same reports, typed: what v2 was grown with, its val report, its ImageNet retention, the job's loss curve
  const typed = ok(
    await api.gql(
      `query($id: ID!) { modelVersion(id: $id) { growth { newLabels mergedLabels merges { label outputUnit classNode { name } } }
      evaluations { name validation { overall { count top1 } new { count } perClass { label support } images { label train val } parentLevel { count top1 } knobTradeoff { chosenKnob points { knob biasShift heldOutAccuracy heldOutChanged } } }
        imagenetRetention { images top1 parentTop1 retention agreement takenOver { units }
          sinceBase { images baseTop1 top1 dropPoints takenOverUnits } } }
      latestJob { losses { phase step loss } growth { newLabels } } } }`,
      { id: created.version.id },
    ),
  ).modelVersion;
  assert.deepEqual([...typed.growth.newLabels].sort(), ['dandelion', 'roses', 'sunflowers', 'tulips']);
  assert.deepEqual(
    typed.growth.merges.map((m: { label: string }) => m.label),
    ['daisy'],
  );
  assert.ok(typed.growth.merges[0].outputUnit < 1000, 'daisy merged into an ImageNet unit');
  assert.equal(typed.growth.merges[0].classNode.name, 'daisy', 'the class merged into, by name');
  const val = typed.evaluations.find((e: { name: string }) => e.name === 'val');
  assert.equal(val.validation.overall.count, CLASSES.length * VAL_PER_CLASS);
  assert.ok(val.validation.overall.top1 > 0.5, `val top-1 ${val.validation.overall.top1}`);
  assert.deepEqual(val.validation.images.map((i: { label: string }) => i.label).sort(), CLASSES);
  // roll-up at the taxonomy parent: every flower class has one now, and a parent-level hit includes the exact hits
  assert.equal(val.validation.parentLevel.count, val.validation.overall.count);
  assert.ok(val.validation.parentLevel.top1 >= val.validation.overall.top1, JSON.stringify(val.validation.parentLevel));
  assert.equal(val.imagenetRetention, null, 'the val evaluation has no retention report');
  // the knob's trade-off on this growth's held-out split: the default knob (0.5) among the five points, in order
  const knob = val.validation.knobTradeoff;
  assert.equal(knob.chosenKnob, 0.5);
  assert.deepEqual(
    knob.points.map((p: { knob: number }) => p.knob),
    [0, 0.25, 0.5, 0.75, 1],
  );
  assert.ok(
    knob.points.every(
      (p: { heldOutAccuracy: number; heldOutChanged: number }) =>
        p.heldOutAccuracy >= 0 && p.heldOutAccuracy <= 1 && p.heldOutChanged >= 0 && p.heldOutChanged <= 1,
    ),
    JSON.stringify(knob),
  );
  const ret = typed.evaluations.find((e: { name: string }) => e.name === 'imagenet-retention');
  assert.ok(
    ret.imagenetRetention.images > 0 && ret.imagenetRetention.retention > 0.8,
    JSON.stringify(ret.imagenetRetention),
  );
  assert.equal(ret.validation, null);
  // grown from the base, v2's figures since the base are its figures against its parent
  const r = ret.imagenetRetention;
  assert.deepEqual(
    [r.sinceBase.images, r.sinceBase.baseTop1, r.sinceBase.top1, r.sinceBase.takenOverUnits],
    [r.images, r.parentTop1, r.top1, r.takenOver?.units ?? []],
  );
  assert.ok(
    typed.latestJob.losses.length > 0 && typed.latestJob.losses.every((l: { loss: number }) => Number.isFinite(l.loss)),
  );
  assert.deepEqual(typed.latestJob.growth.newLabels, typed.growth.newLabels);

  // 6. production still serves v1: a sunflower is not one of its classes; the panda is
  const sunflowers = await unseenSunflowers(5);
  const panda = { imageBase64: (await readFile(PANDA)).toString('base64'), topK: 3 };
  const before = [];
  for (const i of sunflowers) before.push(ok(await api.gql(PREDICT, { i }, api.tokens.reader)).predict);
  assert.ok(before.every((p) => p.version.number === 1 && p.alias === 'production'));
  assert.ok(before.every((p) => p.classes[0].label !== 'sunflowers'));
  assert.equal(ok(await api.gql(PREDICT, { i: panda }, api.tokens.reader)).predict.classes[0].label, 'giant panda');

  // 7. promote v2: the sunflower is recognised, the panda still is
  ok(
    await api.gql(
      `mutation($i: SetAliasInput!) { setAlias(input: $i) { version { number } } }`,
      { i: { modelId: base.id, name: 'production', versionId: v2.id } },
      api.tokens.editor,
    ),
  );
  // (a few photos, not one: with 30 training images a photo with a bee on the flower may stay "bee")
  const after = [];
  for (const i of sunflowers) after.push(ok(await api.gql(PREDICT, { i }, api.tokens.reader)).predict);
  assert.ok(after.every((p) => p.version.number === 2 && p.alias === 'production'));
  const recognised = after.filter((p) => p.classes[0].label === 'sunflowers').length;
  assert.ok(
    recognised >= 4,
    `only ${recognised} of 5 sunflowers recognised: ${JSON.stringify(after.map((p) => p.classes[0]))}`,
  );
  const k = after.findIndex((p) => p.classes[0].label === 'sunflowers');
  // the new class was filed where WordNet puts sunflowers: under ImageNet's flower, beside daisy
  assert.deepEqual(after[k].classes[0].taxonomyPath.slice(-3), ['angiosperm', 'flower', 'sunflowers']);
  const p2 = ok(await api.gql(PREDICT, { i: panda }, api.tokens.reader)).predict;
  assert.equal(p2.version.number, 2);
  assert.equal(p2.classes[0].label, 'giant panda');
  assert.deepEqual(p2.classes[0].taxonomyPath.slice(-2), ['procyonid', 'giant panda']);

  // 8. roll back: the very same request is answered by v1 at once
  const rb = ok(
    await api.gql(
      `mutation($i: RollbackAliasInput!) { rollbackAlias(input: $i) { version { number } } }`,
      { i: { modelId: base.id, name: 'production' } },
      api.tokens.editor,
    ),
  );
  assert.equal(rb.rollbackAlias.version.number, 1);
  const s3 = ok(await api.gql(PREDICT, { i: sunflowers[k] }, api.tokens.reader)).predict;
  assert.equal(s3.version.number, 1);
  assert.deepEqual(s3.classes, before[k].classes);
  const history = ok(
    await api.gql(
      `query($m: ID!) { alias(modelId: $m, name: "production") { history { nodes { action actor toVersion { number } } } } }`,
      { m: base.id },
    ),
  ).alias.history.nodes;
  assert.deepEqual(
    history.map(
      (e: { action: string; actor: string; toVersion: { number: number } }) =>
        `${e.action}:${e.toVersion.number}:${e.actor}`,
    ),
    ['ROLLBACK:1:test-editor', 'SET:2:test-editor', 'SET:1:system'],
  );

  // 9. compare: 4 classes added, metric deltas present
  const cmp = ok(
    await api.gql(
      `query($a: ID!, $b: ID!) { compareVersions(a: $a, b: $b) { classesAdded { name } metricDeltas { evaluation metric delta } } }`,
      { a: v1.id, b: v2.id },
    ),
  ).compareVersions;
  assert.deepEqual(cmp.classesAdded.map((c: { name: string }) => c.name).sort(), [
    'dandelion',
    'roses',
    'sunflowers',
    'tulips',
  ]);
  assert.ok(cmp.metricDeltas.length > 0);

  // 10. cancel: with the in-process runner busy growing v3 from v2 (held at a step barrier), a job queued for v1
  // is cancelled before it starts; its version ends CANCELLED and a finished job cannot be cancelled again
  const grow = async (parentVersionId: string, label: string) =>
    ok(await api.gql(cmv, { i: { ...input, parentVersionId, classes: [{ label }] } }, api.tokens.editor))
      .createModelVersion;
  hold = stepBarrier('prepared');
  const busy = await grow(v2.id, 'tulips');
  assert.deepEqual(
    busy.classes.map((c: { resolution: string; outputUnit: number }) => [c.resolution, c.outputUnit]),
    [['MERGE', 1003]],
  );
  assert.equal(await hold.reached, busy.job.id);
  const queued = await grow(v1.id, 'roses');
  const cancelled = ok(
    await api.gql(
      `mutation($id: ID!) { cancelTrainingJob(id: $id) { status cancelRequested version { status } } }`,
      { id: queued.job.id },
      api.tokens.editor,
    ),
  ).cancelTrainingJob;
  assert.deepEqual(cancelled, { status: 'CANCELLED', cancelRequested: true, version: { status: 'CANCELLED' } });
  assert.equal(
    codeOf(
      await api.gql(
        `mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`,
        { id: queued.job.id },
        api.tokens.editor,
      ),
    ),
    'CONFLICT',
  );
  hold.release();
  hold = null;
  await api.app.runner.idle();
  const done = ok(
    await api.gql(`query($id: ID!) { trainingJob(id: $id) { status version { status classCount } } }`, {
      id: busy.job.id,
    }),
  ).trainingJob;
  assert.deepEqual(done, { status: 'SUCCEEDED', version: { status: 'READY', classCount: 1004 } });
}

// The API executes with graphql-jit (src/jit-executor.ts). On the state the story left (models, versions with
// evaluations, datasets, jobs, aliases, taxonomy), every field reachable from the root without other required
// arguments than an id must answer exactly as graphql-js's own executor does: data, errors, paths and locations.
test(
  'every readable field answers the same through the compiled executor as through graphql-js',
  { timeout: 20 * 60_000 },
  async () => {
    await story();
    const schema = await getSchema();
    const jit = createJitExecutor(schema);
    const viewer = { id: 'parity', name: 'parity', role: 'ADMIN' as const };
    const compare = async (field: string, query: string) => {
      const document = parse(query);
      const expected = JSON.parse(
        JSON.stringify(await execute({ schema, document, contextValue: createContext(api.app.services, viewer) })),
      );
      const actual = JSON.parse(
        JSON.stringify(await jit({ document, context: createContext(api.app.services, viewer), cacheKey: query })),
      );
      assert.deepEqual(actual, expected, `${field}: compiled and interpreted results differ`);
      return expected;
    };
    const ids = new Map<string, string>();
    const done = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      // pass 0: root fields without required arguments; pass 1: `x(id: ID!)` fields with ids those returned
      for (const { field, query } of rootQueries(schema, 3, ids)) {
        if (done.has(field)) continue;
        done.add(field);
        collectIds((await compare(field, query)).data, ids);
      }
    }
    for (const f of [
      'models',
      'modelVersions',
      'datasets',
      'trainingJobs',
      'modelVersion',
      'model',
      'dataset',
      'trainingJob',
    ]) {
      assert.ok(done.has(f), `root field ${f} was compared`);
    }
  },
);
