// Runs one training job from its TrainingJob row to a published (or cleanly failed) model version.
// Order: claim → gather inputs → growVersion → retention probe → export to scratch → rename into place →
// one publishing transaction. Any failure removes the artifact dir and leaves FAILED + reason on job and version.
import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import { DEFAULT_AUGMENTATIONS, exportModel, growVersion, loadClassifier, type Backbone, type GrowthStrategy, type Head } from '@accrete/trainer';
import { claimJob, finishOwned, requeueOwned, MAX_ATTEMPTS } from './job-row.js';
import { JobAbort, JobMonitor } from './job-monitor.js';
import { gatherJobImages } from './job-inputs.js';
import { JobInputError, parseTrainingParams } from './params.js';
import { NotPublished, publishVersion } from './publish.js';
import { jobPlan, type ProgressPlan } from './progress-plan.js';
import { loadRehearsalSets } from './rehearsal.js';
import { evaluateRetention } from './retention.js';
import { taxonomyParentNames } from './taxonomy-parents.js';
import { getSharedBackbone, getSharedBottleneckCache } from './shared-backbone.js';

export interface JobDeps {
  prisma: PrismaClient;
  config: Config;
  storage: LocalStorage;
  log?: (m: string) => void;
}

export interface ExecuteOptions {
  workerId: string;
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
export const RETENTION_EVALUATION = 'imagenet-retention';
export const VAL_EVALUATION = 'val';

// Before the inputs are known, preparing covers the first 2% of the bar.
const PREPARE: [number, number] = [0, 0.02];

export async function executeJob(deps: JobDeps, jobId: string, opts: ExecuteOptions): Promise<JobOutcome> {
  const { prisma, storage } = deps;
  const log = deps.log ?? (() => {});
  const staleBefore = new Date(Date.now() - (opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS));
  const claim = await claimJob(prisma, jobId, opts.workerId, { staleBefore, maxAttempts: opts.maxAttempts ?? MAX_ATTEMPTS });
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
  const monitor = new JobMonitor(prisma, jobId, opts.workerId, { minIntervalMs: opts.progressIntervalMs, heartbeatMs: opts.heartbeatMs, log }, opts.signal);
  let scratch: string | null = null;
  let placed: string | null = null; // artifact dir we renamed into place
  let versionId = '';
  try {
    monitor.report('preparing', 0, PREPARE);
    const job = await prisma.trainingJob.findUniqueOrThrow({
      where: { id: jobId },
      include: { parentVersion: { include: { classes: { orderBy: { outputUnit: 'asc' }, select: { outputUnit: true, classNodeId: true } } } } },
    });
    versionId = job.versionId;
    log(`job ${jobId}: attempt ${claim.attempt} on ${opts.workerId}, version ${versionId}`);
    const params = parseTrainingParams(job.params);
    const parent = job.parentVersion;
    if (parent.status !== 'READY') throw new JobInputError(`parent version ${parent.number} is ${parent.status}, not READY`);

    const backbone = await getSharedBackbone(deps.config, log);
    monitor.check();
    const parentModel = await loadParentModel(backbone, parent, storage);
    if (parent.classes.length !== parentModel.head.classes || parentModel.labels.length !== parentModel.head.classes) {
      throw new JobInputError(
        `parent version ${parent.number} lists ${parent.classes.length} classes but its head has ${parentModel.head.classes} units (${parentModel.labels.length} labels)`,
      );
    }
    if (parent.classes.some((c, i) => c.outputUnit !== i)) throw new JobInputError(`parent version ${parent.number} has gaps in its output units`);
    const mergeInto: Record<string, number> = {};
    for (const m of params.merges) {
      const unit = parent.classes[m.outputUnit];
      if (!unit || unit.classNodeId !== m.classNodeId) {
        throw new JobInputError(`merge "${m.label}" → output unit ${m.outputUnit}: the parent's unit ${m.outputUnit} is a different class`);
      }
      mergeInto[m.label] = m.outputUnit;
    }
    const parentNodes = new Set(parent.classes.map((c) => c.classNodeId));
    for (const c of params.newClasses) {
      if (parentNodes.has(c.classNodeId)) throw new JobInputError(`new class "${c.label}" is already an output unit of the parent`);
    }

    const images = await gatherJobImages(prisma, storage, {
      params,
      parentId: parent.id,
      parentClasses: parent.classes,
      parentLabels: parentModel.labels,
    });
    const sets = await loadRehearsalSets(deps.config.rehearsalDir);
    const plan = jobPlan({
      train: images.train.length,
      rehearsal: sets.rehearsal.length,
      val: images.val.length,
      retention: sets.retention?.length ?? 0,
      augmentations: params.options.augmentations ?? DEFAULT_AUGMENTATIONS,
    });
    monitor.report('preparing', 1, plan.span('preparing'));
    monitor.startEstimating();
    monitor.check();
    log(
      `job ${jobId}: ${images.train.length} train / ${images.val.length} val images, ${params.newClasses.length} new classes, ` +
        `${params.merges.length} merges, ${Object.keys(images.earlier).length} earlier classes, ${sets.rehearsal.length} rehearsal`,
    );

    const ancestorOf = await taxonomyParentNames(prisma, [
      ...parent.classes.map((c, u) => ({ label: parentModel.labels[u], classNodeId: c.classNodeId })),
      ...params.newClasses,
    ]);
    lap('prepare');
    await opts.onStep?.(jobId, 'prepared');
    monitor.check();
    const cache = getSharedBottleneckCache(deps.config);
    const growProgress = trainerProgress(monitor, plan);
    const result = await growVersion({
      backbone,
      parent: parentModel,
      newClasses: params.newClasses.map((c) => c.label),
      mergeInto,
      train: images.train,
      val: images.val,
      rehearsal: sets.rehearsal,
      strategy: job.strategy as GrowthStrategy,
      // The registry already decided merge vs new: no merging by name behind its back.
      options: { ...params.options, autoMerge: false },
      cache,
      onProgress: growProgress,
      signal: monitor.signal,
      ancestorOf: (label) => ancestorOf.get(label),
    });
    monitor.check();
    const expected = parentModel.head.classes + params.newClasses.length;
    if (result.head.classes !== expected || result.labels.length !== expected) {
      throw new Error(`trainer returned ${result.head.classes} units / ${result.labels.length} labels, expected ${expected}`);
    }

    lap('grow');
    let retention: unknown = null;
    if (sets.retention?.length) {
      retention = await evaluateRetention({
        backbone,
        images: sets.retention,
        parent: parentModel.head,
        head: result.head,
        cache,
        signal: monitor.signal,
        onProgress: (done, total) => monitor.report('evaluating retention', total ? done / total : 1, plan.span('retention')),
      });
    }
    monitor.check();

    lap('retention');
    monitor.report('exporting', 0, plan.span('export'));
    scratch = await storage.scratchDir(versionId);
    const outDir = join(scratch, 'model');
    await exportModel(backbone, result.head, result.labels, outDir, {
      versionId,
      jobId,
      parentVersion: parent.id,
      strategy: job.strategy,
      datasetVersionId: params.datasetVersionId,
      backboneId: backbone.id,
      options: params.options,
    });
    monitor.check();
    const finalDir = storage.artifactDir(versionId);
    await rm(finalDir, { recursive: true, force: true }); // leftovers of an attempt that died after its rename
    await rename(outDir, finalDir);
    placed = finalDir;
    lap('export');
    const artifactSha256 = createHash('sha256').update(await readFile(join(finalDir, 'manifest.json'))).digest('hex');
    monitor.report('publishing', 0.9, plan.span('export'));
    await monitor.flush();
    monitor.check();
    await monitor.close(); // no heartbeat racing the publishing transaction for the row

    const classes = [
      ...parent.classes.map((c) => ({ outputUnit: c.outputUnit, classNodeId: c.classNodeId, added: false })),
      ...params.newClasses.map((c, i) => ({ outputUnit: parentModel.head.classes + i, classNodeId: c.classNodeId, added: true })),
    ];
    await publishVersion(prisma, {
      jobId,
      workerId: opts.workerId,
      versionId,
      classes,
      evaluations: [
        {
          name: VAL_EVALUATION,
          datasetVersionId: params.datasetVersionId,
          metrics: { ...result.evaluation, timings: result.timings, jobTimings: steps, details: result.details, images: images.counts, earlierClasses: images.earlier },
        },
        ...(retention ? [{ name: RETENTION_EVALUATION, metrics: retention }] : []),
      ],
      artifactUri: finalDir,
      artifactSha256,
      lossCurve: monitor.lossCurve,
    });
    lap('publish');
    const parts = Object.entries(steps).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    log(`job ${jobId}: version ${versionId} READY (${classes.length} classes) in ${((Date.now() - t0) / 1000).toFixed(1)} s (${parts})`);
    return { status: 'SUCCEEDED', versionId };
  } catch (err) {
    if (placed) await rm(placed, { recursive: true, force: true }).catch(() => undefined);
    const kind = err instanceof JobAbort ? err.kind : err instanceof NotPublished ? err.why : monitor.signal.aborted ? abortKind(monitor.signal) : null;
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
    const reason = describe(err);
    log(`job ${jobId}: FAILED: ${reason}`);
    await finishOwned(prisma, jobId, opts.workerId, 'FAILED', reason, monitor.lossCurve);
    return { status: 'FAILED', reason };
  } finally {
    await monitor.close();
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The head + labels a job grows from: the backbone's own head for an imported base, else the parent's export. */
async function loadParentModel(
  backbone: Backbone,
  parent: { id: string; number: number; parentId: string | null; artifactUri: string | null },
  storage: LocalStorage,
): Promise<{ head: Head; labels: string[] }> {
  if (!parent.parentId) return { head: backbone.baseHead, labels: backbone.labels };
  const dir = storage.artifactDir(parent.id);
  let manifest: { backboneId?: string };
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new JobInputError(`cannot read the exported model of parent version ${parent.number} in ${dir}: ${(err as Error).message}`);
  }
  if (manifest.backboneId !== backbone.id) {
    throw new JobInputError(`parent version ${parent.number} was exported from backbone ${manifest.backboneId}, this worker has ${backbone.id}`);
  }
  // Same backbone: the classifier only reads the head matrix and labels from the artifact.
  const clf = await loadClassifier({ artifactDir: dir, backbone });
  try {
    return { head: clf.head, labels: clf.labels };
  } finally {
    await clf.dispose();
  }
}

/** Trainer progress → the job's bar (phases placed by the plan; unknown phases keep the bar where it is). */
function trainerProgress(monitor: JobMonitor, plan: ProgressPlan) {
  return (p: { phase: string; done: number; total: number; etaSeconds?: number; loss?: number }) => {
    const span = plan.trainerSpan(p.phase);
    const fraction = p.total > 0 ? p.done / p.total : 0;
    monitor.report(p.phase, span ? fraction : 0, span ?? [0, 0], { loss: p.loss, step: p.done });
  };
}

function abortKind(signal: AbortSignal): 'cancel' | 'shutdown' | 'lost-claim' {
  return signal.reason instanceof JobAbort ? signal.reason.kind : 'shutdown';
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const msg = err.message.trim() || err.name;
    return msg.length > 2000 ? `${msg.slice(0, 2000)}…` : msg;
  }
  return String(err);
}

