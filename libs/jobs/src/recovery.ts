// Finds jobs nobody is running any more: RUNNING rows of dead workers go back to QUEUED (or FAILED "interrupted"
// after too many attempts); QUEUED rows with a pending cancel become CANCELLED. Returns the jobs to (re)submit.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@accrete/db';
import { finishUnowned, MAX_ATTEMPTS } from './job-row.js';

/**
 * Where a pid means the same process: the PID namespace (inode of /proc/self/ns/pid) on this boot of this kernel
 * (boot_id; namespace inodes repeat across machines and boots, the initial one is always 4026531836). A hostname is
 * not enough: containers with host networking and Kubernetes hostNetwork pods share it across PID namespaces.
 * Null where it cannot be read (not Linux, no /proc): then no worker is ever judged dead by its pid.
 */
export function pidScope(read: { link(path: string): string; text(path: string): string } = procReader): string | null {
  try {
    const ns = /^pid:\[(\d+)\]$/.exec(read.link('/proc/self/ns/pid'))?.[1];
    const boot = read.text('/proc/sys/kernel/random/boot_id').trim().toLowerCase().replace(/-/g, '');
    return ns && /^[0-9a-f]{32}$/.test(boot) ? `${ns}.${boot}` : null;
  } catch {
    return null;
  }
}

const procReader = { link: (p: string) => readlinkSync(p), text: (p: string) => readFileSync(p, 'utf8') };
let ownScope: string | null | undefined;
const thisScope = () => (ownScope === undefined ? (ownScope = pidScope()) : ownScope);

/** host:pid:random[:scope] — the scope (see pidScope) lets a worker in the same PID namespace tell that another
 *  worker's process is gone; ids without one (older builds, no /proc) are only ever judged by their heartbeat. */
export function newWorkerId(): string {
  const scope = thisScope();
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}${scope ? `:${scope}` : ''}`;
}

/** This process as isDeadLocalWorker sees it. */
export interface PidIdentity {
  pid: number;
  /** pidScope() of this process; null: nothing can be proven local. */
  scope: string | null;
}

/** Whether a process with this pid exists in our PID namespace: false only when the kernel says there is none. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it exists, owned by someone else
  }
}

/**
 * True when the worker id provably names a process of our PID namespace and boot that no longer exists. Anything
 * else (another namespace or boot, an id without a scope, our own pid, no scope of our own) is false: the heartbeat
 * decides. The hostname is not compared: the scope already pins the kernel and namespace.
 */
export function isDeadLocalWorker(
  workerId: string | null,
  self: PidIdentity = { pid: process.pid, scope: thisScope() },
  exists: (pid: number) => boolean = pidExists,
): boolean {
  if (!workerId) return true;
  const [, pidText, , scope] = workerId.split(':');
  const pid = Number(pidText);
  if (!self.scope || scope !== self.scope) return false;
  if (!Number.isInteger(pid) || pid <= 0 || pid === self.pid) return false;
  return !exists(pid);
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
