// The API over HTTP against a real server (real database, backbone and job runner): auth on every mutation,
// error codes, uploads and imports, pagination, query limits, aliases, version-creation refusals, N+1.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLField,
} from 'graphql';
import { setTokenCacheTiming } from '@accrete/auth';
import { invalidateTaxonomyCache } from '@accrete/taxonomy-store';
import { getSchema } from '../src/schema/build.js';
import { startTestApi, ok, codeOf, FLOWERS, PANDA, type TestApi } from './harness.js';
import { makeZip } from '@accrete/datasets/testing';

let api: TestApi;
let modelId: string;
let v1: string;
const MAX_BYTES = 300_000;
const MAX_PIXELS = 1_000_000;

before(async () => {
  api = await startTestApi({
    ACCRETE_MAX_UPLOAD_BYTES: String(MAX_BYTES),
    ACCRETE_MAX_IMAGE_PIXELS: String(MAX_PIXELS),
  });
  const d = ok(
    await api.gql(`{ model(name: "${api.config.baseModelName}") { id version(number: 1) { id classCount status } } }`),
  );
  modelId = d.model.id;
  v1 = d.model.version.id;
  assert.equal(d.model.version.classCount, 1000);
  assert.equal(d.model.version.status, 'READY');
});
after(() => api?.close());

/** Type-correct placeholder variables for a field's arguments (the guard must refuse before anything runs). */
function placeholder(type: GraphQLInputType): unknown {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return [placeholder(t.ofType)];
  if (isEnumType(t)) return t.getValues()[0].value;
  if (isInputObjectType(t)) {
    const o: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) if (isNonNullType(f.type)) o[f.name] = placeholder(f.type);
    return o;
  }
  if (isScalarType(t)) {
    return (
      (
        { ID: '00000000-0000-4000-8000-000000000000', String: 'x', Int: 1, Float: 0.5, Boolean: false } as Record<
          string,
          unknown
        >
      )[t.name] ?? 'x'
    );
  }
  return null;
}

function mutationDoc(f: GraphQLField<unknown, unknown>) {
  const vars = f.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = f.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const sel = isObjectType(getNamedType(f.type)) ? ' { __typename }' : '';
  const query = `mutation${vars ? `(${vars})` : ''} { ${f.name}${args ? `(${args})` : ''}${sel} }`;
  const variables = Object.fromEntries(f.args.map((a) => [a.name, placeholder(a.type)]));
  return { query, variables };
}

describe('auth', () => {
  test('every mutation refuses anonymous callers and READER tokens', async () => {
    const fields = Object.values((await getSchema()).getMutationType()!.getFields());
    assert.ok(fields.length >= 15, `only ${fields.length} mutations?`);
    for (const f of fields) {
      const { query, variables } = mutationDoc(f);
      const anon = await api.gql(query, variables, null);
      assert.equal(codeOf(anon), 'UNAUTHENTICATED', `${f.name} anonymous: ${JSON.stringify(anon.errors)}`);
      const reader = await api.gql(query, variables, api.tokens.reader);
      // redeemSignInCode is the one mutation open to anyone (it is how the first admin signs in): a code that is not
      // the running API's one-time code is refused as a credential, whoever sends it
      const expected = f.name === 'redeemSignInCode' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      assert.equal(codeOf(reader), expected, `${f.name} as READER: ${JSON.stringify(reader.errors)}`);
    }
  });

  test('token management is ADMIN only; tokens are shown once, stored hashed, revocable', async () => {
    const create = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id name role prefix } } }`;
    assert.equal(codeOf(await api.gql(create, { i: { name: 'ci', role: 'READER' } }, api.tokens.editor)), 'FORBIDDEN');
    const made = ok(await api.gql(create, { i: { name: 'ci', role: 'READER' } }, api.tokens.admin)).createApiToken;
    assert.match(made.token, /^acc_/);
    const row = await api.db.prisma.apiToken.findUniqueOrThrow({ where: { id: made.apiToken.id } });
    assert.notEqual(row.tokenHash, made.token);
    assert.ok(!JSON.stringify(row).includes(made.token.slice(4)), 'the secret must not be stored');
    assert.deepEqual(ok(await api.gql('{ viewer { name role } }', {}, made.token)).viewer, {
      name: 'ci',
      role: 'READER',
    });
    ok(await api.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: made.apiToken.id }));
    assert.equal(codeOf(await api.gql('{ viewer { name } }', {}, made.token)), 'UNAUTHENTICATED');
  });

  test('a token made with expiresAt is refused once the (injected) clock passes it, saying why', async () => {
    const create = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { expiresAt } } }`;
    const past = await api.gql(create, { i: { name: 'late', role: 'READER', expiresAt: '2001-01-01T00:00:00Z' } });
    assert.equal(codeOf(past), 'BAD_INPUT');
    assert.match(past.errors![0].message, /not in the future/);
    let clock = Date.now();
    const previous = setTokenCacheTiming({ now: () => clock });
    try {
      const expiresAt = new Date(clock + 3_600_000).toISOString();
      const made = ok(await api.gql(create, { i: { name: 'temp', role: 'READER', expiresAt } })).createApiToken;
      assert.equal(made.apiToken.expiresAt, expiresAt);
      assert.equal(ok(await api.gql('{ viewer { name } }', {}, made.token)).viewer.name, 'temp');
      clock += 3_600_000;
      const refused = await api.gql('{ viewer { name } }', {}, made.token);
      assert.equal(codeOf(refused), 'UNAUTHENTICATED');
      assert.match(refused.errors![0].message, /API token "temp" expired at/);
    } finally {
      setTokenCacheTiming(previous);
    }
  });

  test('reads need a token unless openReads; a bad token is refused, not treated as anonymous', async () => {
    assert.equal(codeOf(await api.gql('{ models { totalCount } }', {}, null)), 'UNAUTHENTICATED');
    assert.equal(codeOf(await api.gql('{ models { totalCount } }', {}, 'acc_not-a-real-token')), 'UNAUTHENTICATED');
    assert.equal(ok(await api.gql('{ models { totalCount } }', {}, api.tokens.reader)).models.totalCount, 1);
  });
});

describe('error codes', () => {
  test('NOT_FOUND, BAD_INPUT, CONFLICT with readable messages', async () => {
    const nf = await api.gql(`{ modelVersion(id: "00000000-0000-4000-8000-000000000000") { id } }`);
    assert.equal(codeOf(nf), 'NOT_FOUND');
    assert.match(nf.errors![0].message, /model version .* not found/);
    const bad = await api.gql(`mutation { createDataset(input: { name: "" }) { id } }`);
    assert.equal(codeOf(bad), 'BAD_INPUT');
    assert.match(bad.errors![0].message, /name/);
    ok(await api.gql(`mutation { createDataset(input: { name: "twice" }) { id } }`));
    const dup = await api.gql(`mutation { createDataset(input: { name: "twice" }) { id } }`);
    assert.equal(codeOf(dup), 'CONFLICT');
    assert.match(dup.errors![0].message, /already exists/);
    assert.equal(codeOf(await api.gql(`{ models(first: 1000) { totalCount } }`)), 'BAD_INPUT');
    assert.equal(codeOf(await api.gql(`{ datasets(after: "garbage") { totalCount } }`)), 'BAD_INPUT');
  });

  test('depth and complexity limits refuse expensive queries', async () => {
    const deep = `{ classNodes(first: 1) { nodes { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } } }`;
    const d = await api.gql(deep);
    assert.equal(codeOf(d), 'BAD_INPUT');
    assert.match(d.errors![0].message, /depth/);
    const wide = `{ models(first: 100) { nodes { versions(first: 100) { nodes { classes(first: 100) { nodes { classNode { name } } } } } } } }`;
    const w = await api.gql(wide);
    assert.equal(codeOf(w), 'BAD_INPUT');
    assert.match(w.errors![0].message, /complexity/);
  });

  test('malformed HTTP requests to /graphql: bad JSON, oversize body, wrong content type, variable errors', async () => {
    const post = async (body: string | Blob, contentType = 'application/json') => {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${api.tokens.reader}` },
        body,
      });
      return { status: res.status, body: await res.json() };
    };
    const bad = await post('{"query": "{ viewer { name } "');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].extensions.code, 'BAD_INPUT');
    assert.match(bad.body.errors[0].message, /not valid JSON/);

    const limit = Math.ceil(api.config.maxUploadBytes * 1.4) + 1_000_000;
    const huge = await post(new Blob([new Uint8Array(limit + 1).fill(0x20)]));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.errors[0].extensions.code, 'BAD_INPUT');
    assert.match(huge.body.errors[0].message, /exceeds the limit/);

    const text = await post('{ viewer { name } }', 'text/plain');
    assert.equal(text.status, 400, 'CSRF prevention: a simple request is refused');

    // variable coercion errors keep graphql-js's messages and Apollo's 400, whatever the executor
    const v = await post(
      JSON.stringify({ query: 'query($n: Int) { models(first: $n) { totalCount } }', variables: { n: 'many' } }),
    );
    assert.equal(v.status, 400);
    assert.equal(v.body.errors[0].extensions.code, 'BAD_INPUT');
    assert.match(v.body.errors[0].message, /Variable "\$n" got invalid value "many"/);

    const ok1 = await post(JSON.stringify({ query: '{ viewer { name role } }' }));
    assert.deepEqual(
      ok1.body,
      { data: { viewer: { name: 'test-reader', role: 'READER' } } },
      'the same server still answers',
    );
  });
});

async function flowerFile(cls: string, i = 0, split = 'train') {
  const dir = join(FLOWERS, split, cls);
  const name = (await readdir(dir)).sort()[i];
  return { name, data: await readFile(join(dir, name)) };
}

describe('uploads', () => {
  let datasetId: string;
  before(async () => {
    datasetId = ok(await api.gql(`mutation { createDataset(input: { name: "uploads" }) { id } }`)).createDataset.id;
  });
  const counts = async () => ({
    images: await api.db.prisma.image.count(),
    datasetImages: await api.db.prisma.datasetImage.count({ where: { datasetId } }),
    imports: await api.db.prisma.datasetImport.count({ where: { datasetId } }),
  });

  test('non-image and truncated JPEG are rejected with reasons, recorded, and add no image rows', async () => {
    const before = await counts();
    const jpeg = (await flowerFile('daisy')).data;
    const r = await api.upload(
      [
        { name: 'notes.jpg', data: Buffer.from('this is not a picture at all') },
        { name: 'cut.jpg', data: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) },
      ],
      { datasetId, label: 'daisy' },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.accepted, 0);
    assert.equal(r.body.rejected, 2);
    const reasons = Object.fromEntries(
      r.body.rejections.map((x: { path: string; reason: string }) => [x.path, x.reason]),
    );
    assert.match(reasons['notes.jpg'], /not an image/);
    assert.match(reasons['cut.jpg'], /truncated/);
    const afterCounts = await counts();
    assert.equal(afterCounts.images, before.images);
    assert.equal(afterCounts.datasetImages, before.datasetImages);
    const rows = await api.db.prisma.importRejection.findMany({ where: { importId: r.body.import.id } });
    assert.equal(rows.length, 2);
  });

  test('a zip with ../ or absolute entry names is refused as a whole; nothing is written', async () => {
    const good = await flowerFile('tulips');
    for (const bad of ['../evil.jpg', 'tulips/../../evil.jpg', '/etc/evil.jpg']) {
      const before = await counts();
      const zip = makeZip([
        { name: `tulips/${good.name}`, data: good.data },
        { name: bad, data: good.data },
      ]);
      const r = await api.upload([{ name: 'evil.zip', data: zip }], { datasetId });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'BAD_INPUT');
      assert.match(r.body.error.message, /archive refused/);
      assert.deepEqual(await counts(), before);
    }
  });

  test('oversize files are refused (413) and too many pixels rejected, with no rows', async () => {
    const before = await counts();
    const noise = await sharp(
      Buffer.alloc(700 * 700 * 3, 0).map(() => Math.floor(Math.random() * 256)),
      { raw: { width: 700, height: 700, channels: 3 } },
    )
      .png()
      .toBuffer();
    assert.ok(noise.length > MAX_BYTES);
    const r = await api.upload([{ name: 'huge.png', data: noise }], { datasetId, label: 'daisy' });
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.match(r.body.error.message, /exceeds the upload limit/);
    assert.deepEqual(await counts(), before);
    const wide = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    assert.ok(wide.length < MAX_BYTES);
    const p = await api.upload([{ name: 'wide.png', data: wide }], { datasetId, label: 'daisy' });
    assert.equal(p.status, 200);
    assert.match(p.body.rejections[0].reason, /too many pixels/);
    const afterCounts = await counts();
    assert.equal(afterCounts.images, before.images);
    assert.equal(afterCounts.datasetImages, before.datasetImages);
  });

  test('CSRF header and EDITOR role are required', async () => {
    const f = await flowerFile('roses');
    const noCsrf = await api.upload([f], { datasetId, label: 'roses' }, { csrf: false });
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.body.error.message, /x-accrete-csrf/);
    assert.equal((await api.upload([f], { datasetId, label: 'roses' }, { token: api.tokens.reader })).status, 403);
    assert.equal((await api.upload([f], { datasetId, label: 'roses' }, { token: null })).status, 401);
  });

  test('a zip in train/val layout is imported; re-uploading the same content counts duplicates', async () => {
    const entries = [];
    for (const cls of ['daisy', 'roses']) {
      for (let i = 0; i < 3; i++)
        entries.push({
          name: `flowers/train/${cls}/${(await flowerFile(cls, i)).name}`,
          data: (await flowerFile(cls, i)).data,
        });
      entries.push({
        name: `flowers/val/${cls}/${(await flowerFile(cls, 0, 'val')).name}`,
        data: (await flowerFile(cls, 0, 'val')).data,
      });
    }
    entries.push({ name: 'flowers/README.txt', data: Buffer.from('hello') });
    const zip = makeZip(entries);
    const r = await api.upload([{ name: 'flowers.zip', data: zip }], { datasetId });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.accepted, 8);
    assert.equal(r.body.rejected, 1);
    assert.match(r.body.rejections[0].reason, /not inside train/);
    const again = await api.upload([{ name: 'flowers.zip', data: zip }], { datasetId });
    assert.equal(again.body.accepted, 0);
    assert.equal(again.body.duplicates, 8);
    const cc = ok(
      await api.gql(`query($id: ID!) { dataset(id: $id) { classCounts { label train val total } imageCount } }`, {
        id: datasetId,
      }),
    ).dataset;
    const daisy = cc.classCounts.find((c: { label: string }) => c.label === 'daisy');
    assert.deepEqual({ train: daisy.train, val: daisy.val }, { train: 3, val: 1 });
  });

  test('non-ASCII file names come back as sent (UTF-8 filename parameter)', async () => {
    const photo = (await flowerFile('tulips', 5)).data;
    const stored = await api.upload([{ name: 'фото.jpg', data: photo }]);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal(stored.body.images[0].path, 'фото.jpg');
    const r = await api.upload([{ name: 'crème brûlée.jpg', data: Buffer.from('not a picture') }], {
      datasetId,
      label: 'tulips',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.rejections[0].path, 'crème brûlée.jpg');
    assert.equal(r.body.import.source, 'upload:crème brûlée.jpg');
  });

  test('a Windows zip (CP437 names, no UTF-8 flag) keeps café and cafè apart with every image', async () => {
    const entries = [];
    // 0x82 is é and 0x8a is è in CP437
    for (const [dir, cls] of [
      [[0x63, 0x61, 0x66, 0x82], 'sunflowers'],
      [[0x63, 0x61, 0x66, 0x8a], 'dandelion'],
    ] as const)
      for (let i = 0; i < 4; i++) {
        const f = await flowerFile(cls, 10 + i);
        entries.push({ name: Buffer.concat([Buffer.from(dir), Buffer.from(`/${f.name}`)]), data: f.data });
      }
    const ds = ok(await api.gql(`mutation { createDataset(input: { name: "windows-zip" }) { id } }`)).createDataset.id;
    const r = await api.upload([{ name: 'photos.zip', data: makeZip(entries) }], { datasetId: ds });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.accepted, r.body.duplicates, r.body.rejected], [8, 0, 0]);
    const cc = ok(await api.gql(`query($id: ID!) { dataset(id: $id) { classCounts { label total } } }`, { id: ds }))
      .dataset.classCounts;
    assert.deepEqual(cc.map((c: { label: string; total: number }) => [c.label, c.total]).sort(), [
      ['cafè', 4],
      ['café', 4],
    ]);
  });

  test('images uploaded without a dataset can be predicted by id', async () => {
    const r = await api.upload([{ name: 'panda.jpg', data: await readFile(PANDA) }]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const id = r.body.images[0].id;
    const p = ok(
      await api.gql(
        `query($i: PredictInput!) { predict(input: $i) { version { number } classes { label probability } } }`,
        { i: { imageId: id, topK: 3 } },
      ),
    );
    assert.equal(p.predict.classes[0].label, 'giant panda');
    // GET /images/:id serves the bytes or a thumbnail, under the same read rule as GraphQL
    const get = (path: string, token: string | null = api.tokens.reader) =>
      fetch(`${api.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const full = await get(`/images/${id}`);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await full.arrayBuffer()), await readFile(PANDA));
    const thumb = await sharp(Buffer.from(await (await get(`/images/${id}?size=64`)).arrayBuffer())).metadata();
    assert.ok(Math.max(thumb.width!, thumb.height!) <= 64);
    assert.equal((await get(`/images/${id}`, null)).status, 401);
    const missing = await get('/images/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'NOT_FOUND');
  });
});

describe('folder import', () => {
  test('flat <class>/ layout: deterministic split by content hash, stable when images are added; paths outside the roots refused', async () => {
    const dir = join(api.importRoot, 'flat');
    const copy = async (cls: string, from: number, to: number) => {
      await mkdir(join(dir, cls), { recursive: true });
      const names = (await readdir(join(FLOWERS, 'train', cls))).sort().slice(from, to);
      for (const n of names) await cp(join(FLOWERS, 'train', cls, n), join(dir, cls, n));
    };
    await copy('sunflowers', 0, 20);
    await copy('tulips', 0, 20);
    await writeFile(join(dir, 'stray.jpg'), 'x');
    const ds = ok(await api.gql(`mutation { createDataset(input: { name: "flat" }) { id } }`)).createDataset.id;
    const imp = `mutation($i: ImportDatasetInput!) { importDataset(input: $i) { accepted duplicates rejected rejections { path reason } } }`;
    const first = ok(await api.gql(imp, { i: { datasetId: ds, path: dir } })).importDataset;
    assert.equal(first.accepted, 40);
    assert.deepEqual(
      first.rejections.map((r: { path: string }) => r.path),
      ['stray.jpg'],
    );
    const splitOf = async () =>
      new Map(
        (await api.db.prisma.datasetImage.findMany({ where: { datasetId: ds }, include: { image: true } })).map((r) => [
          r.image.sha256,
          r.split,
        ]),
      );
    const s1 = await splitOf();
    assert.ok([...s1.values()].includes('VAL') && [...s1.values()].includes('TRAIN'));
    await copy('sunflowers', 20, 30);
    const second = ok(await api.gql(imp, { i: { datasetId: ds, path: 'flat' } })).importDataset; // relative to an import root
    assert.equal(second.accepted, 10);
    assert.equal(second.duplicates, 40);
    const s2 = await splitOf();
    for (const [sha, split] of s1) assert.equal(s2.get(sha), split);
    const outside = await api.gql(imp, { i: { datasetId: ds, path: FLOWERS } });
    assert.equal(codeOf(outside), 'BAD_INPUT');
    assert.match(outside.errors![0].message, /outside the allowed import roots/);
    const escape = await api.gql(imp, { i: { datasetId: ds, path: '../..' } });
    assert.equal(codeOf(escape), 'BAD_INPUT');
  });
});

describe('lists', () => {
  test('cursor pagination forwards and backwards with totalCount', async () => {
    for (let i = 0; i < 7; i++)
      ok(await api.gql(`mutation($n: String!) { createDataset(input: { name: $n }) { id } }`, { n: `page-${i}` }));
    const q = `query($f: DatasetFilter, $first: Int, $after: String, $last: Int, $before: String) {
      datasets(filter: $f, first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } } }`;
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: { name: string }[];
      } = ok(await api.gql(q, { f: { search: 'page-' }, first: 3, after })).datasets;
      assert.equal(page.totalCount, 7);
      names.push(...page.nodes.map((n) => n.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // newest first (ties on createdAt broken by id): every dataset exactly once
    assert.deepEqual(
      [...names].sort(),
      [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`),
    );
    const last = ok(await api.gql(q, { f: { search: 'page-' }, last: 2 })).datasets;
    assert.deepEqual(
      last.nodes.map((n: { name: string }) => n.name),
      names.slice(-2),
    );
    assert.equal(last.pageInfo.hasPreviousPage, true);
    const prev = ok(await api.gql(q, { f: { search: 'page-' }, last: 2, before: last.pageInfo.startCursor })).datasets;
    assert.deepEqual(
      prev.nodes.map((n: { name: string }) => n.name),
      names.slice(-4, -2),
    );
  });
});

/** A READY child of v1 written directly (what a finished job leaves), to test aliases without training; numbered 100, 101… */
let nextFixtureNumber = 100;
async function fixtureVersion(status: 'READY' | 'FAILED' = 'READY', metrics: Record<string, unknown> = {}) {
  const prisma = api.db.prisma;
  const number = nextFixtureNumber++;
  const v = await prisma.modelVersion.create({
    data: {
      modelId,
      number,
      parentId: v1,
      status,
      strategy: 'calibrated',
      classCount: 1000,
      readyAt: new Date(),
      artifactUri: '/nonexistent',
    },
  });
  const classes = await prisma.versionClass.findMany({ where: { versionId: v1 } });
  await prisma.versionClass.createMany({ data: classes.map((c) => ({ ...c, versionId: v.id })) });
  await prisma.evaluation.create({ data: { versionId: v.id, name: 'val', metrics: metrics as never } });
  return v;
}

describe('aliases and versions', () => {
  let va: string;
  let vb: string;
  before(async () => {
    va = (await fixtureVersion('READY', { top1: 0.8, rows: { rehearsal: 2000 }, perClass: { daisy: { recall: 0.5 } } }))
      .id;
    vb = (
      await fixtureVersion('READY', { top1: 0.9, rows: { rehearsal: 2000 }, perClass: { daisy: { recall: 0.75 } } })
    ).id;
  });

  test('setAlias / rollbackAlias walk the history; every move is recorded with its actor', async () => {
    const set = `mutation($i: SetAliasInput!) { setAlias(input: $i) { name version { number } } }`;
    const rb = `mutation($i: RollbackAliasInput!) { rollbackAlias(input: $i) { version { number } } }`;
    const i = (versionId: string) => ({ i: { modelId, name: 'staging', versionId } });
    assert.equal(codeOf(await api.gql(rb, { i: { modelId, name: 'staging' } })), 'NOT_FOUND');
    ok(await api.gql(set, i(v1), api.tokens.editor));
    assert.equal(codeOf(await api.gql(rb, { i: { modelId, name: 'staging' } })), 'CONFLICT');
    ok(await api.gql(set, i(va), api.tokens.editor));
    ok(await api.gql(set, i(vb), api.tokens.admin));
    const target = async () =>
      ok(
        await api.gql(`query($m: ID!) { alias(modelId: $m, name: "staging") { rollbackTarget { number } } }`, {
          m: modelId,
        }),
      ).alias.rollbackTarget?.number ?? null;
    assert.equal(await target(), 100, 'the server says where a rollback would go');
    assert.equal(ok(await api.gql(rb, { i: { modelId, name: 'staging' } })).rollbackAlias.version.number, 100);
    assert.equal(await target(), 1);
    assert.equal(ok(await api.gql(rb, { i: { modelId, name: 'staging' } })).rollbackAlias.version.number, 1);
    assert.equal(await target(), null);
    const h = ok(
      await api.gql(
        `query($m: ID!) { alias(modelId: $m, name: "staging") { version { number } history { nodes { action actor fromVersion { number } toVersion { number } } } } }`,
        { m: modelId },
      ),
    ).alias;
    assert.equal(h.version.number, 1);
    assert.deepEqual(
      h.history.nodes.map(
        (e: { action: string; actor: string; toVersion: { number: number } }) =>
          `${e.action}:${e.toVersion.number}:${e.actor}`,
      ),
      [
        'ROLLBACK:1:test-admin',
        'ROLLBACK:100:test-admin',
        'SET:101:test-admin',
        'SET:100:test-editor',
        'SET:1:test-editor',
      ],
    );
  });

  test('only READY versions of the same model can be aliased', async () => {
    const failed = await fixtureVersion('FAILED');
    const r = await api.gql(`mutation($i: SetAliasInput!) { setAlias(input: $i) { id } }`, {
      i: { modelId, name: 'staging', versionId: failed.id },
    });
    assert.equal(codeOf(r), 'CONFLICT');
    assert.match(r.errors![0].message, /FAILED/);
  });

  test('compareVersions reports metric and per-class deltas', async () => {
    const c = ok(
      await api.gql(
        `query($a: ID!, $b: ID!) { compareVersions(a: $a, b: $b) { classesAdded { name } metricDeltas { evaluation metric a b delta isShare } perClassDeltas { label metric delta isShare } } }`,
        { a: va, b: vb },
      ),
    ).compareVersions;
    assert.deepEqual(c.classesAdded, []);
    const top1 = c.metricDeltas.find((m: { metric: string }) => m.metric === 'top1');
    assert.ok(Math.abs(top1.delta - 0.1) < 1e-9);
    // the server says which figures are shares (shown as %): a row count is not 200000 %
    assert.equal(top1.isShare, true);
    assert.equal(c.metricDeltas.find((m: { metric: string }) => m.metric === 'rows.rehearsal').isShare, false);
    assert.deepEqual(c.perClassDeltas, [{ label: 'daisy', metric: 'recall', delta: 0.25, isShare: true }]);
  });

  test('compareVersions pairs per-class rows by the class they measure, not by the label the report used', async () => {
    // a report names a class as it was called when evaluated: the same unit under another name (a rename since) is
    // the same class; the same name on another unit (a new class given a renamed class's old name) is another
    const a = await fixtureVersion('READY', {
      perClass: [
        { label: 'daisy', unit: 985, recall: 0.5 },
        { label: 'fish', unit: 1, recall: 0.25 },
      ],
    });
    const b = await fixtureVersion('READY', {
      perClass: [
        { label: 'marguerite', unit: 985, recall: 0.75 },
        { label: 'fish', unit: 2, recall: 1 },
      ],
    });
    const c = ok(
      await api.gql(
        `query($a: ID!, $b: ID!) { compareVersions(a: $a, b: $b) { perClassDeltas { label metric a b } } }`,
        {
          a: a.id,
          b: b.id,
        },
      ),
    ).compareVersions;
    const recall = c.perClassDeltas
      .filter((d: { metric: string }) => d.metric === 'recall')
      .map((d: { label: string; a: number | null; b: number | null }) => [d.label, d.a, d.b]);
    assert.deepEqual(recall, [
      ['daisy', 0.5, 0.75],
      ['goldfish', 0.25, null],
      ['great white shark', null, 1],
    ]);
  });

  test('compareVersions refuses a version that is not READY, like predict', async () => {
    const failed = await fixtureVersion('FAILED');
    for (const [a, b] of [
      [va, failed.id],
      [failed.id, va],
    ]) {
      const r = await api.gql(`query($a: ID!, $b: ID!) { compareVersions(a: $a, b: $b) { classesRemoved { id } } }`, {
        a,
        b,
      });
      assert.equal(codeOf(r), 'CONFLICT');
      assert.match(r.errors![0].message, /is FAILED; only READY versions compare/);
    }
  });

  test('createModelVersion refuses bad requests before creating anything', async () => {
    const ds = ok(await api.gql(`mutation { createDataset(input: { name: "cmv" }) { id } }`)).createDataset.id;
    const f = await flowerFile('dandelion');
    const g = await flowerFile('dandelion', 1);
    assert.equal((await api.upload([f, g], { datasetId: ds, label: 'dandelion', split: 'TRAIN' })).body.accepted, 2);
    const dv = ok(
      await api.gql(
        `mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id number imageCount classCounts { label train } } }`,
        { d: ds },
      ),
    ).freezeDatasetVersion;
    assert.equal(dv.imageCount, 2);
    const cmv = `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version { id } } }`;
    const input = (over: Record<string, unknown>) => ({
      i: { parentVersionId: v1, datasetVersionId: dv.id, classes: [{ label: 'dandelion' }], ...over },
    });
    const versionsBefore = await api.db.prisma.modelVersion.count();
    const nodesBefore = await api.db.prisma.classNode.count();
    const unknownLabel = await api.gql(cmv, input({ classes: [{ label: 'orchid' }] }));
    assert.equal(codeOf(unknownLabel), 'BAD_INPUT');
    assert.match(unknownLabel.errors![0].message, /no images labelled "orchid"/);
    assert.equal(codeOf(await api.gql(cmv, input({ strategy: 'magic' }))), 'BAD_INPUT');
    assert.equal(
      codeOf(await api.gql(cmv, input({ parentVersionId: '00000000-0000-4000-8000-000000000000' }))),
      'NOT_FOUND',
    );
    const failed = await fixtureVersion('FAILED');
    assert.equal(codeOf(await api.gql(cmv, input({ parentVersionId: failed.id }))), 'CONFLICT');
    // one active job per parent: a running job growing from vb blocks a second one (owned by this runner and
    // fresh, so the runner's recovery sweep leaves it alone)
    const pending = await fixtureVersion('FAILED');
    const busyJob = await api.db.prisma.trainingJob.create({
      data: {
        versionId: pending.id,
        parentVersionId: vb,
        strategy: 'calibrated',
        status: 'RUNNING',
        workerId: api.app.runner.workerId,
        heartbeatAt: new Date(),
      },
    });
    const versionsBefore2 = await api.db.prisma.modelVersion.count();
    const busy = await api.gql(cmv, input({ parentVersionId: vb }));
    await api.db.prisma.trainingJob.delete({ where: { id: busyJob.id } });
    assert.equal(codeOf(busy), 'CONFLICT');
    assert.match(busy.errors![0].message, /active training job/);
    assert.equal(await api.db.prisma.modelVersion.count(), versionsBefore2);
    assert.equal(await api.db.prisma.modelVersion.count(), versionsBefore + 2); // + the two fixtures above
    assert.equal(await api.db.prisma.classNode.count(), nodesBefore);
  });

  test('relation fields are batched: the query count does not grow with the page size (no N+1)', async () => {
    const q = `query($n: Int!) { modelVersions(first: $n) { nodes { number status model { name backbone { name } } parent { number }
      datasetVersion { number } evaluations { name summary { name value } } latestJob { status } aliases { name } children { number } } } }`;
    for (let i = 0; i < 5; i++) await fixtureVersion(); // at least 6 versions, whatever ran before
    // Count the request's own queries only: no timed background work (token re-check, class-node revalidation)
    // may start during the measurement, and READY version rows are cached for both page sizes alike (warm-up).
    const measure = async (n: number) => {
      ok(await api.gql(q, { n })); // warm-up
      api.queries.reset();
      const nodes = ok(await api.gql(q, { n })).modelVersions.nodes.length;
      return { nodes, queries: api.queries.count };
    };
    const [small, large] = await api.withoutBackgroundQueries(async () => [await measure(2), await measure(5)]);
    assert.equal(small.nodes, 2);
    assert.equal(large.nodes, 5);
    const [fewQueries, manyQueries] = [small.queries, large.queries];
    assert.equal(manyQueries, fewQueries, `queries: ${fewQueries} for 2 versions, ${manyQueries} for 5`);
    assert.ok(manyQueries <= 12, `${manyQueries} queries`);
  });

  test('class ancestors and paths are batched too, and come from the class-node cache once it is warm', async () => {
    const q = `query($n: Int!) { classNodes(first: $n, filter: { search: "dog" }) { nodes { name path ancestors { name } } } }`;
    const count = async (n: number) => {
      invalidateTaxonomyCache(); // as after a taxonomy edit: the walk must go to the database
      api.queries.reset();
      const nodes = ok(await api.gql(q, { n })).classNodes.nodes;
      return { nodes, queries: api.queries.count };
    };
    const [small, large] = await api.withoutBackgroundQueries(async () => [await count(2), await count(12)]);
    assert.equal(large.nodes.length, 12);
    assert.equal(large.queries, small.queries, `queries: ${small.queries} for 2 classes, ${large.queries} for 12`);
    for (const n of large.nodes) {
      assert.deepEqual(n.path, [...n.ancestors.map((a: { name: string }) => a.name), n.name]);
      assert.equal(n.path[0], 'entity');
    }
    const warm = await api.withoutBackgroundQueries(async () => {
      api.queries.reset();
      ok(await api.gql(q, { n: 12 }));
      return api.queries.count;
    });
    assert.ok(warm < large.queries, `warm: ${warm} queries`);
  });

  test('child counts of a page of classes are one grouped query, and match a count of each one', async () => {
    const q = `query($n: Int!) { classNodes(first: $n, filter: { search: "dog" }) { nodes { id children(first: 0) { totalCount pageInfo { hasNextPage } } } } }`;
    const count = async (n: number) => {
      api.queries.reset();
      const nodes = ok(await api.gql(q, { n })).classNodes.nodes;
      return { nodes, queries: api.queries.count };
    };
    const [small, large] = await api.withoutBackgroundQueries(async () => [await count(2), await count(12)]);
    assert.equal(large.queries, small.queries, `queries: ${small.queries} for 2 classes, ${large.queries} for 12`);
    const withChildren = large.nodes.filter((n: { children: { totalCount: number } }) => n.children.totalCount > 0);
    assert.ok(withChildren.length > 0, 'some dog classes have children (breeds)');
    for (const n of large.nodes) {
      assert.equal(n.children.totalCount, await api.db.prisma.classNode.count({ where: { parentId: n.id } }));
    }
  });

  test('classPlacement tells where a new class of a name would be filed', async () => {
    const q = `query($n: String!) { classPlacement(name: $n) { name path } }`;
    assert.deepEqual(ok(await api.gql(q, { n: 'Sunflowers' })).classPlacement.path.slice(-2), ['angiosperm', 'flower']);
    assert.equal(ok(await api.gql(q, { n: 'baby corgi' })).classPlacement.name, 'corgi');
    assert.equal(ok(await api.gql(q, { n: 'xyzzy' })).classPlacement, null);
  });

  test('resolveClassName and classPlacement answer from the one placement rule', async () => {
    const q = `query($n: String!) { resolveClassName(name: $n, limit: 3) { name parent { name } } classPlacement(name: $n) { name } }`;
    const both = async (n: string) => {
      const r = ok(await api.gql(q, { n }));
      return [r.resolveClassName[0]?.name, r.classPlacement?.name ?? null];
    };
    // "buildings" IS WordNet's building (filed where building is); "oxeye daisy" goes under daisy
    assert.deepEqual(await both('buildings'), ['building', 'structure']);
    assert.deepEqual(await both('oxeye daisy'), ['daisy', 'daisy']);
    assert.deepEqual(await both('mountain'), ['mountain', 'natural elevation']);
    assert.deepEqual(await both('glacier'), ['geological formation', 'geological formation']);
  });
});
