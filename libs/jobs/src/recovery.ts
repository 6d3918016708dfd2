// Finds jobs nobody is running any more: RUNNING rows of dead workers go back to QUEUED (or FAILED "interrupted"
// after too many attempts); QUEUED rows with a pending cancel become CANCELLED. Returns the jobs to (re)submit.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@accrete/db';
import { finishUnowned, MAX_ATTEMPTS } from './job-row.js';

/** host:pid:random — lets a worker on the same host tell that another worker's process is gone. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** True when the worker id names a process on this host that no longer exists. */
export function isDeadLocalWorker(workerId: string | null): boolean {
  if (!workerId) return true;
  const [host, pidText] = workerId.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface RecoverOptions {
  workerId: string;
  staleAfterMs: number;
  maxAttempts?: number;
  /** Embedded single-process mode: every RUNNING row not ours is an orphan (PGlite allows one process). */
  allRunningAreOrphans?: boolean;
  log?: (m: string) => void;
}

export async function recoverJobs(prisma: PrismaClient, opts: RecoverOptions): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
  const staleBefore = new Date(Date.now() - opts.staleAfterMs);
  const running = await prisma.trainingJob.findMany({
    where: { status: 'RUNNING', NOT: { workerId: opts.workerId } },
    select: { id: true, workerId: true, heartbeatAt: true, attempts: true },
  });
  for (const j of running) {
    const orphan =
      opts.allRunningAreOrphans || !j.heartbeatAt || j.heartbeatAt < staleBefore || isDeadLocalWorker(j.workerId);
    if (!orphan) continue;
    if (j.attempts >= maxAttempts) {
      if (await finishUnowned(prisma, j.id, 'RUNNING', j.heartbeatAt, 'FAILED', 'interrupted')) {
        log(`job ${j.id}: worker ${j.workerId} gone after ${j.attempts} attempts → FAILED (interrupted)`);
      }
      continue;
    }
    const requeued = await prisma.$transaction(async (tx) => {
      const r = await tx.trainingJob.updateMany({
        where: { id: j.id, status: 'RUNNING', workerId: j.workerId, heartbeatAt: j.heartbeatAt },
        data: { status: 'QUEUED', workerId: null, phase: 'queued', progress: 0, etaSeconds: null, heartbeatAt: null },
      });
      if (r.count !== 1) return false;
      const row = await tx.trainingJob.findUniqueOrThrow({ where: { id: j.id }, select: { versionId: true } });
      await tx.modelVersion.updateMany({
        where: { id: row.versionId, status: 'TRAINING' },
        data: { status: 'PENDING' },
      });
      return true;
    });
    if (requeued)
      log(`job ${j.id}: worker ${j.workerId} gone → re-queued (attempt ${j.attempts} of ${maxAttempts} used)`);
  }

  const queued = await prisma.trainingJob.findMany({
    where: { status: 'QUEUED' },
    select: { id: true, cancelRequested: true },
    orderBy: { queuedAt: 'asc' },
  });
  const toSubmit: string[] = [];
  for (const q of queued) {
    if (q.cancelRequested) await finishUnowned(prisma, q.id, 'QUEUED', null, 'CANCELLED', null);
    else toSubmit.push(q.id);
  }
  return toSubmit;
}
