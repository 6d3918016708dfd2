// Hostile clients against a real running API (real database, backbone, storage), one table row per attack.
// Every row asserts the error code (and HTTP status) it must get, that the answer carries no stack, SQL, Prisma
// query or server path, and that /health still answers afterwards; the suite ends by checking that database
// rows and files agree (no temp files, no orphan blobs, no leftover upload scratch).
// The server runs in the embedded default's open-reads mode (the configuration the adversarial run attacked)
// without a job worker, so a version created here stays queued.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import WebSocket from 'ws';
import { getIntrospectionQuery } from 'graphql';
import { authenticateToken, setTokenCacheTiming, TOKEN_CACHE_MS } from '@accrete/auth';
import { failureReason } from '@accrete/jobs';
import { createClient } from 'graphql-ws';
import { startTestApi, ok, FLOWERS, REPO, type TestApi } from './harness.js';
import { makeZip } from '@accrete/datasets/testing';
import { CSRF_HEADER, uploadsSettled } from '../src/upload.js';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../src/server.js';
import { FIELD_CAPS } from '../src/limits.js';

const MAX_BYTES = 300_000;
const MAX_REQUEST = 2_000_000;
let api: TestApi;
let datasetId: string;
let v1: string;
let modelId: string;
let imageId: string;
let userClassId: string;
let jpeg: Buffer;
let jpeg2: Buffer;

interface Answer {
  status: number;
  text: string;
}
interface Row {
  name: string;
  /** expected error code (extensions.code / error.code), or null for a row that must succeed */
  code: string | null;
  status?: number;
  run(): Promise<Answer>;
  /** extra checks on the parsed answer */
  check?(body: any): void | Promise<void>;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function gqlRaw(
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = null,
): Promise<Answer> {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, text: await res.text() };
}
const asAdmin = (query: string, variables: Record<string, unknown> = {}) => gqlRaw(query, variables, api.tokens.admin);

async function uploadRaw(
  files: { name: string; data: Uint8Array }[],
  fields: Record<string, string> = {},
  token: string | null = api?.tokens.editor,
): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)]), f.name);
  const res = await fetch(`${api.url}/upload`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), [CSRF_HEADER]: '1' },
    body: form,
  });
  return { status: res.status, text: await res.text() };
}

/**
 * A raw HTTP/1.1 exchange over a socket: writes `head` and `body` (chunks, optionally chunked encoding),
 * optionally half-closes early (a cut-off body), and reads the whole answer.
 */
function rawHttp(head: string, body: Buffer[], opts: { chunked?: boolean; endEarly?: boolean } = {}): Promise<Answer> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    const got: Buffer[] = [];
    sock.on('data', (c) => got.push(c));
    sock.on('error', (e) => (got.length ? undefined : reject(e)));
    sock.on('close', () => {
      const text = Buffer.concat(got).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0);
      resolve({ status, text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.write(head);
    let i = 0;
    const pump = () => {
      // stop sending once the server has answered (it refuses a body it will not read)
      while (i < body.length && got.length === 0) {
        const c = body[i++];
        const ok = sock.write(
          opts.chunked ? Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]) : c,
        );
        if (!ok) return void sock.once('drain', pump);
      }
      if (opts.endEarly) sock.end();
      else if (opts.chunked && got.length === 0) sock.write('0\r\n\r\n');
    };
    pump();
  });
}

function multipart(boundary: string, parts: { name: string; filename?: string; data: Buffer }[]): Buffer {
  return Buffer.concat(
    parts
      .flatMap((p) => [
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`,
        ),
        p.data,
        Buffer.from('\r\n'),
      ])
      .concat([Buffer.from(`--${boundary}--\r\n`)]),
  );
}

function leaks(text: string): string | null {
  if (/\n\s+at .+:\d+:\d+/.test(text) || /\\n\s+at .+:\d+:\d+/.test(text)) return 'a stack trace';
  if (/\b(SELECT|INSERT INTO|UPDATE "|DELETE FROM)\b/.test(text) || /prisma\.|Invalid `|invocation/i.test(text))
    return 'SQL or a Prisma query';
  for (const p of [api.config.dataDir, REPO, '/tmp/', '/work/', '/home/', '/root/'])
    if (text.includes(p)) return `the server path ${p}`;
  return null;
}

function codeIn(body: any): string | undefined {
  return body?.errors?.[0]?.extensions?.code ?? body?.error?.code;
}

async function health(): Promise<number> {
  return (await fetch(`${api.url}/health`)).status;
}

before(async () => {
  api = await startTestApi({
    ACCRETE_OPEN_READS: 'true',
    ACCRETE_RUN_WORKER: 'false',
    ACCRETE_MAX_UPLOAD_BYTES: String(MAX_BYTES),
    ACCRETE_MAX_UPLOAD_REQUEST_BYTES: String(MAX_REQUEST),
  });
  const d = ok(await api.gql(`{ model(name: "${api.config.baseModelName}") { id version(number: 1) { id } } }`));
  modelId = d.model.id;
  v1 = d.model.version.id;
  datasetId = ok(await api.gql(`mutation { createDataset(input: { name: "hostile" }) { id } }`)).createDataset.id;
  const dir = join(FLOWERS, 'train', 'daisy');
  const names = (await readdir(dir)).sort();
  jpeg = await readFile(join(dir, names[0]));
  jpeg2 = await readFile(join(dir, names[1]));
  const up = await api.upload([{ name: 'p.jpg', data: jpeg }]);
  imageId = up.body.images[0].id;
  userClassId = ok(await api.gql(`mutation { createClass(input: { name: "hostile orchid" }) { id } }`)).createClass.id;
  // a version being trained that adds the class (the runner here has no worker: it stays queued)
  await api.db.prisma.modelVersion.create({
    data: {
      modelId,
      number: 77,
      parentId: v1,
      status: 'TRAINING',
      strategy: 'guarded',
      classCount: 1001,
      params: { newClasses: [{ label: 'orchid', classNodeId: userClassId }], merges: [] },
    },
  });
});
after(() => api?.close());

const svg = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>',
);

function rows(): Row[] {
  const boundary = 'hostileBoundary';
  const uploadHead = (len: number, extra = '') =>
    `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.tokens.editor}\r\n${CSRF_HEADER}: 1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n${extra}Content-Length: ${len}\r\nConnection: close\r\n\r\n`;
  const big = Buffer.alloc(64 * 1024, 7);
  const predictAliases = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `p${i}: predict(input: { imageId: "${imageId}" }) { version { number } }`).join(' ')} }`;
  const introspectionBomb = `{ ${Array.from({ length: 40 }, (_, i) => `s${i}: __schema { types { name fields { name type { name fields { name type { name } } } } } }`).join(' ')} }`;
  const deepType = `{ __type(name: "Query") { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } }`;
  return [
    // ---- /upload: crashes and resource limits
    {
      name: 'truncated multipart body (file part cut off, connection half-closed)',
      code: 'BAD_INPUT',
      status: 400,
      run: () => {
        const body = multipart(boundary, [{ name: 'file', filename: 'a.jpg', data: jpeg }]).subarray(0, 2000);
        return rawHttp(uploadHead(body.length + 50_000), [body], { endEarly: true });
      },
    },
    {
      name: 'multipart body ending without its closing boundary',
      code: 'BAD_INPUT',
      status: 400,
      run: () => {
        const body = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`),
          jpeg.subarray(0, 500),
        ]);
        return rawHttp(uploadHead(body.length), [body]);
      },
    },
    {
      name: 'upload declaring more than the request cap',
      code: 'BAD_INPUT',
      status: 413,
      run: () => rawHttp(uploadHead(MAX_REQUEST + 1), [Buffer.alloc(10)]),
    },
    {
      name: 'chunked upload streaming past the request cap (many files under the per-file cap)',
      code: 'BAD_INPUT',
      status: 413,
      run: () => {
        const parts = Array.from({ length: 12 }, (_, i) => ({
          name: 'file',
          filename: `f${i}.bin`,
          data: Buffer.alloc(MAX_BYTES - 1000, i),
        }));
        const body = multipart(boundary, parts);
        const head = uploadHead(0).replace('Content-Length: 0\r\n', 'Transfer-Encoding: chunked\r\n');
        return rawHttp(
          head,
          Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536)),
          { chunked: true },
        );
      },
    },
    {
      name: 'one file over the per-file cap',
      code: 'BAD_INPUT',
      status: 413,
      run: () => uploadRaw([{ name: 'big.jpg', data: Buffer.alloc(MAX_BYTES + 1, 1) }], { datasetId }),
    },
    { name: 'upload with no files', code: 'BAD_INPUT', status: 400, run: () => uploadRaw([], { datasetId }) },
    {
      name: 'upload that is not multipart',
      code: 'BAD_INPUT',
      status: 400,
      run: async () => {
        const res = await fetch(`${api.url}/upload`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${api.tokens.editor}`,
            [CSRF_HEADER]: '1',
            'content-type': 'application/json',
          },
          body: '{}',
        });
        return { status: res.status, text: await res.text() };
      },
    },
    {
      name: 'upload without the CSRF header',
      code: 'FORBIDDEN',
      status: 403,
      run: async () => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(jpeg)]), 'a.jpg');
        const res = await fetch(`${api.url}/upload`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.tokens.editor}` },
          body: form,
        });
        return { status: res.status, text: await res.text() };
      },
    },
    {
      name: 'upload without a token',
      code: 'UNAUTHENTICATED',
      status: 401,
      run: () => uploadRaw([{ name: 'a.jpg', data: jpeg }], {}, null),
    },
    {
      name: 'upload with a READER token',
      code: 'FORBIDDEN',
      status: 403,
      run: () => uploadRaw([{ name: 'a.jpg', data: jpeg }], {}, api.tokens.reader),
    },
    {
      name: 'upload with an unknown token',
      code: 'UNAUTHENTICATED',
      status: 401,
      run: () => uploadRaw([{ name: 'a.jpg', data: jpeg }], {}, 'acc_nope'),
    },
    {
      name: 'upload with a bad split field',
      code: 'BAD_INPUT',
      status: 400,
      run: () => uploadRaw([{ name: 'a.jpg', data: jpeg }], { datasetId, label: 'daisy', split: 'TEST' }),
    },
    {
      name: 'zip without a datasetId',
      code: 'BAD_INPUT',
      status: 400,
      run: () => uploadRaw([{ name: 'a.zip', data: makeZip([{ name: 'daisy/a.jpg', data: jpeg }]) }]),
    },
    {
      name: 'zip with a ../ entry',
      code: 'BAD_INPUT',
      status: 400,
      run: () =>
        uploadRaw(
          [
            {
              name: 'a.zip',
              data: makeZip([
                { name: 'daisy/a.jpg', data: jpeg },
                { name: '../x.jpg', data: jpeg },
              ]),
            },
          ],
          { datasetId },
        ),
    },
    {
      name: 'zip with an absolute entry',
      code: 'BAD_INPUT',
      status: 400,
      run: () => uploadRaw([{ name: 'a.zip', data: makeZip([{ name: '/etc/x.jpg', data: jpeg }]) }], { datasetId }),
    },
    {
      name: 'zip with a NUL in an entry name',
      code: 'BAD_INPUT',
      status: 400,
      run: () => uploadRaw([{ name: 'a.zip', data: makeZip([{ name: 'daisy/a\0.jpg', data: jpeg }]) }], { datasetId }),
    },
    {
      name: 'garbage behind a zip signature',
      code: 'BAD_INPUT',
      status: 400,
      run: () =>
        uploadRaw(
          [{ name: 'a.zip', data: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 9)]) }],
          { datasetId },
        ),
    },
    {
      name: 'upload into an unknown dataset',
      code: 'NOT_FOUND',
      status: 404,
      run: () =>
        uploadRaw([{ name: 'a.jpg', data: jpeg }], {
          datasetId: '00000000-0000-4000-8000-000000000000',
          label: 'daisy',
        }),
    },
    {
      name: 'NUL byte in an upload label',
      code: 'BAD_INPUT',
      status: 400,
      run: () => uploadRaw([{ name: 'a.jpg', data: jpeg }], { datasetId, label: 'dai\0sy' }),
    },
    {
      name: 'U+202E in an upload label',
      code: 'BAD_INPUT',
      status: 400,
      run: () => uploadRaw([{ name: 'a.jpg', data: jpeg }], { datasetId, label: 'daisy\u202Egpj' }),
    },
    {
      name: 'zip mixing ./cls/x.jpg and cls/y.jpg files both under "cls", no label "."',
      code: null,
      status: 200,
      run: () =>
        uploadRaw(
          [
            {
              name: 'dots.zip',
              data: makeZip([
                { name: './tulipa/x.jpg', data: jpeg },
                { name: 'tulipa/y.jpg', data: jpeg2 },
              ]),
            },
          ],
          { datasetId },
        ),
      check: async (body) => {
        assert.equal(body.accepted + body.duplicates, 2, JSON.stringify(body));
        const labels = await api.db.prisma.datasetImage.findMany({
          where: { datasetId },
          distinct: ['label'],
          select: { label: true },
        });
        assert.ok(!labels.some((l) => l.label === '.'), JSON.stringify(labels));
        assert.ok(labels.some((l) => l.label === 'tulipa'));
      },
    },
    {
      name: 'SVG uploaded into a dataset is rejected with a reason',
      code: null,
      status: 200,
      run: () => uploadRaw([{ name: 'x.svg', data: svg }], { datasetId, label: 'daisy' }),
      check: (body) => {
        assert.equal(body.accepted, 0);
        assert.match(body.rejections[0].reason, /not an image/);
      },
    },

    // ---- /graphql transport
    {
      name: 'chunked /graphql body over the size limit',
      code: 'BAD_INPUT',
      status: 413,
      run: () => {
        const limit = Math.ceil(MAX_BYTES * 1.4) + 1_000_000;
        const chunks = Array.from({ length: Math.ceil((limit + 100_000) / big.length) }, () => big);
        return rawHttp(
          `POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
          chunks,
          { chunked: true },
        );
      },
    },
    {
      name: '/graphql body declaring more than the size limit',
      code: 'BAD_INPUT',
      status: 413,
      run: () =>
        rawHttp(
          `POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n`,
          [Buffer.from('{"query":')],
        ),
    },
    {
      name: '/graphql body that is not JSON',
      code: 'BAD_INPUT',
      status: 400,
      run: async () => {
        const res = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query": "{ models { total',
        });
        return { status: res.status, text: await res.text() };
      },
    },
    {
      name: '/graphql body cut off mid-way',
      code: 'BAD_INPUT',
      status: 400,
      run: () =>
        rawHttp(
          `POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n`,
          [Buffer.from('{"query":"{ models { totalCount } }"')],
          { endEarly: true },
        ),
    },

    // ---- query cost
    {
      name: 'introspection bomb: 40 aliased __schema selections, anonymous',
      code: 'BAD_INPUT',
      status: 400,
      run: () => gqlRaw(introspectionBomb),
    },
    // graphql-js' own MaxIntrospectionDepthRule refuses this one first, with its stable validation code
    {
      name: 'introspection bomb: __type nested through fields/type 5 levels',
      code: 'GRAPHQL_VALIDATION_FAILED',
      status: 400,
      run: () => gqlRaw(deepType),
    },
    {
      name: 'introspection bomb: 20 aliased full-schema type listings with fields and args',
      code: 'BAD_INPUT',
      status: 400,
      run: () =>
        gqlRaw(
          `{ ${Array.from({ length: 20 }, (_, i) => `s${i}: __schema { types { name fields { name args { name type { name } } type { name ofType { name } } } } }`).join(' ')} }`,
        ),
    },
    {
      name: "a client's standard introspection query still works",
      code: null,
      status: 200,
      run: () => gqlRaw(getIntrospectionQuery()),
      check: (body) => assert.ok(body.data.__schema.types.length > 50),
    },
    {
      name: `${FIELD_CAPS['Query.predict'] + 1} predict aliases in one request (predict cap)`,
      code: 'BAD_INPUT',
      status: 400,
      run: () => gqlRaw(predictAliases(FIELD_CAPS['Query.predict'] + 1)),
    },
    { name: '1000 predict aliases', code: 'BAD_INPUT', status: 400, run: () => gqlRaw(predictAliases(1000)) },
    {
      name: '250 compareVersions aliases',
      code: 'BAD_INPUT',
      status: 400,
      run: () =>
        gqlRaw(
          `{ ${Array.from({ length: 250 }, (_, i) => `c${i}: compareVersions(a: "${v1}", b: "${v1}") { classesAdded { name } }`).join(' ')} }`,
        ),
    },
    {
      name: 'query 20 levels deep',
      code: 'BAD_INPUT',
      status: 400,
      run: () => gqlRaw(`{ classNodes(first: 1) { nodes { ${'parent { '.repeat(20)}name${' }'.repeat(20)} } } }`),
    },
    {
      name: 'page size over the maximum',
      code: 'BAD_INPUT',
      run: () => gqlRaw(`{ models(first: 5000) { nodes { name } } }`),
    },

    // ---- cursors
    {
      name: 'cursor with an operator object as value',
      code: 'BAD_INPUT',
      run: () =>
        gqlRaw(`query($a: String) { models(after: $a) { nodes { name } } }`, {
          a: b64([{ gt: '2020-01-01' }, { not: 'x' }]),
        }),
    },
    {
      name: 'cursor with a number where a date goes',
      code: 'BAD_INPUT',
      run: () => gqlRaw(`query($a: String) { models(after: $a) { nodes { name } } }`, { a: b64([12345, 'id']) }),
    },
    {
      name: 'cursor with an invalid date',
      code: 'BAD_INPUT',
      run: () =>
        gqlRaw(`query($a: String) { models(after: $a) { nodes { name } } }`, { a: b64([{ d: 'yesterday' }, 'id']) }),
    },
    {
      name: 'cursor with the wrong arity',
      code: 'BAD_INPUT',
      run: () => gqlRaw(`query($a: String) { models(after: $a) { nodes { name } } }`, { a: b64([1]) }),
    },
    {
      name: 'cursor that is not base64 JSON',
      code: 'BAD_INPUT',
      run: () =>
        gqlRaw(`query($a: String) { models(before: $a, last: 2) { nodes { name } } }`, { a: '%%%not-a-cursor' }),
    },
    {
      name: 'cursor with a nested array value',
      code: 'BAD_INPUT',
      run: () => gqlRaw(`query($a: String) { datasets(after: $a) { nodes { name } } }`, { a: b64([['x'], 'y']) }),
    },

    // ---- text that must be refused
    {
      name: 'NUL byte in a search',
      code: 'BAD_INPUT',
      run: () => gqlRaw(`query($s: String) { models(filter: { search: $s }) { nodes { name } } }`, { s: 'mob\0ile' }),
    },
    {
      name: 'NUL byte inline in a query argument',
      code: 'BAD_INPUT',
      run: () => gqlRaw(`{ models(filter: { search: "a\\u0000b" }) { nodes { name } } }`),
    },
    {
      name: 'NUL byte in a dataset name',
      code: 'BAD_INPUT',
      run: () => asAdmin(`mutation($n: String!) { createDataset(input: { name: $n }) { id } }`, { n: 'evil\0set' }),
    },
    {
      name: 'NUL byte in a dataset description',
      code: 'BAD_INPUT',
      run: () =>
        asAdmin(`mutation($d: String) { createDataset(input: { name: "nul-desc", description: $d }) { id } }`, {
          d: 'x\0y',
        }),
    },
    {
      name: 'NUL byte in a token name',
      code: 'BAD_INPUT',
      run: () =>
        asAdmin(`mutation($n: String!) { createApiToken(input: { name: $n, role: READER }) { token } }`, {
          n: 'tok\0en',
        }),
    },
    {
      name: 'U+202E in a class name',
      code: 'BAD_INPUT',
      run: () =>
        asAdmin(`mutation($n: String!) { createClass(input: { name: $n }) { id } }`, { n: 'orchid\u202Egnp.exe' }),
    },
    {
      name: 'U+202E in a rename',
      code: 'BAD_INPUT',
      run: () =>
        asAdmin(`mutation($i: RenameClassInput!) { renameClass(input: $i) { id } }`, {
          i: { id: userClassId, name: 'x\u202Ey' },
        }),
    },
    {
      name: 'U+2066 isolate in a class alias',
      code: 'BAD_INPUT',
      run: () =>
        asAdmin(`mutation($n: String!) { createClass(input: { name: "iso", aliases: [$n] }) { id } }`, {
          n: 'a\u2066b',
        }),
    },
    {
      name: '"%" in a search is a literal, not a wildcard',
      code: null,
      status: 200,
      run: () =>
        gqlRaw(`{ models(filter: { search: "%" }) { totalCount } datasets(filter: { search: "%" }) { totalCount } }`),
      check: (body) => assert.deepEqual([body.data.models.totalCount, body.data.datasets.totalCount], [0, 0]),
    },
    {
      name: '"_" in a search is a literal, not a wildcard',
      code: null,
      status: 200,
      run: () =>
        gqlRaw(
          `{ models(filter: { search: "mobilenet_v1" }) { totalCount } classNodes(filter: { search: "_" }) { totalCount } }`,
        ),
      check: (body) => assert.equal(body.data.models.totalCount, 0),
    },

    // ---- predict input
    {
      name: 'predict an SVG (import refuses SVG, so does predict)',
      code: 'BAD_INPUT',
      run: () =>
        gqlRaw(`query($b: String) { predict(input: { imageBase64: $b }) { version { number } } }`, {
          b: svg.toString('base64'),
        }),
    },
    {
      name: 'predict garbage bytes',
      code: 'BAD_INPUT',
      run: () =>
        gqlRaw(`query($b: String) { predict(input: { imageBase64: $b }) { version { number } } }`, {
          b: Buffer.from('not an image').toString('base64'),
        }),
    },
    {
      name: 'predict an unknown image id',
      code: 'NOT_FOUND',
      run: () =>
        gqlRaw(`{ predict(input: { imageId: "00000000-0000-4000-8000-000000000000" }) { version { number } } }`),
    },
    {
      name: 'predict with two image sources',
      code: 'BAD_INPUT',
      run: () =>
        gqlRaw(
          `query($b: String) { predict(input: { imageBase64: $b, imageId: "${imageId}" }) { version { number } } }`,
          { b: jpeg.toString('base64') },
        ),
    },

    // ---- consistency and auth
    {
      name: 'delete a user class a version being trained adds',
      code: 'CONFLICT',
      run: () => asAdmin(`mutation($id: ID!) { deleteClass(id: $id) }`, { id: userClassId }),
      check: (b) => assert.match(b.errors[0].message, /being trained/),
    },
    {
      name: 'malformed Authorization header',
      code: 'UNAUTHENTICATED',
      run: async () => {
        const res = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Token abc' },
          body: JSON.stringify({ query: '{ viewer { name } }' }),
        });
        return { status: res.status, text: await res.text() };
      },
    },
    {
      name: 'unknown bearer token',
      code: 'UNAUTHENTICATED',
      run: () => gqlRaw(`{ models { totalCount } }`, {}, 'acc_unknown'),
    },
    {
      name: 'mutation anonymously in open-reads mode',
      code: 'UNAUTHENTICATED',
      run: () => gqlRaw(`mutation { createDataset(input: { name: "anon" }) { id } }`),
    },
    {
      name: 'server paths are hidden from anonymous readers',
      code: null,
      status: 200,
      run: () =>
        gqlRaw(
          `{ model(name: "${api.config.baseModelName}") { backbone { source } } dataset(id: "${datasetId}") { imports(first: 20) { nodes { source } } } }`,
        ),
      check: (body) => {
        assert.ok(!body.data.model.backbone.source.includes(api.config.sharedDir), body.data.model.backbone.source);
      },
    },
  ];
}

describe('hostile input: one row per attack', () => {
  const table = () => rows();
  test('the suite has 50+ rows', () => {
    assert.ok(rowsCount() >= 50, `only ${rowsCount()} rows`);
  });
  for (const [i, name] of rowNames().entries()) {
    test(`row ${i + 1}: ${name}`, async () => {
      const row = table()[i];
      const answer = await row.run();
      const leak = leaks(answer.text);
      assert.equal(leak, null, `${row.name}: the answer leaks ${leak}: ${answer.text.slice(0, 500)}`);
      let body: any = null;
      try {
        body = JSON.parse(answer.text);
      } catch {
        assert.fail(`${row.name}: not JSON (${answer.status}): ${answer.text.slice(0, 300)}`);
      }
      if (row.status)
        assert.equal(answer.status, row.status, `${row.name}: status ${answer.status}: ${answer.text.slice(0, 300)}`);
      if (row.code) assert.equal(codeIn(body), row.code, `${row.name}: ${answer.text.slice(0, 300)}`);
      else assert.equal(codeIn(body), undefined, `${row.name}: ${answer.text.slice(0, 300)}`);
      await row.check?.(body);
      assert.equal(await health(), 200, 'the server still answers /health');
    });
  }
});

// names without a server (test titles are needed before `before` runs)
function rowNames(): string[] {
  const saved = api;
  api = {
    url: 'http://127.0.0.1:1',
    tokens: { admin: '', editor: '', reader: '' },
    config: { baseModelName: 'm', dataDir: '/', sharedDir: '/' },
  } as never;
  try {
    return rows().map((r) => r.name);
  } finally {
    api = saved;
  }
}
function rowsCount(): number {
  return rowNames().length + WS_ROWS + OTHER_ROWS;
}
// the WebSocket and token rows below are separate tests (they need their own sockets)
const WS_ROWS = 6;
const OTHER_ROWS = 3;

describe('hostile WebSocket clients', () => {
  const wsUrl = () => `${api.url.replace('http', 'ws')}/graphql`;
  const closeOf = (ws: WebSocket) =>
    new Promise<{ code: number; reason: string }>((r) =>
      ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
    );

  test('ws row 1: a page on another origin cannot open the socket (403 at the upgrade)', async () => {
    const ws = new WebSocket(wsUrl(), 'graphql-transport-ws', { origin: 'https://evil.example' });
    const status = await new Promise<number>((r) =>
      ws.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)),
    );
    assert.equal(status, 403);
    assert.equal(await health(), 200);
  });

  test('ws row 2: the dashboard origin may open it', async () => {
    const ws = new WebSocket(wsUrl(), 'graphql-transport-ws', { origin: api.config.allowedOrigins[0] });
    await new Promise<void>((r, j) => (ws.once('open', () => r()), ws.once('error', j)));
    ws.close();
  });

  test('ws row 3: a bad token closes with 4401 and a reason, not 4500', async () => {
    const ws = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((r) => ws.once('open', r));
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer acc_wrong' } }));
    const { code, reason } = await closed;
    assert.equal(code, 4401);
    assert.match(reason, /unknown or revoked API token/);
    assert.equal(leaks(reason), null);
  });

  test('ws row 4: subscription errors carry extensions.code', async () => {
    const client = createClient({ url: wsUrl(), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    try {
      const errors = await new Promise<any[]>((resolve) => {
        client.subscribe(
          { query: `subscription { trainingJobUpdated(id: "00000000-0000-4000-8000-000000000000") { id } }` },
          {
            next: (r) => r.errors && resolve(r.errors as any[]),
            error: (e) => resolve(Array.isArray(e) ? e : [e]),
            complete: () => undefined,
          },
        );
      });
      assert.equal(errors[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(errors));
      assert.equal(leaks(JSON.stringify(errors)), null);
    } finally {
      await client.dispose();
    }
  });

  test(`ws row 5: more than ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions on one socket are refused with BAD_INPUT`, async () => {
    const job = await api.db.prisma.trainingJob.findFirst();
    const version = job ?? (await api.db.prisma.modelVersion.findFirstOrThrow({ where: { number: 77 } }));
    const jobId =
      job?.id ??
      (
        await api.db.prisma.trainingJob.create({
          data: { versionId: version.id, parentVersionId: v1, strategy: 'guarded', status: 'QUEUED' },
        })
      ).id;
    const client = createClient({ url: wsUrl(), webSocketImpl: WebSocket, retryAttempts: 0 });
    const stops: (() => void)[] = [];
    try {
      const firsts = Array.from(
        { length: MAX_SUBSCRIPTIONS_PER_SOCKET },
        () =>
          new Promise<void>((resolve, reject) => {
            stops.push(
              client.subscribe(
                { query: `subscription($id: ID!) { trainingJobUpdated(id: $id) { id } }`, variables: { id: jobId } },
                {
                  next: () => resolve(),
                  error: reject,
                  complete: () => undefined,
                },
              ),
            );
          }),
      );
      await Promise.all(firsts);
      const refused = await new Promise<any[]>((resolve) => {
        stops.push(
          client.subscribe(
            { query: `subscription($id: ID!) { trainingJobUpdated(id: $id) { id } }`, variables: { id: jobId } },
            {
              next: () => resolve([]),
              error: (e) => resolve(e as any[]),
              complete: () => undefined,
            },
          ),
        );
      });
      assert.equal(refused[0]?.extensions?.code, 'BAD_INPUT', JSON.stringify(refused));
      assert.equal(await health(), 200);
    } finally {
      for (const s of stops) s();
      await client.dispose();
    }
  });

  test('ws row 6: revoking the token closes its open subscription socket', async () => {
    const made = ok(
      await api.gql(
        `mutation { createApiToken(input: { name: "ws-revoked", role: READER }) { token apiToken { id } } }`,
      ),
    ).createApiToken;
    const ws = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((r) => ws.once('open', r));
    const acked = new Promise((r) => ws.once('message', r));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${made.token}` } }));
    await acked;
    const closed = closeOf(ws);
    ok(await api.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: made.apiToken.id }));
    const { code, reason } = await closed; // the socket's re-check runs every TOKEN_CACHE_MS
    assert.equal(code, 4401);
    assert.match(reason, /revoked/);
  });
});

describe('hostile sequences', () => {
  test('other row 1: concurrent imports of the same files into one dataset: both answer, no unique-key error, no duplicate rows', async () => {
    const ds = ok(await api.gql(`mutation { createDataset(input: { name: "concurrent" }) { id } }`)).createDataset.id;
    const files = [
      { name: 'a.jpg', data: jpeg },
      { name: 'b.jpg', data: jpeg2 },
    ];
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => api.upload(files, { datasetId: ds, label: 'daisy' })),
    );
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(
      answers.reduce((n, a) => n + a.body.accepted, 0),
      2,
      'each image accepted exactly once',
    );
    assert.equal(await api.db.prisma.datasetImage.count({ where: { datasetId: ds } }), 2);
  });

  test('other row 2: a job failure reason shown to users carries no path and no code snippet', async () => {
    const err = Object.assign(
      new Error(
        `ENOSPC: no space left on device, write '${api.config.paths.bottlenecks}/ab/x.bn'\n    at writeFile (node:fs)\n  12 | const x = y;`,
      ),
      { code: 'ENOSPC' },
    );
    const reason = failureReason(err);
    assert.match(reason, /disk is full/);
    assert.equal(leaks(reason), null, reason);
    assert.ok(!reason.includes('\n'));
    const nested = failureReason(
      new Error(`cannot read the exported model of parent version 3 in ${api.config.paths.artifacts}/v3: ENOENT`),
    );
    assert.equal(leaks(nested), null, nested);
  });

  test('other row 3: a revoked token is refused by another API process within the token cache time (injected clock)', async () => {
    let t = Date.now();
    const previous = setTokenCacheTiming({ ttlMs: TOKEN_CACHE_MS, now: () => t });
    try {
      const made = ok(
        await api.gql(
          `mutation { createApiToken(input: { name: "elsewhere", role: EDITOR }) { token apiToken { id } } }`,
        ),
      ).createApiToken;
      // "another process": a second Prisma client object has its own token cache
      const other = api.db.prisma.$extends({}) as unknown as typeof api.db.prisma;
      assert.ok(await authenticateToken(other, made.token));
      ok(await api.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: made.apiToken.id }));
      t += TOKEN_CACHE_MS;
      assert.equal(await authenticateToken(other, made.token), null);
    } finally {
      setTokenCacheTiming(previous);
    }
  });
});

describe('after the attacks: rows and files agree', () => {
  async function files(dir: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (d: string) => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(p);
      }
    };
    await walk(dir);
    return out;
  }

  test('every image file has its row and every row its file; no temp files; no upload scratch left', async () => {
    const { paths } = api.config;
    await uploadsSettled(); // clients that left early do not wait for the server to clean up after them
    const onDisk = (await files(paths.images)).map((f) => relative(paths.images, f).split(sep).join('/'));
    assert.deepEqual(
      onDisk.filter((f) => f.endsWith('.tmp')),
      [],
    );
    const rows = await api.db.prisma.image.findMany({ select: { storageKey: true } });
    assert.deepEqual(onDisk.slice().sort(), rows.map((r) => r.storageKey).sort());
    for (const r of rows) assert.ok((await stat(join(paths.images, r.storageKey))).size > 0);
    assert.deepEqual(await readdir(paths.uploads), [], 'upload scratch removed after every request');
    assert.equal(await api.db.prisma.datasetImage.count({ where: { label: '.' } }), 0);
    assert.equal(await health(), 200);
  });
});
