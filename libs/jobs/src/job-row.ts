// Every write to a TrainingJob row goes through here. Each write is conditional on this worker still owning the
// row (status RUNNING + workerId), so a worker that lost its claim (stale heartbeat, re-claimed elsewhere) can never
// overwrite the state written by the new owner.
import type { PrismaClient } from '@accrete/db';

export const MAX_ATTEMPTS = 3;

export type ClaimResult =
  | { kind: 'claimed'; attempt: number }
  | { kind: 'cancelled' } // cancel was requested while it waited
  | { kind: 'interrupted' } // too many attempts: marked FAILED
  | { kind: 'busy'; reason: string }; // finished, or held by a live worker

/**
 * Claims a job for this worker: only a QUEUED row, or a RUNNING row whose heartbeat is stale (its worker died),
 * can be claimed. One UPDATE … WHERE decides, so two workers never both win.
 */
export async function claimJob(
  prisma: PrismaClient,
  jobId: string,
  workerId: string,
  opts: { staleBefore: Date; maxAttempts?: number },
): Promise<ClaimResult> {
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
  const now = new Date();
  const claimable = {
    id: jobId,
    cancelRequested: false,
    attempts: { lt: maxAttempts },
    OR: [
      { status: 'QUEUED' as const },
      { status: 'RUNNING' as const, OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: opts.staleBefore } }] },
    ],
  };
  const won = await prisma.trainingJob.updateMany({
    where: claimable,
    data: {
      status: 'RUNNING',
      workerId,
      startedAt: now,
      heartbeatAt: now,
      attempts: { increment: 1 },
      phase: 'starting',
      progress: 0,
      etaSeconds: null,
      error: null,
      lossCurve: [],
    },
  });
  if (won.count === 1) {
    const row = await prisma.trainingJob.findUniqueOrThrow({
      where: { id: jobId },
      select: { attempts: true, versionId: true },
    });
    await prisma.modelVersion.updateMany({
      where: { id: row.versionId, status: { in: ['PENDING', 'TRAINING'] } },
      data: { status: 'TRAINING', error: null },
    });
    return { kind: 'claimed', attempt: row.attempts };
  }
  const row = await prisma.trainingJob.findUnique({ where: { id: jobId } });
  if (!row) return { kind: 'busy', reason: 'no such job' };
  const seen = row.status === 'QUEUED' || row.status === 'RUNNING' ? row.status : null;
  const open = seen === 'QUEUED' || (seen === 'RUNNING' && (!row.heartbeatAt || row.heartbeatAt < opts.staleBefore));
  if (open && row.cancelRequested) {
    const done = await finishUnowned(prisma, jobId, seen!, row.heartbeatAt, 'CANCELLED', null);
    return done ? { kind: 'cancelled' } : { kind: 'busy', reason: 'changed meanwhile' };
  }
  if (open && row.attempts >= maxAttempts) {
    const done = await finishUnowned(prisma, jobId, seen!, row.heartbeatAt, 'FAILED', 'interrupted');
    return done ? { kind: 'interrupted' } : { kind: 'busy', reason: 'changed meanwhile' };
  }
  return { kind: 'busy', reason: row.status === 'RUNNING' ? `running on ${row.workerId}` : `already ${row.status}` };
}

/** Ends a job nobody runs (queued or orphaned), if it is still in the state we saw. */
export async function finishUnowned(
  prisma: PrismaClient,
  jobId: string,
  seenStatus: 'QUEUED' | 'RUNNING',
  seenHeartbeat: Date | null,
  status: 'CANCELLED' | 'FAILED',
  error: string | null,
): Promise<boolean> {
  return endJob(
    prisma,
    { id: jobId, status: seenStatus, ...(seenStatus === 'RUNNING' ? { heartbeatAt: seenHeartbeat } : {}) },
    status,
    error,
    { workerId: null },
  );
}

export interface ProgressUpdate {
  phase: string;
  progress: number;
  etaSeconds?: number | null;
  lossCurve?: LossPoint[];
}
export interface LossPoint {
  phase: string;
  step: number;
  loss: number;
}

/** Writes progress + heartbeat; returns whether this worker still owns the row and whether cancel was asked. */
export async function writeProgress(
  prisma: PrismaClient,
  jobId: string,
  workerId: string,
  update: Partial<ProgressUpdate>,
): Promise<{ owned: boolean; cancelRequested: boolean }> {
  const r = await prisma.trainingJob.updateMany({
    where: { id: jobId, status: 'RUNNING', workerId },
    data: {
      heartbeatAt: new Date(),
      ...(update.phase !== undefined ? { phase: update.phase } : {}),
      ...(update.progress !== undefined ? { progress: update.progress } : {}),
      ...(update.etaSeconds !== undefined ? { etaSeconds: update.etaSeconds } : {}),
      ...(update.lossCurve !== undefined ? { lossCurve: update.lossCurve as unknown as object[] } : {}),
    },
  });
  if (r.count !== 1) return { owned: false, cancelRequested: false };
  const row = await prisma.trainingJob.findUnique({ where: { id: jobId }, select: { cancelRequested: true } });
  return { owned: true, cancelRequested: !!row?.cancelRequested };
}

/** Ends an owned job without a published version (FAILED or CANCELLED). */
export async function finishOwned(
  prisma: PrismaClient,
  jobId: string,
  workerId: string,
  status: 'FAILED' | 'CANCELLED',
  error: string | null,
  lossCurve?: LossPoint[],
): Promise<boolean> {
  return endJob(
    prisma,
    { id: jobId, status: 'RUNNING', workerId },
    status,
    error,
    lossCurve ? { lossCurve: lossCurve as unknown as object[] } : {},
  );
}

type JobFilter = NonNullable<Parameters<PrismaClient['trainingJob']['updateMany']>[0]>['where'];

/** Ends the job if it still matches `where` (the state its caller saw), and its version with it, in one transaction. */
function endJob(
  prisma: PrismaClient,
  where: JobFilter & { id: string },
  status: 'CANCELLED' | 'FAILED',
  error: string | null,
  extra: { workerId?: null; lossCurve?: object[] },
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const r = await tx.trainingJob.updateMany({
      where,
      data: {
        status,
        error,
        phase: status === 'CANCELLED' ? 'cancelled' : 'failed',
        etaSeconds: null,
        finishedAt: new Date(),
        ...extra,
      },
    });
    if (r.count !== 1) return false;
    const job = await tx.trainingJob.findUniqueOrThrow({ where: { id: where.id }, select: { versionId: true } });
    await tx.modelVersion.update({ where: { id: job.versionId }, data: { status, error } });
    return true;
  });
}

/** Gives an owned job back to the queue (graceful shutdown): the attempt does not count. */
export async function requeueOwned(prisma: PrismaClient, jobId: string, workerId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const r = await tx.trainingJob.updateMany({
      where: { id: jobId, status: 'RUNNING', workerId },
      data: {
        status: 'QUEUED',
        workerId: null,
        phase: 'queued',
        progress: 0,
        etaSeconds: null,
        heartbeatAt: null,
        attempts: { decrement: 1 },
      },
    });
    if (r.count !== 1) return false;
    const job = await tx.trainingJob.findUniqueOrThrow({ where: { id: jobId }, select: { versionId: true } });
    await tx.modelVersion.update({ where: { id: job.versionId }, data: { status: 'PENDING' } });
    return true;
  });
}
