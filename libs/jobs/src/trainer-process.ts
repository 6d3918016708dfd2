// The training process: a child process (child_process.fork) that runs the compute half of training jobs
// (train-compute.ts), one at a time, so the process that serves HTTP (or pulls from pg-boss) only does database
// work and never blocks on extraction or the fit. Why a process rather than a worker thread: its own heap (the
// API stays small and gets all its memory back), a lower CPU priority for all its threads (nice), and a clean kill.
// The child is started on the first job and kept for `idleMs` after the last one (the next job finds the backbone
// loaded); a cancel asks it to stop, and kills it if it does not within `killAfterMs`.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackboneInfo, BaseScore, BaseScoreSpec, ComputeResult, ComputeSpec } from './train-compute.js';
import type { Span } from './progress-plan.js';

export type ParentMessage =
  | { type: 'run'; id: number; spec: ComputeSpec }
  | { type: 'abort'; id: number; reason: string }
  | { type: 'describe'; id: number; backbone: ComputeSpec['backbone'] }
  | { type: 'scoreBase'; id: number; spec: BaseScoreSpec };
export type ChildMessage =
  | { type: 'ready'; pid: number }
  | {
      type: 'progress';
      id: number;
      phase: string;
      fraction: number;
      span: Span;
      extra?: { loss?: number; step?: number };
    }
  | { type: 'estimating'; id: number }
  | { type: 'log'; id: number; message: string }
  | { type: 'done'; id: number; result: ComputeResult }
  | { type: 'described'; id: number; info: BackboneInfo }
  | { type: 'scored'; id: number; score: BaseScore }
  | { type: 'failed'; id: number; message: string; name?: string };

export interface TrainerProcessOptions {
  /** Keep an idle child this long for the next job (ms; default 5 min; 0 = exit after each job). */
  idleMs?: number;
  /** After an abort, kill the child if it has not stopped within this (ms; default 5 s). */
  killAfterMs?: number;
  /** Nice value of the child's threads (default 10: the parent wins the cores ~9:1 when both want them). */
  nice?: number;
  log?: (m: string) => void;
}

export interface RunHooks {
  onProgress?: (phase: string, fraction: number, span: Span, extra?: { loss?: number; step?: number }) => void;
  onEstimating?: () => void;
  signal?: AbortSignal;
}

/** Thrown when the child dies mid-job (crash, out of memory, killed). */
export class TrainerProcessExit extends Error {}

interface Pending {
  id: number;
  hooks: RunHooks;
  resolve: (r: ComputeResult) => void;
  reject: (e: Error) => void;
}

export class TrainerProcess {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private describing = new Map<number, { resolve: (i: BackboneInfo) => void; reject: (e: Error) => void }>();
  private scoring = new Map<number, { resolve: (s: BaseScore) => void; reject: (e: Error) => void }>();
  /** Event listeners for tests and benches: the compute half of a job started / ended in the child. */
  readonly computeListeners = new Set<(event: 'start' | 'end', pid: number) => void>();
  /** Every progress phase the child reports (tests see each phase, however short, without polling the row). */
  readonly progressListeners = new Set<(phase: string) => void>();

  constructor(private readonly opts: TrainerProcessOptions = {}) {}

  /** pid of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async run(spec: ComputeSpec, hooks: RunHooks = {}): Promise<ComputeResult> {
    if (this.pending) throw new Error('the training process runs one job at a time');
    if (hooks.signal?.aborted) throw hooks.signal.reason;
    this.clearIdle();
    await this.start();
    const child = this.child!;
    const id = this.nextId++;
    const pid = child.pid!;
    return new Promise<ComputeResult>((resolve, reject) => {
      let killTimer: NodeJS.Timeout | null = null;
      const onAbort = () => {
        const reason = hooks.signal?.reason;
        child.send({
          type: 'abort',
          id,
          reason: reason instanceof Error ? reason.message : 'aborted',
        } satisfies ParentMessage);
        killTimer = setTimeout(() => {
          this.opts.log?.(`training process ${pid} did not stop within ${this.killAfterMs} ms of an abort: killing it`);
          child.kill('SIGKILL');
        }, this.killAfterMs);
        killTimer.unref();
      };
      const settle = () => {
        if (killTimer) clearTimeout(killTimer);
        hooks.signal?.removeEventListener('abort', onAbort);
        this.pending = null;
        for (const l of this.computeListeners) l('end', pid);
        this.scheduleIdle();
      };
      this.pending = {
        id,
        hooks,
        resolve: (r) => {
          settle();
          resolve(r);
        },
        reject: (e) => {
          settle();
          // An abort surfaces as the abort's own reason (the caller tells cancel from shutdown by it).
          reject(hooks.signal?.aborted ? (hooks.signal.reason as Error) : e);
        },
      };
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      for (const l of this.computeListeners) l('start', pid);
      child.send({ type: 'run', id, spec } satisfies ParentMessage);
    });
  }

  /**
   * What the backbone is (id, sizes, labels…), loaded in the training process: a process that only seeds the
   * registry and serves queries need not load tfjs and the model itself.
   */
  async describe(backbone: ComputeSpec['backbone']): Promise<BackboneInfo> {
    this.clearIdle();
    await this.start();
    const id = this.nextId++;
    try {
      return await new Promise<BackboneInfo>((resolve, reject) => {
        this.describing.set(id, { resolve, reject });
        this.child!.send({ type: 'describe', id, backbone } satisfies ParentMessage);
      });
    } finally {
      this.describing.delete(id);
      if (!this.pending) this.scheduleIdle();
    }
  }

  /** The base version's score on the retention photos, computed in the training process (see scoreBase). */
  async scoreBase(spec: BaseScoreSpec): Promise<BaseScore> {
    this.clearIdle();
    await this.start();
    const id = this.nextId++;
    try {
      return await new Promise<BaseScore>((resolve, reject) => {
        this.scoring.set(id, { resolve, reject });
        this.child!.send({ type: 'scoreBase', id, spec } satisfies ParentMessage);
      });
    } finally {
      this.scoring.delete(id);
      if (!this.pending) this.scheduleIdle();
    }
  }

  /** Stops the child (a running job is aborted first). */
  async close(): Promise<void> {
    this.clearIdle();
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
    );
    child.disconnect?.();
    const kill = setTimeout(() => child.kill('SIGKILL'), this.killAfterMs);
    kill.unref();
    await exited;
    clearTimeout(kill);
  }

  private get killAfterMs() {
    return this.opts.killAfterMs ?? 5000;
  }

  private start(): Promise<void> {
    if (this.child && this.ready) return this.ready;
    const { entry, execArgv } = childEntry();
    const child = fork(entry, [String(this.opts.nice ?? 10)], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.opts.log?.(`training process ${child.pid} started`);
    this.ready = new Promise<void>((resolve, reject) => {
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
        reject(new TrainerProcessExit(`training process exited at start (${signal ?? `code ${code}`})`));
      child.once('exit', onEarlyExit);
      child.once('error', reject);
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') {
          child.off('exit', onEarlyExit);
          resolve();
          return;
        }
        this.onMessage(m);
      });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
      const exit = new TrainerProcessExit(`the training process exited (${signal ?? `code ${code}`})`);
      this.pending?.reject(exit);
      for (const d of this.describing.values()) d.reject(exit);
      for (const d of this.scoring.values()) d.reject(exit);
    });
    this.ready.catch(() => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
    });
    return this.ready;
  }

  private onMessage(m: ChildMessage): void {
    const p = this.pending;
    if (m.type === 'log') {
      this.opts.log?.(m.message);
      return;
    }
    if (m.type === 'described' || (m.type === 'failed' && this.describing.has(m.id))) {
      const d = this.describing.get(m.id);
      if (m.type === 'described') d?.resolve(m.info);
      else d?.reject(new Error(m.message));
      return;
    }
    if (m.type === 'scored' || (m.type === 'failed' && this.scoring.has(m.id))) {
      const d = this.scoring.get(m.id);
      if (m.type === 'scored') d?.resolve(m.score);
      else d?.reject(new Error(m.message));
      return;
    }
    if (!p || !('id' in m) || m.id !== p.id) return;
    if (m.type === 'progress') {
      p.hooks.onProgress?.(m.phase, m.fraction, m.span, m.extra);
      for (const l of this.progressListeners) l(m.phase);
    } else if (m.type === 'estimating') p.hooks.onEstimating?.();
    else if (m.type === 'done') p.resolve(m.result);
    else if (m.type === 'failed') p.reject(Object.assign(new Error(m.message), m.name ? { name: m.name } : {}));
  }

  private scheduleIdle(): void {
    this.clearIdle();
    const ms = this.opts.idleMs ?? 5 * 60_000;
    this.idleTimer = setTimeout(() => void this.close(), ms);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/** The child's entry module and node flags: the same loader hooks as this process (tsx for .ts sources). */
function childEntry(): { entry: string; execArgv: string[] } {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = fileURLToPath(new URL(`./trainer-child${ext}`, import.meta.url));
  const execArgv: string[] = [];
  const args = process.execArgv;
  // Keep module loaders and memory limits; drop the rest (--test, --inspect… are the parent's business).
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^--(import|require|loader|experimental-loader)$/.test(a) && i + 1 < args.length) execArgv.push(a, args[++i]!);
    else if (a === '-r' && i + 1 < args.length) execArgv.push(a, args[++i]!);
    else if (/^--(import|require|loader|experimental-loader|max-old-space-size|conditions)=/.test(a)) execArgv.push(a);
  }
  if (ext === '.ts' && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  return { entry, execArgv };
}
