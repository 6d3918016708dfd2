import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from './index.js';

test('defaults give the embedded setup under ./.accrete with the shared base model', () => {
  const c = loadConfig({}, '/repo');
  assert.equal(c.dataDir, '/repo/.accrete');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.baseModel, '/shared/models/mobilenet_v1_0.75_224');
  assert.equal(c.jobs, 'inprocess');
  assert.equal(c.openReads, true);
  assert.equal(c.paths.db, '/repo/.accrete/db');
});

test('a URL base model stays a URL; PostgreSQL closes reads by default', () => {
  const c = loadConfig({
    ACCRETE_BASE_MODEL: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.75_224/model.json',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
  }, '/repo');
  assert.match(c.baseModel, /^https:/);
  assert.equal(c.openReads, false);
});

test('bad settings are named in the error', () => {
  assert.throws(() => loadConfig({ ACCRETE_API_PORT: 'abc' }), (e: unknown) => e instanceof ConfigError && /ACCRETE_API_PORT/.test(e.message));
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ ACCRETE_JOBS: 'pgboss' }), /needs DATABASE_URL/);
});
