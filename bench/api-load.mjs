// Load generator for bench/api.ts, run as a child process (own event loop, free to use the other core) so the
// client's HTTP/JSON work does not steal time from the server being measured, and the server's CPU time
// (process.cpuUsage) is its own. Plain JS: runs with plain node.
import http from 'node:http';
// job: { kind: 'predict', url, token, images, count }
//    | { kind: 'list', url, token, versionId, clients, perClient, ramp }
//    with `untilStop: true`, count / perClient are ignored: after the warm-up and each client's `ramp` requests the
//    child sends 'ready' and keeps the same clients (and their keep-alive sockets) asking until the parent sends
//    'stop' — the steady state of clients that stay connected for a whole training job.
// result: { ms[], at[], infer[], errors, resets, requests, wallS, clientCpuMs, firstError? }  (at: each timed request's
// start, epoch ms; resets: connections the server dropped — ECONNRESET / socket hang up — counted apart, they are
// what an overloaded event loop causes)

// node:http with a keep-alive agent (one socket per client): undici's fetch showed multi-second tails at
// 50 concurrent requests that were the client's, not the server's
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function post(job, query, variables) {
  const t = performance.now();
  const payload = Buffer.from(JSON.stringify({ query, variables }));
  return new Promise((resolve, reject) => {
    const req = http.request(
      job.url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: `Bearer ${job.token}`,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (res.statusCode !== 200 || body.errors)
              return reject(new Error(`HTTP ${res.statusCode}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`));
            resolve({ ms: performance.now() - t, body });
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const PREDICT = `query($i: PredictInput!) { predict(input: $i) { inferenceMs version { number } classes { label probability taxonomyPath } } }`;
// a version's classes with their class nodes, 20 per page, random pages (cursor = output unit)
const LIST = `query($id: ID!, $after: String) { modelVersion(id: $id) { classes(first: 20, after: $after) {
  edges { cursor node { outputUnit added classNode { id name wnid } } } pageInfo { hasNextPage endCursor } } } }`;
const cursor = (unit) => Buffer.from(JSON.stringify([unit])).toString('base64url');

/** Reads every page once, as a server that has been up a while has: 50 pages of 20 cover the 1000 classes. */
async function warmList(job) {
  for (let i = 0; i < 50; i++) await post(job, LIST, { id: job.versionId, after: i === 0 ? null : cursor(i * 20 - 1) });
}

let stopped = false;
process.on('message', (m) => {
  if (m === 'stop') stopped = true;
});
const more = (job, i, n) => (job.untilStop ? !stopped : i < n);

export async function runLoad(job) {
  const ms = [];
  const at = [];
  let sent = 0;
  const infer = [];
  let errors = 0;
  let resets = 0;
  let firstError;
  const attempt = async (fn) => {
    try {
      await fn();
    } catch (e) {
      errors++;
      if (e.code === 'ECONNRESET' || /socket hang up/.test(e.message)) resets++;
      firstError ??= e.message;
    }
  };
  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  if (job.kind === 'predict') {
    const img = (i) => job.images[i % job.images.length];
    for (let i = 0; i < (job.warmup ?? 20); i++) await post(job, PREDICT, { i: { imageBase64: img(i), topK: 5 } }); // warm-up
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    if (job.untilStop) process.send('ready');
    for (let i = 0; more(job, i, job.count); i++) {
      await attempt(async () => {
        const started = Date.now();
        const r = await post(job, PREDICT, { i: { imageBase64: img(i), topK: 5 } });
        ms.push(r.ms);
        at.push(started);
        infer.push(r.body.data.predict.inferenceMs);
      });
    }
  } else {
    if (job.warmup !== 0) await warmList(job);
    t0 = performance.now();
    cpu0 = process.cpuUsage();
    // all clients start at once; each one's first `ramp` requests (that start-up stampede) are sent, checked
    // and not timed, so the figures describe the steady state
    let ramping = job.clients;
    if (job.untilStop && job.ramp === 0) process.send('ready');
    await Promise.all(
      Array.from({ length: job.clients }, async (_, c) => {
        for (let i = 0; i < job.ramp || more(job, i - job.ramp, job.perClient); i++) {
          if (i === job.ramp && job.untilStop && job.ramp > 0 && --ramping === 0) process.send('ready');
          sent++;
          await attempt(async () => {
            const started = Date.now();
            const r = await post(job, LIST, { id: job.versionId, after: cursor((c * 97 + i * 31) % 980) });
            if (i >= job.ramp) {
              ms.push(r.ms);
              at.push(started);
            }
          });
        }
      }),
    );
  }
  const cpu = process.cpuUsage(cpu0);
  const requests = job.kind === 'list' ? sent : job.untilStop ? ms.length + errors : job.count;
  return {
    ms,
    at,
    infer,
    errors,
    resets,
    requests,
    wallS: (performance.now() - t0) / 1000,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    firstError,
  };
}

process.once('message', async (job) => {
  process.send(await runLoad(job), () => process.exit(0));
});
