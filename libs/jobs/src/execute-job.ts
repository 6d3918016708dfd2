// Runs one training job from its TrainingJob row to a published (or cleanly failed) model version.
// Order: claim → gather inputs (this process: the database) → in the training process: growVersion, retention probe,
// export to scratch (train-compute.ts) → rename into place → one publishing transaction (this process).
// Any failure removes the artifact dir and leaves FAILED + reason on job and version.
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import type { GrowthStrategy } from '@accrete/trainer';
import { claimJob, finishOwned, requeueOwned, MAX_ATTEMPTS } from './job-row.js';
import { JobAbort, JobMonitor } from './job-monitor.js';
import { gatherJobImages } from './job-inputs.js';
import { lineageTakenOverUnits } from './lineage-classes.js';
import { JobInputError, growOptions, parseTrainingParams, type TrainingParams } from './params.js';
import { TAXONOMY_FILE_FORMAT, versionClassChains } from './class-chains.js';
import { NotPublished, publishVersion } from './publish.js';
import { currentParentLabels, namesOfNodes } from './taxonomy-parents.js';
import type { TrainerProcess } from './trainer-process.js';
import { backboneSpec } from './shared-backbone.js';
import { redactPaths, sha256Hex } from '@accrete/primitives';
import { RETENTION_EVALUATION, VAL_EVALUATION } from './evaluation-names.js';

export interface JobDeps {
  prisma: PrismaClient;
  config: Config;
  storage: LocalStorage;
  log?: (m: string) => void;
}

export interface ExecuteOptions {
  workerId: string;
  /** Where the compute half runs (a child process, one job at a time). */
  trainer: TrainerProcess;
  /** Aborted by the runner on shutdown: the job is re-queued. */
  signal?: AbortSignal;
  /** A RUNNING row whose heartbeat is older than this belongs to a dead worker. */
  staleAfterMs?: number;
  maxAttempts?: number;
  heartbeatMs?: number;
  progressIntervalMs?: number;
  /** Awaited at each step boundary (after 'prepared': inputs gathered, before growing); a cancel or stop that
   *  arrives meanwhile takes effect right after it. Tests hold a job here to cancel it while it runs. */
  onStep?: JobStepHook;
}

export type JobStep = 'prepared';
export type JobStepHook = (jobId: string, step: JobStep) => Promise<void> | void;

export type JobOutcome =
  | { status: 'SUCCEEDED'; versionId: string }
  | { status: 'FAILED'; reason: string }
  | { status: 'CANCELLED' }
  | { status: 'REQUEUED' }
  | { status: 'SKIPPED'; reason: string };

export const DEFAULT_STALE_AFTER_MS = 45_000;

// Before the inputs are known, preparing covers the first 2% of the bar.
const PREPARE: [number, number] = [0, 0.02];

export async function executeJob(deps: JobDeps, jobId: string, opts: ExecuteOptions): Promise<JobOutcome> {
  const { prisma, storage } = deps;
  const log = deps.log ?? (() => {});
  const staleBefore = new Date(Date.now() - (opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS));
  const trainer = opts.trainer;
  const claim = await claimJob(prisma, jobId, opts.workerId, {
    staleBefore,
    maxAttempts: opts.maxAttempts ?? MAX_ATTEMPTS,
  });
  if (claim.kind === 'cancelled') return { status: 'CANCELLED' };
  if (claim.kind === 'interrupted') return { status: 'FAILED', reason: 'interrupted' };
  if (claim.kind === 'busy') return { status: 'SKIPPED', reason: claim.reason };

  const t0 = Date.now();
  const steps: Record<string, number> = {}; // seconds per step, for the log and the val evaluation
  let stepStart = t0;
  const lap = (name: string) => {
    const now = Date.now();
    steps[name] = (now - stepStart) / 1000;
    stepStart = now;
  };
  const monitor = new JobMonitor(
    prisma,
    jobId,
    opts.workerId,
    { minIntervalMs: opts.progressIntervalMs, heartbeatMs: opts.heartbeatMs, log },
    opts.signal,
  );
  let scratch: string | null = null;
  let placed: string | null = null; // artifact dir we renamed into place
  let versionId = '';
  try {
    monitor.report('preparing', 0, PREPARE);
    const job = await prisma.trainingJob.findUniqueOrThrow({
      where: { id: jobId },
      include: {
        parentVersion: {
          include: { classes: { orderBy: { outputUnit: 'asc' }, select: { outputUnit: true, classNodeId: true } } },
        },
      },
    });
    versionId = job.versionId;
    log(`job ${jobId}: attempt ${claim.attempt} on ${opts.workerId}, version ${versionId}`);
    const params = parseTrainingParams(job.params);
    const options = growOptions(params.options);
    const parent = job.parentVersion;
    if (parent.status !== 'READY')
      throw new JobInputError(`parent version ${parent.number} is ${parent.status}, not READY`);

    const names = await namesOfNodes(prisma, [
      ...parent.classes.map((c) => c.classNodeId),
      ...params.newClasses.map((c) => c.classNodeId),
    ]);
    const { name: nameOf, parentName: ancestor } = names;
    const parentLabels = currentParentLabels(await readParentLabels(parent, storage), parent.classes, names);
    const mergeInto: Record<string, number> = {};
    for (const m of params.merges) {
      const unit = parent.classes[m.outputUnit];
      if (!unit || unit.classNodeId !== m.classNodeId) {
        throw new JobInputError(
          `merge "${m.label}" → output unit ${m.outputUnit}: the parent's unit ${m.outputUnit} is a different class`,
        );
      }
      mergeInto[m.label] = m.outputUnit;
    }
    if (parent.classes.some((c, i) => c.outputUnit !== i))
      throw new JobInputError(`parent version ${parent.number} has gaps in its output units`);
    const parentNodes = new Set(parent.classes.map((c) => c.classNodeId));
    for (const c of params.newClasses) {
      if (parentNodes.has(c.classNodeId))
        throw new JobInputError(`new class "${c.label}" is already an output unit of the parent`);
    }

    const images = await gatherJobImages(prisma, storage, {
      params,
      parentId: parent.id,
      parentClasses: parent.classes,
      parentLabels,
    });
    monitor.check();
    log(
      `job ${jobId}: ${images.train.length} train / ${images.val.length} val images, ${params.newClasses.length} new classes, ` +
        `${params.merges.length} merges, ${Object.keys(images.earlier).length} earlier classes`,
    );
    scratch = await storage.scratchDir(versionId);
    const outDir = join(scratch, 'model');
    lap('prepare');
    await opts.onStep?.(jobId, 'prepared');
    // Reads the row now (one write + read), so a cancel made by another process meanwhile stops the job here.
    await monitor.flush();
    monitor.check();

    // The compute half runs in the training process; this process keeps the row alive meanwhile.
    const computed = await trainer.run(
      {
        jobId,
        versionId,
        backbone: backboneSpec(deps.config),
        bottlenecksDir: deps.config.paths.bottlenecks,
        rehearsalDir: deps.config.rehearsalDir,
        parent: {
          id: parent.id,
          number: parent.number,
          artifactDir: parent.parentId ? await storage.ensureArtifact(parent.id, parent.artifactSha256) : null,
          classCount: parent.classes.length,
          ...(parentLabels.length ? { labels: parentLabels } : {}),
          unitAncestors: parent.classes.map((c) => ancestor.get(c.classNodeId) ?? null),
          lineageTakenOver: await lineageTakenOverUnits(prisma, parent.id),
        },
        newClasses: params.newClasses.map((c) => ({
          label: c.label,
          name: nameOf.get(c.classNodeId) ?? c.label,
          ancestor: ancestor.get(c.classNodeId) ?? null,
        })),
        mergeInto,
        ...(params.labelDecisions ? { labelDecisions: params.labelDecisions } : {}),
        train: images.train,
        val: images.val,
        strategy: job.strategy as GrowthStrategy,
        options,
        outDir,
        manifest: { datasetVersionId: params.datasetVersionId, options: params.options },
        // the class → parent chain written as taxonomy.json beside labels.json (read here: the compute has no database)
        taxonomy: {
          format: TAXONOMY_FILE_FORMAT,
          classes: await versionClassChains(prisma, versionId, publishedClasses(parent.classes, params)),
        },
      },
      {
        signal: monitor.signal,
        onProgress: (phase, fraction, span, extra) => monitor.report(phase, fraction, span, extra),
        onEstimating: () => monitor.startEstimating(),
      },
    );
    monitor.check();
    const expected = parent.classes.length + params.newClasses.length;
    if (computed.classes !== expected || computed.labels !== expected) {
      throw new Error(`trainer returned ${computed.classes} units / ${computed.labels} labels, expected ${expected}`);
    }
    Object.assign(steps, computed.steps); // load, grow, retention, export: timed in the training process
    stepStart = Date.now();
    const finalDir = storage.artifactDir(versionId);
    await rm(finalDir, { recursive: true, force: true }); // leftovers of an attempt that died after its rename
    await rename(outDir, finalDir);
    placed = finalDir;
    await rm(scratch, { recursive: true, force: true }); // gone before the job's status says it is done
    scratch = null;
    const artifactSha256 = sha256Hex(await readFile(join(finalDir, 'manifest.json')));
    await storage.publishArtifact(finalDir); // in the shared store (if any) before the row that names it
    monitor.report('publishing', 0.99, [0, 1]);
    await monitor.flush();
    monitor.check();
    await monitor.close(); // no heartbeat racing the publishing transaction for the row

    const classes = publishedClasses(parent.classes, params);
    await publishVersion(prisma, {
      jobId,
      workerId: opts.workerId,
      versionId,
      classes,
      evaluations: [
        {
          name: VAL_EVALUATION,
          datasetVersionId: params.datasetVersionId,
          metrics: {
            ...computed.evaluation,
            timings: computed.timings,
            jobTimings: steps,
            details: computed.details,
            images: images.counts,
            earlierClasses: images.earlier,
            // the decisions in force per new label (given, or the trainer's default), beside the growth record in params
            decisions: computed.decisions,
          },
        },
        ...(computed.retention ? [{ name: RETENTION_EVALUATION, metrics: computed.retention }] : []),
      ],
      artifactUri: finalDir,
      artifactSha256,
      lossCurve: monitor.lossCurve,
    });
    lap('publish');
    const parts = Object.entries(steps)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    log(
      `job ${jobId}: version ${versionId} READY (${classes.length} classes) in ${((Date.now() - t0) / 1000).toFixed(1)} s (${parts})`,
    );
    return { status: 'SUCCEEDED', versionId };
  } catch (err) {
    if (placed) await rm(placed, { recursive: true, force: true }).catch(() => undefined);
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    scratch = null;
    const kind =
      err instanceof JobAbort
        ? err.kind
        : err instanceof NotPublished
          ? err.why
          : monitor.signal.aborted
            ? abortKind(monitor.signal)
            : null;
    await monitor.close();
    if (kind === 'cancel') {
      await finishOwned(prisma, jobId, opts.workerId, 'CANCELLED', null, monitor.lossCurve);
      log(`job ${jobId}: cancelled`);
      return { status: 'CANCELLED' };
    }
    if (kind === 'shutdown') {
      await requeueOwned(prisma, jobId, opts.workerId);
      log(`job ${jobId}: re-queued (worker shutting down)`);
      return { status: 'REQUEUED' };
    }
    if (kind === 'lost-claim') {
      log(`job ${jobId}: claim lost to another worker, leaving it`);
      return { status: 'SKIPPED', reason: 'claim lost' };
    }
    const reason = failureReason(err);
    log(`job ${jobId}: FAILED: ${reason}\n${(err as Error)?.stack ?? err}`);
    await finishOwned(prisma, jobId, opts.workerId, 'FAILED', reason, monitor.lossCurve);
    return { status: 'FAILED', reason };
  } finally {
    await monitor.close();
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The version's units: the parent's, then the new classes in request order. */
function publishedClasses(parentClasses: { outputUnit: number; classNodeId: string }[], params: TrainingParams) {
  return [
    ...parentClasses.map((c) => ({ outputUnit: c.outputUnit, classNodeId: c.classNodeId, added: false })),
    ...params.newClasses.map((c, i) => ({
      outputUnit: parentClasses.length + i,
      classNodeId: c.classNodeId,
      added: true,
    })),
  ];
}

/** The parent's labels (index = output unit): its export's labels.json; an imported base (no artifact) has none to read. */
async function readParentLabels(
  parent: { id: string; number: number; parentId: string | null; artifactSha256: string | null },
  storage: LocalStorage,
): Promise<string[]> {
  if (!parent.parentId) return [];
  let path = `labels.json of version ${parent.number}`;
  try {
    path = join(await storage.ensureArtifact(parent.id, parent.artifactSha256), 'labels.json');
    const labels = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (!Array.isArray(labels)) throw new Error('not a list');
    return labels.map(String);
  } catch (err) {
    throw new JobInputError(
      `cannot read the labels of parent version ${parent.number} (${path}): ${(err as Error).message}`,
    );
  }
}

function abortKind(signal: AbortSignal): 'cancel' | 'shutdown' | 'lost-claim' {
  return signal.reason instanceof JobAbort ? signal.reason.kind : 'shutdown';
}

const ERRNO_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC)',
  EDQUOT: 'the disk quota is exceeded (EDQUOT)',
  EROFS: 'the storage is read-only (EROFS)',
  EACCES: 'permission denied on the server storage (EACCES)',
  EMFILE: 'too many open files on the server (EMFILE)',
  EIO: 'an I/O error on the server storage (EIO)',
};

/**
 * The job's failure reason as users see it: one line, no server path, no source snippet. Full details go to the
 * log. Errno failures (a full disk…) read as what happened, not as the syscall that hit it.
 */
export function failureReason(err: unknown): string {
  const raw0 = err instanceof Error ? err.message : String(err);
  // an error from the training child process arrives as its message: its errno is the message's prefix
  const code =
    (err as NodeJS.ErrnoException)?.code ??
    (err as { cause?: NodeJS.ErrnoException })?.cause?.code ??
    /^(E[A-Z]+): /.exec(raw0)?.[1];
  const reason = typeof code === 'string' ? ERRNO_REASONS[code] : undefined;
  const raw = err instanceof Error ? err.message.trim() || err.name : String(err);
  let msg = raw.split('\n')[0].trim();
  if (reason && !msg.includes(code!)) msg = `${reason}: ${msg}`;
  else if (reason && /^E[A-Z]+: /.test(msg)) msg = reason;
  msg = redactPaths(msg);
  return msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
}
