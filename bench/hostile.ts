// /health latency while hostile clients attack a real API process (target p99 ≤ 200 ms during each attack).
// The API runs as `npm start` runs it (apps/api/src/main.ts, embedded PGlite, in its own process and data dir);
// this process sends one attack at a time with `--concurrency` parallel attackers for `--seconds`, while a prober
// asks /health back to back, and reports p50/p99/max of /health per attack (plus a quiet baseline) and what the
// attackers got back. Prints and saves bench/results/hostile.json. Figures, not assertions: the machine is shared.
// Run: node --import tsx bench/hostile.ts [--seconds 4] [--concurrency 4] [--port 4793]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc } from 'node:zlib';
import sharp from 'sharp';
import WebSocket from 'ws';
import { getIntrospectionQuery } from 'graphql';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '..');
const SHARED = resolve(REPO, '../shared');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '4' },
    port: { type: 'string', default: '4793' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const PORT = Number(values.port);
const URL_ = `http://127.0.0.1:${PORT}`;

const dataDir = await mkdtemp(join(tmpdir(), 'accrete-bench-hostile-'));
// PGlite: one process at a time, so the token is made before the API opens the database
const token = await createToken();
async function createToken(): Promise<string> {
  const out = await new Promise<string>((res, rej) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', 'tools/create-token.ts', '--name', 'bench', '--role', 'ADMIN'],
      { cwd: REPO, env: { ...process.env, ACCRETE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let s = '';
    p.stdout!.on('data', (c) => (s += c));
    p.once('exit', (code) => (code === 0 ? res(s) : rej(new Error(`create-token exited ${code}`))));
  });
  return /acc_[\w-]+/.exec(out)![0];
}

const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
  cwd: REPO,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    ACCRETE_DATA_DIR: dataDir,
    ACCRETE_API_PORT: String(PORT),
    ACCRETE_OPEN_READS: 'true',
    ACCRETE_MAX_UPLOAD_REQUEST_BYTES: String(64 * 1024 * 1024),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolveReady, reject) => {
  child.stdout!.on('data', (c: Buffer) => /api: ready/.test(c.toString()) && resolveReady());
  child.once('exit', (code) => reject(new Error(`api exited ${code}`)));
});

const gql = (query: string, variables: Record<string, unknown> = {}, auth = false) =>
  fetch(`${URL_}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });

const flowers = join(SHARED, 'datasets/flowers/train/daisy');
const photos = await Promise.all(
  (await readdir(flowers))
    .sort()
    .slice(0, 40)
    .map((f) => readFile(join(flowers, f))),
);
const upload = await fetch(`${URL_}/upload`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'x-accrete-csrf': '1' },
  body: (() => {
    const f = new FormData();
    f.append('file', new Blob([new Uint8Array(photos[0])]), 'a.jpg');
    return f;
  })(),
});
const imageId = ((await upload.json()) as { images: { id: string }[] }).images[0].id;
const v1 = (
  (await (await gql(`{ model(name: "mobilenet-v1-0.75") { version(number: 1) { id } } }`)).json()) as {
    data: { model: { version: { id: string } } };
  }
).data.model.version.id;
const dsId = (
  (await (await gql(`mutation { createDataset(input: { name: "bench" }) { id } }`, {}, true)).json()) as {
    data: { createDataset: { id: string } };
  }
).data.createDataset.id;

function rawSend(head: string, body: Buffer[], endEarly: boolean): Promise<number> {
  return new Promise((res) => {
    const sock = connect(PORT, '127.0.0.1');
    let status = 0;
    sock.on('data', (c) => (status ||= Number(/^HTTP\/1\.1 (\d+)/.exec(c.toString())?.[1] ?? 0)));
    sock.on('error', () => undefined);
    sock.on('close', () => res(status));
    sock.write(head);
    let i = 0;
    const pump = () => {
      while (i < body.length && !status) if (!sock.write(body[i++])) return void sock.once('drain', pump);
      if (endEarly) sock.end();
    };
    pump();
  });
}

function zipOf(n: number, files: Buffer[] = photos): Buffer {
  // stored entries (no compression): n photos under one class folder
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const name = Buffer.from(`daisy/${i}.jpg`);
    const data = files[i % files.length];
    const crc = zlibCrc(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(n, 8);
  end.writeUInt16LE(n, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const MB = Buffer.alloc(1024 * 1024, 1);

// As many distinct photos as the large import (20 000 zip entries, every one new: no dedupe shortcut), one
// colour each; made once, sent once, and /health is probed until that import has answered.
const LARGE_IMPORT = 20_000;
const largeZip = zipOf(
  LARGE_IMPORT,
  await Promise.all(
    Array.from({ length: LARGE_IMPORT }, (_, i) =>
      sharp({
        create: { width: 16, height: 16, channels: 3, background: { r: i & 255, g: (i >> 8) & 255, b: 77 } },
      })
        .jpeg()
        .toBuffer(),
    ),
  ),
);
/** POST /upload of a zip into the bench's dataset (an import). */
function importZip(zip: Buffer, name: string): Promise<Response> {
  const f = new FormData();
  f.append('datasetId', dsId);
  f.append('file', new Blob([new Uint8Array(zip)]), name);
  return fetch(`${URL_}/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-accrete-csrf': '1' },
    body: f,
  });
}
/** Attacks sent once (one attacker) and probed until they finish, however long that is. */
const ONCE = new Set([`zip import of ${LARGE_IMPORT} distinct photos (once, probed until done)`]);
const attacks: Record<string, () => Promise<unknown>> = {
  'quiet (no attack)': async () => new Promise((r) => setTimeout(r, 50)),
  'introspection bomb (40 aliased __schema)': () =>
    gql(
      `{ ${Array.from({ length: 40 }, (_, i) => `s${i}: __schema { types { name fields { name type { name fields { name } } } } }`).join(' ')} }`,
    ).then((r) => r.text()),
  'standard introspection query (allowed)': () => gql(getIntrospectionQuery()).then((r) => r.text()),
  '1000 predict aliases': () =>
    gql(
      `{ ${Array.from({ length: 1000 }, (_, i) => `p${i}: predict(input: { imageId: "${imageId}" }) { version { number } }`).join(' ')} }`,
    ).then((r) => r.text()),
  '8 predict aliases (the cap, allowed)': () =>
    gql(
      `{ ${Array.from({ length: 8 }, (_, i) => `p${i}: predict(input: { imageId: "${imageId}" }) { version { number } }`).join(' ')} }`,
    ).then((r) => r.text()),
  '250 compareVersions aliases': () =>
    gql(
      `{ ${Array.from({ length: 250 }, (_, i) => `c${i}: compareVersions(a: "${v1}", b: "${v1}") { classesAdded { name } }`).join(' ')} }`,
    ).then((r) => r.text()),
  'cursor with operator objects': () =>
    gql(`query($a: String) { models(after: $a) { nodes { name } } }`, {
      a: Buffer.from(JSON.stringify([{ gt: 1 }, { not: 'x' }])).toString('base64url'),
    }).then((r) => r.text()),
  'NUL bytes in search': () =>
    gql(`query($s: String) { models(filter: { search: $s }) { nodes { name } } }`, { s: 'a\0b' }).then((r) => r.text()),
  'chunked /graphql body of 40 MB': () =>
    rawSend(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      Array.from({ length: 40 }, () =>
        Buffer.concat([Buffer.from(`${MB.length.toString(16)}\r\n`), MB, Buffer.from('\r\n')]),
      ),
      false,
    ),
  'truncated multipart upload': () =>
    rawSend(
      `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nx-accrete-csrf: 1\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 900000\r\nConnection: close\r\n\r\n`,
      [
        Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`),
        photos[0].subarray(0, 20000),
      ],
      true,
    ),
  'upload of 100 MB (over the 64 MB request cap)': () =>
    rawSend(
      `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nx-accrete-csrf: 1\r\nContent-Type: multipart/form-data; boundary=B\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      [
        Buffer.from(`--B\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n`),
        ...Array.from({ length: 100 }, () => MB),
      ].map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')])),
      false,
    ),
  'zip import of 400 photos': () => importZip(zipOf(400), 'many.zip').then((r) => r.text()),
  [`zip import of ${LARGE_IMPORT} distinct photos (once, probed until done)`]: () =>
    importZip(largeZip, 'large.zip').then(async (r) => {
      if (!r.ok) throw new Error(`large import answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
    }),
  '60 subscriptions on one socket': async () => {
    const ws = new WebSocket(`${URL_.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await new Promise((r) => ws.once('message', r));
    for (let i = 0; i < 60; i++)
      ws.send(
        JSON.stringify({
          id: String(i),
          type: 'subscribe',
          payload: { query: `subscription { trainingJobUpdated(id: "00000000-0000-4000-8000-000000000000") { id } }` },
        }),
      );
    await new Promise((r) => setTimeout(r, 500));
    ws.close();
  },
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

const results: Record<
  string,
  {
    health: { n: number; p50: number; p99: number; max: number };
    attacks: number;
    attackErrors: number;
    seconds: number;
  }
> = {};
for (const [name, attack] of Object.entries(attacks)) {
  const until = performance.now() + SECONDS * 1000;
  let attacksDone = 0;
  let attackErrors = 0;
  const started = performance.now();
  const once = ONCE.has(name);
  let attacking = true;
  const attackers = Array.from({ length: name.startsWith('quiet') || once ? 1 : CONCURRENCY }, async () => {
    do {
      try {
        await attack();
      } catch {
        attackErrors++;
      }
      attacksDone++;
    } while (!once && performance.now() < until);
  });
  void Promise.all(attackers).then(() => (attacking = false));
  const health: number[] = [];
  const prober = (async () => {
    while (performance.now() < until || (once && attacking)) {
      const t0 = performance.now();
      const r = await fetch(`${URL_}/health`);
      await r.text();
      health.push(performance.now() - t0);
    }
  })();
  await Promise.all([...attackers, prober]);
  results[name] = {
    health: {
      n: health.length,
      p50: +pct(health, 50).toFixed(1),
      p99: +pct(health, 99).toFixed(1),
      max: +Math.max(...health).toFixed(1),
    },
    attacks: attacksDone,
    attackErrors,
    seconds: +((performance.now() - started) / 1000).toFixed(1),
  };
  console.log(
    `${name.padEnd(48)} /health p50 ${results[name].health.p50} ms  p99 ${results[name].health.p99} ms  max ${results[name].health.max} ms  (${health.length} probes, ${attacksDone} attacks)`,
  );
  const alive = await fetch(`${URL_}/health`)
    .then((r) => r.status)
    .catch(() => 0);
  if (alive !== 200) throw new Error(`the API stopped answering after "${name}"`);
}

const out = {
  date: new Date().toISOString(),
  loadavg: loadavg(),
  seconds: SECONDS,
  concurrency: CONCURRENCY,
  targetP99Ms: 200,
  results,
};
await mkdir(join(REPO, 'bench/results'), { recursive: true });
await writeFile(join(REPO, 'bench/results/hostile.json'), JSON.stringify(out, null, 2) + '\n');
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; saved bench/results/hostile.json`,
);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await rm(dataDir, { recursive: true, force: true });
