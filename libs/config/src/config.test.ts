import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, configWarnings, ConfigError } from './index.js';

test('defaults give the embedded setup under ./.accrete with the shared base model', () => {
  const c = loadConfig({}, '/repo');
  assert.equal(c.dataDir, '/repo/.accrete');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.baseModel, '/shared/models/mobilenet_v1_0.75_224');
  assert.equal(c.jobs, 'inprocess');
  assert.equal(c.pgbossSchema, 'pgboss_v10');
  assert.equal(c.openReads, true);
  assert.equal(c.paths.db, '/repo/.accrete/db');
});

test('a URL base model stays a URL; PostgreSQL closes reads by default', () => {
  const c = loadConfig(
    {
      ACCRETE_BASE_MODEL: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.75_224/model.json',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
    },
    '/repo',
  );
  assert.match(c.baseModel, /^https:/);
  assert.equal(c.openReads, false);
});

test('bad settings are named in the error', () => {
  assert.throws(
    () => loadConfig({ ACCRETE_API_PORT: 'abc' }),
    (e: unknown) => e instanceof ConfigError && /ACCRETE_API_PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ ACCRETE_JOBS: 'pgboss' }), /needs DATABASE_URL/);
  assert.throws(() => loadConfig({ ACCRETE_PGBOSS_SCHEMA: 'boss"; drop' }), /ACCRETE_PGBOSS_SCHEMA/);
});

test('ACCRETE_STORAGE_URL selects an S3 bucket with its prefix, endpoint and credentials', () => {
  assert.deepEqual(loadConfig({}, '/repo').storage, { kind: 'local' });
  const c = loadConfig(
    {
      ACCRETE_STORAGE_URL: 's3://accrete-blobs/prod/eu',
      ACCRETE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
      AWS_DEFAULT_REGION: 'eu-west-1',
    },
    '/repo',
  );
  assert.deepEqual(c.storage, {
    kind: 's3',
    bucket: 'accrete-blobs',
    prefix: 'prod/eu',
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: undefined },
  });
  assert.equal(c.paths.blobCache, '/repo/.accrete/blob-cache');
  const aws = loadConfig({ ACCRETE_STORAGE_URL: 's3://accrete-blobs' }, '/repo').storage;
  assert.ok(
    aws.kind === 's3' &&
      aws.prefix === '' &&
      aws.endpoint === undefined &&
      !aws.forcePathStyle &&
      aws.credentials === undefined,
  );
});

test('bad storage settings are named in the error', () => {
  assert.throws(() => loadConfig({ ACCRETE_STORAGE_URL: 'gs://bucket' }), /ACCRETE_STORAGE_URL/);
  assert.throws(() => loadConfig({ ACCRETE_STORAGE_URL: 's3://Bad_Bucket' }), /ACCRETE_STORAGE_URL/);
  assert.throws(
    () => loadConfig({ ACCRETE_STORAGE_URL: 's3://b-1', ACCRETE_S3_ENDPOINT: 'ftp://x' }),
    /ACCRETE_S3_ENDPOINT/,
  );
  assert.throws(() => loadConfig({ ACCRETE_STORAGE_URL: 's3://b-1', AWS_ACCESS_KEY_ID: 'AK' }), /go together/);
});

test('queued jobs with local storage are allowed but warned about; with a bucket, or in-process, they are not', () => {
  const pg = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x', ACCRETE_JOBS: 'pgboss' };
  const [w] = configWarnings(loadConfig({ ...pg, ACCRETE_DATA_DIR: '/srv/accrete' }, '/repo'));
  assert.match(w ?? '', /pgboss with local storage.*\/srv\/accrete.*ACCRETE_STORAGE_URL/);
  assert.deepEqual(configWarnings(loadConfig({ ...pg, ACCRETE_STORAGE_URL: 's3://accrete-blobs/p' }, '/repo')), []);
  assert.deepEqual(configWarnings(loadConfig({}, '/repo')), []);
});
