// The API with ACCRETE_STORAGE_URL on a real S3 protocol server (s3rver): uploads and imports land in the bucket,
// a published version's artifact is uploaded, and a second API process with an empty data dir (sharing only the
// database and the bucket) serves images, the version's export zip (which unpacks to a model that loads alone and
// answers as the API does) and predicts with that version, fetching them through its read-through cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig } from '@accrete/config';
import { blobKey, S3ObjectStore } from '@accrete/storage';
import { startS3Server, type S3TestServer } from '@accrete/storage/testing';
import { assertNoServerPath, checkExport, unzipTo } from './export-check.js';
import { startApi, type ApiApp } from '../src/app.js';
import { randomUUID } from 'node:crypto';
import { startTestApi, ok, FLOWERS, PANDA, REPO, SHARED, type GqlResult, type TestApi } from './harness.js';

let s3: S3TestServer;
let api: TestApi;
let second: ApiApp | undefined;
let secondDir: string;
let storageEnv: Record<string, string>;
const PREDICT = `query($i: PredictInput!) { predict(input: $i) { version { number } classes { label outputUnit probability } } }`;

before(async () => {
  s3 = await startS3Server();
  storageEnv = { ...s3.env, ACCRETE_STORAGE_URL: `s3://${s3.bucket}/api` };
  api = await startTestApi(storageEnv);
});
after(async () => {
  await second?.close();
  await api?.close();
  await s3?.close();
  if (secondDir) await rm(secondDir, { recursive: true, force: true });
});

async function bucketKeys(kind: string): Promise<string[]> {
  const store = api.app.services.storage.remote as S3ObjectStore;
  const r = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `api/${kind}/` }));
  return (r.Contents ?? []).map((o) => o.Key!);
}

test(
  'uploads, imports and trained versions go to the bucket; an API node with an empty data dir predicts from it',
  { timeout: 10 * 60_000 },
  async () => {
    const up = await api.upload([{ name: 'panda.jpg', data: await readFile(PANDA) }]);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal((await bucketKeys('images')).length, 1);

    const dir = join(api.importRoot, 'small');
    for (const [split, n] of [
      ['train', 6],
      ['val', 2],
    ] as const) {
      for (const cls of ['dandelion', 'tulips']) {
        await mkdir(join(dir, split, cls), { recursive: true });
        for (const f of (await readdir(join(FLOWERS, split, cls))).sort().slice(0, n))
          await cp(join(FLOWERS, split, cls, f), join(dir, split, cls, f));
      }
    }
    const ds = ok(await api.gql(`mutation { createDataset(input: { name: "small" }) { id } }`)).createDataset.id;
    const imp = ok(
      await api.gql(`mutation($i: ImportDatasetInput!) { importDataset(input: $i) { accepted rejected } }`, {
        i: { datasetId: ds, path: dir },
      }),
    ).importDataset;
    assert.equal(imp.rejected, 0);
    assert.equal((await bucketKeys('images')).length, 1 + imp.accepted);

    const dv = ok(
      await api.gql(`mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id } }`, { d: ds }),
    ).freezeDatasetVersion;
    const base = ok(
      await api.gql(`{ model(name: "${api.config.baseModelName}") { aliases { name version { id } } } }`),
    ).model;
    const v1 = base.aliases.find((a: { name: string }) => a.name === 'production').version;
    const created = ok(
      await api.gql(
        `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version { id } job { id } } }`,
        {
          i: {
            parentVersionId: v1.id,
            datasetVersionId: dv.id,
            classes: [{ label: 'dandelion' }, { label: 'tulips' }],
            options: { augmentations: 1, seed: 1 },
          },
        },
        api.tokens.editor,
      ),
    ).createModelVersion;
    let job: { status: string; error: string | null };
    for (;;) {
      job = ok(
        await api.gql(`query($id: ID!) { trainingJob(id: $id) { status error } }`, { id: created.job.id }),
      ).trainingJob;
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 200)); // polling a row's state, not timing anything
    }
    assert.equal(job.status, 'SUCCEEDED', job.error ?? '');
    // the manifest (its sha256 is on the version row) and every file it names are in the bucket
    const { artifactSha256 } = ok(
      await api.gql(`query($id: ID!) { modelVersion(id: $id) { artifactSha256 } }`, { id: created.version.id }),
    ).modelVersion;
    const store = api.app.services.storage.remote!;
    const manifest = JSON.parse((await store.get(blobKey('artifacts', artifactSha256))).toString()) as {
      files: Record<string, string>;
    };
    assert.ok(Object.keys(manifest.files).includes('weights.bin'));
    const keys = await bucketKeys('artifacts');
    assert.deepEqual(
      keys.sort(),
      [artifactSha256, ...Object.values(manifest.files)].map((h) => `api/${blobKey('artifacts', h)}`).sort(),
    );

    // A second API process: same database, same bucket, its own empty data dir, no worker.
    secondDir = await mkdtemp(join(tmpdir(), 'accrete-api-second-'));
    const config = loadConfig(
      {
        ...storageEnv,
        ACCRETE_DATA_DIR: secondDir,
        ACCRETE_SHARED_DIR: SHARED,
        ACCRETE_RUN_WORKER: 'false',
        ACCRETE_OPEN_READS: 'false',
      },
      REPO,
    );
    second = await startApi({ config, db: api.db, port: 0, log: () => undefined });
    const gql2 = async (query: string, variables: Record<string, unknown>): Promise<GqlResult> =>
      (
        await fetch(`${second!.server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${api.tokens.reader}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json();

    const tulip = ok(
      await api.gql(
        `query($id: ID!) { dataset(id: $id) { images(filter: { label: "tulips" }, first: 1) { nodes { image { id } } } } }`,
        { id: ds },
      ),
    ).dataset.images.nodes[0].image.id;
    // The export over HTTP from the node that did not train the version: fetched from the bucket on demand.
    const { exportUrl } = ok(
      await gql2(`query($id: ID!) { modelVersion(id: $id) { exportUrl } }`, { id: created.version.id }),
    ).modelVersion;
    assert.equal(exportUrl, `/versions/${created.version.id}/export.zip`);
    // what the training node answers; the second node has not touched the version yet
    const p1 = ok(
      await api.gql(PREDICT, { i: { imageId: tulip, versionId: created.version.id, topK: 3 } }, api.tokens.reader),
    );
    const tulipBytes = Buffer.from(
      await (
        await fetch(`${second.server.url}/images/${tulip}`, {
          headers: { authorization: `Bearer ${api.tokens.reader}` },
        })
      ).arrayBuffer(),
    );
    await checkExport({
      url: `${second.server.url}${exportUrl}`,
      token: api.tokens.reader,
      into: join(secondDir, 'unpacked'),
      folder: `${api.config.baseModelName}-v2`,
      artifactSha256,
      image: tulipBytes,
      apiClasses: p1.predict.classes,
    });
    assert.ok(
      (await readdir(join(secondDir, 'artifacts'))).includes(created.version.id),
      'the export fetched the artifact into the second node',
    );
    const p = ok(await gql2(PREDICT, { i: { imageId: tulip, versionId: created.version.id, topK: 3 } }));
    assert.equal(p.predict.version.number, 2);
    assert.deepEqual(p.predict.classes, p1.predict.classes, 'both nodes answer alike');

    // Same read rule as GraphQL, stable codes.
    const get = (path: string, token: string | null = api.tokens.reader) =>
      fetch(`${second!.server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const refused = [
      [await get(exportUrl, null), 401, 'UNAUTHENTICATED'],
      [await get(exportUrl, 'not-a-token'), 401, 'UNAUTHENTICATED'],
      [await get(`/versions/${randomUUID()}/export.zip`), 404, 'NOT_FOUND'],
      [await get(`/versions/..%2F..%2Fetc/export.zip`), 404, 'NOT_FOUND'],
      [await get(`/versions/${v1.id}/export.zip`), 404, 'NOT_FOUND'],
    ] as const;
    for (const [res, status, code] of refused) {
      assert.equal(res.status, status, res.url);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, code, res.url);
      assert.doesNotMatch(body.error.message, /\/tmp|at \w+ \(/);
    }
    assert.ok(
      p.predict.classes.some((c: { label: string }) => c.label === 'tulips'),
      JSON.stringify(p.predict.classes),
    );
    const img = await fetch(`${second.server.url}/images/${up.body.images[0].id}`, {
      headers: { authorization: `Bearer ${api.tokens.reader}` },
    });
    assert.equal(img.status, 200);
    assert.deepEqual(Buffer.from(await img.arrayBuffer()), await readFile(PANDA));

    // An artifact an older build wrote names its backbone by the server path: served redacted all the same.
    const manifestPath = join(api.app.services.storage.artifactDir(created.version.id), 'manifest.json');
    const older = { ...JSON.parse(await readFile(manifestPath, 'utf8')), backboneSource: api.config.baseModel };
    assert.ok(older.backboneSource.startsWith('/'), older.backboneSource);
    await writeFile(manifestPath, JSON.stringify(older, null, 2) + '\n');
    const res = await fetch(`${api.url}${exportUrl}`, { headers: { authorization: `Bearer ${api.tokens.reader}` } });
    assert.equal(res.status, 200);
    const olderDir = join(secondDir, 'older');
    await unzipTo(Buffer.from(await res.arrayBuffer()), olderDir);
    const served = await readFile(join(olderDir, `${api.config.baseModelName}-v2`, 'manifest.json'), 'utf8');
    assertNoServerPath(served);
    assert.deepEqual(JSON.parse(served), { ...older, backboneSource: '…/mobilenet_v1_0.75_224' });
  },
);
