// Keeps a running job's row alive: throttled progress writes (at most ~2/s), a heartbeat, and cancel polling.
// Cancellation and a lost claim both surface as an abort of `signal`, which the trainer honours.
import type { PrismaClient } from '@accrete/db';
import { writeProgress, type LossPoint, type ProgressUpdate } from './job-row.js';

export type AbortKind = 'cancel' | 'shutdown' | 'lost-claim';

export class JobAbort extends Error {
  constructor(readonly kind: AbortKind) {
    super(
      kind === 'cancel' ? 'cancelled' : kind === 'shutdown' ? 'worker shutting down' : 'claim lost to another worker',
    );
    this.name = 'JobAbort';
  }
}

const MAX_LOSS_POINTS = 400;

export class JobMonitor {
  private readonly controller = new AbortController();
  private baseline = { at: Date.now(), progress: 0 };
  private pending: Partial<ProgressUpdate> = {};
  private dirty = false;
  private writing: Promise<void> | null = null;
  private lastWrite = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private progress = 0;
  private phase = 'starting';
  readonly lossCurve: LossPoint[] = [];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobId: string,
    private readonly workerId: string,
    private readonly opts: { minIntervalMs?: number; heartbeatMs?: number; log?: (m: string) => void } = {},
    outer?: AbortSignal,
  ) {
    if (outer) {
      if (outer.aborted) this.abort(reasonKind(outer.reason));
      else outer.addEventListener('abort', () => this.abort(reasonKind(outer.reason)), { once: true });
    }
    this.heartbeatTimer = setInterval(() => this.schedule(true), opts.heartbeatMs ?? 2000);
    this.heartbeatTimer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws the JobAbort if the job was aborted (between steps that do not take a signal). */
  check(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  abort(kind: AbortKind): void {
    if (!this.signal.aborted) this.controller.abort(new JobAbort(kind));
  }

  /**
   * Reports progress of a step that covers [from, to] of the whole job; overall progress never goes backwards.
   * ETA: the step's own estimate when given, else extrapolated from the overall rate.
   */
  report(
    phase: string,
    fraction: number,
    span: [number, number],
    extra: { etaSeconds?: number; loss?: number; step?: number } = {},
  ): void {
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const overall = Math.max(this.progress, span[0] + (span[1] - span[0]) * f);
    this.progress = overall;
    this.phase = phase;
    const elapsed = (Date.now() - this.baseline.at) / 1000;
    const moved = overall - this.baseline.progress;
    const extrapolated = moved > 0.03 ? (elapsed * (1 - overall)) / moved : null;
    const eta = extra.etaSeconds !== undefined && Number.isFinite(extra.etaSeconds) ? extra.etaSeconds : extrapolated;
    this.pending = {
      ...this.pending,
      phase,
      progress: overall,
      etaSeconds: eta === null ? null : Math.max(0, Math.round(eta)),
    };
    if (extra.loss !== undefined && Number.isFinite(extra.loss)) {
      this.lossCurve.push({ phase, step: extra.step ?? this.lossCurve.length, loss: extra.loss });
      if (this.lossCurve.length > MAX_LOSS_POINTS) thin(this.lossCurve);
      this.pending.lossCurve = this.lossCurve;
    }
    this.schedule(false);
  }

  /** ETAs extrapolate from here on (call once the slow, one-off set-up such as loading the backbone is done). */
  startEstimating(): void {
    this.baseline = { at: Date.now(), progress: this.progress };
  }

  get currentPhase(): string {
    return this.phase;
  }

  /** Writes whatever is pending now and waits for it. */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    this.dirty = true;
    await this.write();
  }

  async close(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.heartbeatTimer = this.flushTimer = null;
    if (this.writing) await this.writing;
  }

  private schedule(heartbeat: boolean): void {
    this.dirty = true;
    if (this.writing || this.flushTimer || !this.heartbeatTimer) return;
    const wait = heartbeat ? 0 : Math.max(0, (this.opts.minIntervalMs ?? 500) - (Date.now() - this.lastWrite));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.write();
    }, wait);
    this.flushTimer.unref();
  }

  private write(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    const update = this.pending;
    this.pending = {};
    this.lastWrite = Date.now();
    this.writing = writeProgress(this.prisma, this.jobId, this.workerId, update)
      .then((r) => {
        if (!r.owned) this.abort('lost-claim');
        else if (r.cancelRequested) this.abort('cancel');
      })
      .catch((e) => this.opts.log?.(`job ${this.jobId}: progress write failed: ${(e as Error).message}`))
      .finally(() => {
        this.writing = null;
        if (this.dirty && this.heartbeatTimer) this.schedule(false);
      });
    return this.writing;
  }
}

function reasonKind(reason: unknown): AbortKind {
  return reason instanceof JobAbort ? reason.kind : 'shutdown';
}

/** Halves the curve's resolution (keeps every other point), so it stays small however long training runs. */
function thin(points: LossPoint[]): void {
  let w = 0;
  for (let r = 0; r < points.length; r += 2) points[w++] = points[r]!;
  points.length = w;
}
