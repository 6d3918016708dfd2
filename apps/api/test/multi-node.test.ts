// The scale-out setup as operators run it: one API process (apps/api main, no worker) and two worker processes
// (apps/worker main), each with its own empty ACCRETE_DATA_DIR, sharing only a PostgreSQL database (created here)
// and an S3 endpoint (a real s3rver started here). Through the API's HTTP interface only: import a zip, train v2,
// predict, download the export. The worker running the job is SIGKILLed mid-job and replaced by a fresh worker
// process; the job completes exactly once. Waits are events: process output lines and the job's subscription.
// Runs only with ACCRETE_TEST_DB=postgres (pg-boss needs PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { createApiToken } from '@accrete/auth';
import type { DbHandle } from '@accrete/db';
import { createTestDatabase, skipUnlessPostgres } from '@accrete/db/testing';
import {
  rehearsalSlice,
  spawnWorkerProcess,
  stopAll,
  type SpawnedNode,
  type WorkerProcess,
} from '@accrete/jobs/testing';
import { startS3Server, type S3TestServer } from '@accrete/storage/testing';
import { checkExport } from './export-check.js';
import { CSRF_HEADER } from '../src/upload.js';
import { FLOWERS, REPO, SHARED, type GqlResult } from './harness.js';
import { makeZip } from '@accrete/datasets/testing';

const skip = skipUnlessPostgres();

let s3: S3TestServer;
let db: DbHandle;
let root: string;
let nodeEnv: Record<string, string>;
const procs: SpawnedNode[] = [];

/** A fresh, empty data directory for one node. */
async function emptyDataDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Starts apps/api main as its own process; resolves with its URL once it logs that it is ready. */
function spawnApi(dataDir: string): { proc: SpawnedNode; url: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps/api/src/main.ts')], {
    cwd: REPO,
    env: {
      ...process.env,
      ...nodeEnv,
      ACCRETE_DATA_DIR: dataDir,
      ACCRETE_HOST: '127.0.0.1',
      ACCRETE_API_PORT: '0',
      ACCRETE_RUN_WORKER: 'false',
      ACCRETE_OPEN_READS: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      for (const line of b.toString().split('\n').filter(Boolean)) {
        out.push(line);
        const m = /api: ready at (\S+)\/graphql/.exec(line);
        if (m) resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`api exited (${code}) before ready:\n${out.join('\n')}`)));
  });
  const proc = { name: 'api', child, out, exited };
  procs.push(proc);
  return { proc, url };
}

function spawnWorker(name: string, dataDir: string): WorkerProcess {
  const w = spawnWorkerProcess({
    name,
    repo: REPO,
    databaseUrl: db.url!,
    dataDir,
    config: { sharedDir: SHARED, rehearsalDir: nodeEnv.ACCRETE_REHEARSAL_DIR! },
    env: nodeEnv,
  });
  procs.push(w);
  return w;
}

before(async () => {
  if (skip) return;
  s3 = await startS3Server();
  db = await createTestDatabase();
  root = await mkdtemp(join(tmpdir(), 'accrete-multi-node-'));
  nodeEnv = {
    ...s3.env,
    ACCRETE_STORAGE_URL: `s3://${s3.bucket}/multi-node`,
    DATABASE_URL: db.url!,
    ACCRETE_JOBS: 'pgboss',
    ACCRETE_SHARED_DIR: SHARED,
    // a small rehearsal set keeps the job (and the API's one-time scoring of the base version) to seconds
    ACCRETE_REHEARSAL_DIR: await rehearsalSlice(join(root, 'rehearsal'), join(SHARED, 'datasets/imagenet-sample'), 12),
  };
});

after(async () => {
  await stopAll(procs);
  await db?.close();
  await s3?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

test(
  'API + 2 workers sharing only PostgreSQL and S3: import, train v2 (its worker SIGKILLed and replaced), predict, export',
  { skip, timeout: 20 * 60_000 },
  async (t) => {
    const api = spawnApi(await emptyDataDir('node-api'));
    const url = await api.url;
    const a = spawnWorker('A', await emptyDataDir('node-a'));
    const b = spawnWorker('B', await emptyDataDir('node-b'));
    const ids = new Map([
      [await a.workerId, a],
      [await b.workerId, b],
    ]);
    const editor = (await createApiToken(db.prisma, { name: 'multi-node-editor', role: 'EDITOR' })).token;
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const r = (await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${editor}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as GqlResult;
      assert.equal(r.errors, undefined, `${JSON.stringify(r.errors)}\n--- api\n${api.proc.out.slice(-40).join('\n')}`);
      return r.data;
    };

    // 1. import: a zip of {train,val}/<class>/ photos uploaded to the API (stored in the bucket)
    const entries: { name: string; data: Uint8Array }[] = [];
    for (const [split, n] of [
      ['train', 6],
      ['val', 2],
    ] as const)
      for (const cls of ['dandelion', 'tulips'])
        for (const f of (await readdir(join(FLOWERS, split, cls))).sort().slice(0, n))
          entries.push({ name: `${split}/${cls}/${f}`, data: await readFile(join(FLOWERS, split, cls, f)) });
    const ds = (await gql(`mutation { createDataset(input: { name: "multi-node" }) { id } }`)).createDataset.id;
    const form = new FormData();
    form.append('datasetId', ds);
    form.append('file', new Blob([new Uint8Array(makeZip(entries))]), 'flowers.zip');
    const up = await fetch(`${url}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}`, [CSRF_HEADER]: '1' },
      body: form,
    });
    const imported = (await up.json()) as { accepted: number; rejected: number };
    assert.equal(up.status, 200, JSON.stringify(imported));
    assert.deepEqual([imported.accepted, imported.rejected], [16, 0]);

    // 2. train v2 through the API; the worker that takes it is SIGKILLed once it runs, and a fresh one started
    const dv = (await gql(`mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id } }`, { d: ds }))
      .freezeDatasetVersion.id;
    const v1 = (
      await gql(`{ model(name: "mobilenet-v1-0.75") { aliases { name version { id } } } }`)
    ).model.aliases.find((x: { name: string }) => x.name === 'production').version.id;
    const created = (
      await gql(
        `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version { id } job { id } } }`,
        {
          i: {
            parentVersionId: v1,
            datasetVersionId: dv,
            classes: [{ label: 'dandelion' }, { label: 'tulips' }],
            options: { augmentations: 4, seed: 1 },
          },
        },
      )
    ).createModelVersion;
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${editor}` },
    });
    let killed: WorkerProcess | undefined;
    let replacement: WorkerProcess | undefined;
    const seen: string[] = [];
    try {
      for await (const r of client.iterate<{ trainingJobUpdated: { status: string; error: string | null } }>({
        query: `subscription($id: ID!) { trainingJobUpdated(id: $id) { status error } }`,
        variables: { id: created.job.id },
      })) {
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        seen.push(r.data!.trainingJobUpdated.status);
        if (!killed && r.data!.trainingJobUpdated.status === 'RUNNING') {
          const row = await db.prisma.trainingJob.findUniqueOrThrow({ where: { id: created.job.id } });
          killed = ids.get(row.workerId!);
          assert.ok(killed, `running on a known worker: ${row.workerId}`);
          killed.child.kill('SIGKILL');
          await killed.exited;
          replacement = spawnWorker('C', await emptyDataDir('node-c'));
          ids.set(await replacement.workerId, replacement);
        }
      }
    } finally {
      await client.dispose();
    }
    const job = await db.prisma.trainingJob.findUniqueOrThrow({ where: { id: created.job.id } });
    const logs = () => procs.map((p) => `--- ${p.name}\n${p.out.join('\n')}`).join('\n');
    assert.equal(job.status, 'SUCCEEDED', `${job.error ?? ''}\n${logs()}`);
    assert.ok(killed && replacement, `the job was seen RUNNING: ${seen.join(', ')}`);
    assert.notEqual(ids.get(job.workerId!), killed, 'finished by a live worker');
    // exactly once: one attempt taken over, one publish across every worker, one version row, one set of reports
    assert.equal(job.attempts, 2);
    // the finishing worker's log reaches this process through a pipe: the row can say SUCCEEDED before its line does
    await ids.get(job.workerId!)!.printed(`version ${created.version.id} READY`);
    const published = procs.flatMap((p) => p.out).filter((l) => l.includes(`version ${created.version.id} READY`));
    assert.equal(published.length, 1, `published once:\n${published.join('\n')}`);
    const version = await db.prisma.modelVersion.findUniqueOrThrow({
      where: { id: created.version.id },
      include: { evaluations: true },
    });
    assert.equal(version.status, 'READY');
    const evalNames = version.evaluations.map((e) => e.name);
    assert.equal(new Set(evalNames).size, evalNames.length, `one evaluation per name: ${evalNames.join(', ')}`);
    t.diagnostic(
      `job ${seen.join(' → ')}; killed ${killed.name}, finished on ${ids.get(job.workerId!)?.name} (attempt ${job.attempts})`,
    );

    // 3. predict from the API, which has never seen the artifact (it fetches it from the bucket)
    const tulip = (
      await gql(
        `query($id: ID!) { dataset(id: $id) { images(filter: { label: "tulips" }, first: 1) { nodes { image { id } } } } }`,
        { id: ds },
      )
    ).dataset.images.nodes[0].image.id;
    const p = (
      await gql(
        `query($i: PredictInput!) { predict(input: $i) { version { number exportUrl } classes { label outputUnit probability } } }`,
        { i: { imageId: tulip, versionId: created.version.id, topK: 3 } },
      )
    ).predict;
    assert.equal(p.version.number, 2);
    assert.ok(
      p.classes.some((c: { label: string }) => c.label === 'tulips'),
      JSON.stringify(p.classes),
    );

    // 4. the export over HTTP unpacks to a model that answers as the API did
    const image = Buffer.from(
      await (await fetch(`${url}/images/${tulip}`, { headers: { authorization: `Bearer ${editor}` } })).arrayBuffer(),
    );
    await checkExport({
      url: `${url}${p.version.exportUrl}`,
      token: editor,
      into: join(root, 'unpacked'),
      folder: 'mobilenet-v1-0.75-v2',
      artifactSha256: version.artifactSha256!,
      image,
      apiClasses: p.classes,
    });
    assert.ok(api.proc.child.exitCode === null, 'the API stayed up');
  },
);
