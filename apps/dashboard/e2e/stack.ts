// The real stack for the dashboard e2e test: the API (tsx apps/api/src/main.ts on a fresh PGlite data dir) and the
// built dashboard (next start), each on a free port, plus a headless Chromium. Everything is torn down by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const dashboardDir = join(repoRoot, 'apps/dashboard');
export const artifactsDir = join(repoRoot, 'test-artifacts/dashboard');

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

const baseEnv = () => ({ ...process.env, NEXT_TELEMETRY_DISABLED: '1', NX_DAEMON: 'false' });

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => res(port));
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (['node_modules', '.next', 'gql', 'e2e'].includes(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

function dashboardBuildIsFresh(): boolean {
  const buildId = join(dashboardDir, '.next/BUILD_ID');
  const schema = join(repoRoot, 'apps/api/schema.graphql');
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  return (
    built > 0 && built >= newestMtime(dashboardDir) && built >= (existsSync(schema) ? statSync(schema).mtimeMs : 0)
  );
}

/**
 * Builds the dashboard (codegen + next build) when .next is missing or older than its sources or the API schema,
 * so the test always exercises the current code. Returns what it did. The e2e files may run side by side: a lock
 * (an atomic mkdir) lets one of them build while the other waits for it and then finds the build fresh.
 */
export async function ensureDashboardBuilt(log: (m: string) => void): Promise<'fresh' | 'built'> {
  if (dashboardBuildIsFresh()) return 'fresh';
  const lock = join(
    tmpdir(),
    `accrete-dashboard-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}`,
  );
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (waited === 600)
        throw new Error(`another dashboard build has held ${lock} for 10 minutes (remove it if stale)`);
      await sleep(1000);
    }
  }
  try {
    if (dashboardBuildIsFresh()) return 'fresh';
    log(
      existsSync(join(dashboardDir, '.next/BUILD_ID'))
        ? 'dashboard build is older than its sources: rebuilding'
        : 'no dashboard build (apps/dashboard/.next): building it',
    );
    for (const [cmd, args] of [
      ['npx', ['graphql-codegen', '--config', 'apps/dashboard/codegen.ts']],
      ['npx', ['next', 'build', 'apps/dashboard']],
    ] as const) {
      const r = spawnSync(cmd, [...args], { cwd: repoRoot, env: baseEnv(), encoding: 'utf8', timeout: 300_000 });
      if (r.status !== 0)
        throw new Error(
          `dashboard build failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})\n${r.stdout}\n${r.stderr}`,
        );
    }
    return 'built';
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * <root>/rehearsal: the first `rows` photos of imagenet-sample (links, with their index.csv rows). Even class indices
 * rehearse, odd ones score retention: the jobs extract ~100 bottlenecks instead of ~1000 and the suite stays short.
 */
export function makeRehearsalDir(root: string, rows = 60): string {
  const src = join(repoRoot, '../shared/datasets/imagenet-sample');
  const dir = ensureDir(join(root, 'rehearsal'));
  const lines = readFileSync(join(src, 'index.csv'), 'utf8').trim().split('\n');
  const keep = lines.slice(1, rows + 1);
  writeFileSync(join(dir, 'index.csv'), [lines[0], ...keep].join('\n') + '\n');
  for (const l of keep) {
    const file = l.split(',')[0]!;
    symlinkSync(join(src, file), join(dir, file));
  }
  return dir;
}

/** Headless Chromium with one page at the screenshots' size. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  page.setDefaultTimeout(30_000);
  return { browser, page };
}

/** Ends whatever of the stack a test got to start: the browser, the dashboard, the API, then its temp dir. */
export async function stopStack(s: {
  browser?: Browser;
  dash?: { proc: Proc };
  api?: { proc: Proc };
  tmp?: string;
}): Promise<void> {
  await s.browser?.close().catch(() => undefined);
  await stopProcess(s.dash?.proc);
  await stopProcess(s.api?.proc);
  if (s.tmp) rmSync(s.tmp, { recursive: true, force: true });
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
}

/** Starts a process in its own process group (so stop() also ends its children, e.g. next-server). */
function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, name: string): Proc {
  const child = spawn(cmd, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${d}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

export async function stopProcess(p: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-p.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(url: string, proc: Proc, what: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.child.exitCode !== null)
      throw new Error(`${what} exited with ${proc.child.exitCode} before it was ready:\n${proc.output().slice(-4000)}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} not ready at ${url} after ${timeoutMs} ms:\n${proc.output().slice(-4000)}`);
}

/**
 * Creates a token with tools/create-token.ts in the PGlite database under dataDir (directly when no API runs on it,
 * through the running API otherwise).
 */
export function createToken(dataDir: string, role: 'READER' | 'EDITOR' | 'ADMIN', name: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/create-token.ts', '--name', name, '--role', role], {
    cwd: repoRoot,
    env: { ...apiEnv(), ACCRETE_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const token = /acc_[A-Za-z0-9_-]+/.exec(r.stdout)?.[0];
  if (r.status !== 0 || !token)
    throw new Error(`cannot create a ${role} token (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return token;
}

/** The environment of API-side processes: embedded PGlite, whatever the caller's shell says. */
function apiEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...baseEnv() };
  delete env.DATABASE_URL;
  delete env.ACCRETE_JOBS;
  return env;
}

export async function startApi(opts: {
  dataDir: string;
  importRoots: string[];
  rehearsalDir?: string;
  env?: Record<string, string>;
}): Promise<{ proc: Proc; url: string }> {
  const port = await freePort();
  const proc = startProcess(
    process.execPath,
    ['--import', 'tsx', 'apps/api/src/main.ts'],
    {
      ...apiEnv(),
      ACCRETE_DATA_DIR: opts.dataDir,
      ACCRETE_API_PORT: String(port),
      ACCRETE_HOST: '127.0.0.1',
      ACCRETE_IMPORT_ROOTS: opts.importRoots.join(':'),
      ACCRETE_JOBS: 'inprocess',
      ACCRETE_RUN_WORKER: 'true',
      ...(opts.rehearsalDir ? { ACCRETE_REHEARSAL_DIR: opts.rehearsalDir } : {}),
      ...opts.env,
    },
    'api',
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, proc, 'the API', 180_000);
  return { proc, url };
}

export async function startDashboard(apiUrl: string, port?: number): Promise<{ proc: Proc; url: string }> {
  port ??= await freePort();
  const proc = startProcess(
    process.execPath,
    [
      join(repoRoot, 'node_modules/next/dist/bin/next'),
      'start',
      'apps/dashboard',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    { ...baseEnv(), ACCRETE_API_URL: apiUrl },
    'dashboard',
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/sign-in`, proc, 'the dashboard', 60_000);
  return { proc, url };
}

export function ensureDir(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}

/** Creates a token through the API's createApiToken mutation (needs an ADMIN token). */
export async function createTokenViaApi(
  apiUrl: string,
  adminToken: string,
  role: 'READER' | 'EDITOR' | 'ADMIN',
  name: string,
): Promise<string> {
  const r = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({
      query: 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
      variables: { input: { name, role } },
    }),
  });
  const body = (await r.json()) as { data?: { createApiToken: { token: string } }; errors?: { message: string }[] };
  if (!body.data) throw new Error(`createApiToken failed: ${JSON.stringify(body.errors)}`);
  return body.data.createApiToken.token;
}

/** Resolves with the first match of `re` in the process's output (now or once printed); rejects if it exits first. */
export function waitForOutput(proc: Proc, re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((res, rej) => {
    const check = () => {
      const m = re.exec(proc.output());
      if (!m) return false;
      done();
      res(m);
      return true;
    };
    const onExit = () => (
      done(),
      rej(new Error(`process exited before printing ${re}:\n${proc.output().slice(-4000)}`))
    );
    const timer = setTimeout(
      () => (done(), rej(new Error(`${re} not printed within ${timeoutMs} ms:\n${proc.output().slice(-4000)}`))),
      timeoutMs,
    );
    const done = () => {
      clearTimeout(timer);
      proc.child.stdout!.off('data', check);
      proc.child.stderr!.off('data', check);
      proc.child.off('exit', onExit);
    };
    proc.child.stdout!.on('data', check);
    proc.child.stderr!.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}
