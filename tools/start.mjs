#!/usr/bin/env node
// The README's two commands in one script, so a fresh clone needs nothing installed by hand:
//   npm start   → install what is missing, generate, build the dashboard, then serve API (migrates + seeds) and dashboard
//   npm test    → install what is missing, generate, format check, lint + typecheck, run every test on PGlite and on PostgreSQL
// Plain JS with no dependencies: it runs before node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { API_ENTRY, API_NODE_FLAGS, apiEnv } from './api-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const testMode = process.argv.includes('--test');
const env = {
  ...process.env,
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  NEXT_TELEMETRY_DISABLED: '1',
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
};

const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
// each line says when it started, so a CI log tells how long every step took
const log = (m) => console.log(`[accrete ${secs()}] ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, ...opts });
  if (r.status !== 0) {
    console.error(`[accrete] failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
function newestUnder(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.name === 'node_modules' || n.name === '.next' || n.name === 'gql') continue;
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return newest;
}

// 1. Dependencies: npm ci when node_modules is missing or older than the lockfile.
if (mtime('node_modules/.package-lock.json') < mtime('package-lock.json')) {
  log('installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
// 2. Prisma client (the schema engine is not needed for generate, so none is downloaded).
if (mtime('libs/db/src/generated/prisma/client.ts') < mtime('prisma/schema.prisma')) {
  log('generating the Prisma client…');
  run('npx', ['prisma', 'generate'], { env: { ...env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true' } });
}
// 3. Dashboard: codegen + next build when its sources or the API schema changed since the last build.
function buildDashboard() {
  if (!existsSync('apps/dashboard/project.json')) return;
  const built = mtime('apps/dashboard/.next/BUILD_ID');
  if (built >= newestUnder('apps/dashboard') && built >= mtime('apps/api/schema.graphql')) return;
  log('building the dashboard (codegen + next build)…');
  run('npx', ['nx', 'run', 'dashboard:build', '--skip-nx-cache']);
}

function canConnect(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(1500, () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** One test pass in its own process; its lines are passed through prefixed with the label (passes run side by side). */
function runTests(label, dirs, extraEnv) {
  log(`tests on ${label}: ${dirs.join(' ')}`);
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['tools/run-tests.mjs', ...dirs], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const prefixed = (out) => {
      let partial = '';
      const write = (d) => {
        const lines = (partial + d).split('\n');
        partial = lines.pop();
        if (lines.length) out.write(lines.map((l) => `[${label}] ${l}\n`).join(''));
      };
      write.end = () => partial && write('\n');
      return write;
    };
    const stdout = prefixed(process.stdout);
    const stderr = prefixed(process.stderr);
    child.stdout.on('data', (d) => {
      buf += d;
      stdout(d);
    });
    child.stderr.on('data', stderr);
    child.on('close', (code) => {
      stdout.end();
      stderr.end();
      const pass = Number(/^# pass (\d+)/m.exec(buf)?.[1] ?? 0);
      let fail = Number(/^# fail (\d+)/m.exec(buf)?.[1] ?? 0);
      if (code !== 0 && fail === 0) fail = 1; // a crash before the summary still fails the run
      log(`${label} pass: ${pass} passed, ${fail} failed in ${((Date.now() - t) / 1000).toFixed(0)}s`);
      resolve({ pass, fail });
    });
  });
}

if (testMode) {
  buildDashboard();
  log('format check (prettier; `npx prettier --write .` fixes)…');
  run('npx', ['prettier', '--check', '--log-level=warn', '.']);
  // One eslint and one tsc over the whole workspace rather than one per Nx project: each project's tsc re-checks
  // every lib it imports (≈6× the CPU of one pass on a clean clone, where Nx has nothing cached), and each eslint
  // loads the config and plugins again. Both keep their caches in node_modules/.cache for the next run.
  log('lint (eslint, one pass)…');
  // @nx/enforce-module-boundaries reads Nx's cached project graph and silently skips itself without one (a clean
  // clone whose dashboard build was skipped): compute the graph first so the tag rules always run.
  run('npx', ['nx', 'show', 'projects'], { stdio: ['ignore', 'ignore', 'inherit'] });
  run('npx', [
    'eslint',
    '--cache',
    '--cache-location',
    'node_modules/.cache/accrete-eslint',
    'apps',
    'libs',
    'tools',
    'bench',
  ]);
  log('typecheck (tsc over tsconfig.json, then the dashboard with its own)…');
  run('npx', [
    'tsc',
    '-p',
    'tsconfig.json',
    '--incremental',
    '--tsBuildInfoFile',
    'node_modules/.cache/accrete-tsc.tsbuildinfo',
  ]);
  run('npx', ['nx', 'run', 'dashboard:typecheck', '--output-style=static']);
  log('GraphQL SDL up to date with the type-graphql classes?');
  run(process.execPath, ['--import', 'tsx', 'apps/api/src/emit-schema.ts', '--check']);
  // The PGlite and PostgreSQL passes run side by side: each test has its own databases and temp dirs, and on a
  // 2-core machine one pass alone leaves a core idle whenever its test waits on a child process.
  const passes = [runTests('PGlite', ['libs', 'apps', 'tools'], { ACCRETE_TEST_DB: 'pglite' })];
  const pgUrl = process.env.ACCRETE_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const u = new URL(pgUrl);
  if (await canConnect(u.hostname, Number(u.port || 5432))) {
    // the test files that open a database (the others would only run again; see --db-only in run-tests.mjs)
    passes.push(
      runTests('PostgreSQL', ['--db-only', 'libs', 'apps'], {
        ACCRETE_TEST_DB: 'postgres',
        ACCRETE_TEST_PG_URL: pgUrl,
      }),
    );
  } else if (process.env.CI) {
    console.error(`[accrete] PostgreSQL is not reachable at ${pgUrl}; CI must test on it`);
    passes.push(Promise.resolve({ pass: 0, fail: 1 }));
  } else {
    log(`PostgreSQL not reachable at ${pgUrl}: skipped the PostgreSQL pass`);
  }
  const results = await Promise.all(passes);
  const pass = results.reduce((a, r) => a + r.pass, 0);
  const fail = results.reduce((a, r) => a + r.fail, 0);
  log(`done in ${secs()}`);
  console.log(`tests: ${pass} passed, ${fail} failed`);
  process.exit(fail === 0 && pass > 0 ? 0 : 1);
}

// Run mode: API (migrates, seeds, runs jobs in-process) + built dashboard.
buildDashboard();
const apiPort = process.env.ACCRETE_API_PORT ?? '4000';
const dashPort = process.env.ACCRETE_DASHBOARD_PORT ?? '3000';
const host = process.env.ACCRETE_HOST ?? '127.0.0.1';
const children = [];
let signInLine = null;
const start = (name, cmd, args, extra = {}) => {
  const c = spawn(cmd, args, { stdio: ['inherit', 'pipe', 'inherit'], env: { ...env, ...extra } });
  // passed through as is; the API's one-time sign-in link (first start only) is repeated below the URLs
  c.stdout.on('data', (d) => {
    process.stdout.write(d);
    signInLine ??= /https?:\/\/\S+\/sign-in#code=\S+/.exec(String(d))?.[0] ?? null;
  });
  c.on('exit', (code) => {
    log(`${name} exited (${code}); stopping`);
    for (const o of children) if (o !== c) o.kill('SIGTERM');
    process.exit(code ?? 1);
  });
  children.push(c);
};
log('starting the API: migrate the database, load the base model, check the seed…');
start('api', process.execPath, [...API_NODE_FLAGS, ...API_ENTRY], apiEnv(env));
// Wait for the API to be healthy (it migrates and seeds first) before announcing URLs.
for (let i = 0; i < 600; i++) {
  try {
    const r = await fetch(`http://${host}:${apiPort}/health`);
    if (r.ok) {
      log(`API healthy: ${JSON.stringify(await r.json())}`);
      break;
    }
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 500));
}
if (existsSync('apps/dashboard/project.json')) {
  // next's own bin under node (not npx), so the SIGTERM below reaches the server itself
  start(
    'dashboard',
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', 'apps/dashboard', '-p', dashPort, '-H', host],
    {
      ACCRETE_API_URL: `http://${host}:${apiPort}`,
    },
  );
}
log(`GraphQL API:  http://${host}:${apiPort}/graphql`);
log(`Dashboard:    http://${host}:${dashPort}/`);
log(`ready in ${secs()} — Ctrl-C stops both`);
if (signInLine) {
  log('first start, no API token yet. Sign in as ADMIN with this one-time link (it works once; create more tokens');
  log("on the dashboard's Tokens page or with `node --import tsx tools/create-token.ts`):");
  console.log(`\n    ${signInLine}\n`);
}
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    for (const c of children) c.kill('SIGTERM');
  });
