// Growing a version: validate, resolve the requested labels to classes (merge into an existing output unit or
// add a new one), create ModelVersion + TrainingJob in one transaction, then hand the job to the JobRunner.
import type { PrismaClient, ClassNode, ModelVersion, TrainingJob, Prisma } from '@accrete/db';
import type { TrainingParamsInput } from '@accrete/shapes';
import type { JobRunner } from '@accrete/jobs';
import { GROWTH_DEFAULTS, GROWTH_STRATEGIES, VIEW_KINDS, isViewKind } from '@accrete/trainer';
import { badInput, conflict, isUniqueViolation, notFound } from '@accrete/errors';
import { resolveLabels } from './resolve-labels.js';
import { classCountsFromJson } from '@accrete/datasets';
import { createClasses } from '@accrete/taxonomy-store';

/** Strategies the trainer offers (libs/trainer GROWTH_STRATEGIES). */
export function growthStrategies(): string[] {
  return [...GROWTH_STRATEGIES];
}

/** How a growth can make its augmented views (the trainer's VIEW_KINDS; `options.views`, null = the backend's). */
export function growthViewKinds(): string[] {
  return [...VIEW_KINDS];
}

/** What a growth runs with when the request leaves it out (the trainer's GROWTH_DEFAULTS). */
export function growthDefaults(): { strategy: string; retentionKnob: number; augmentations: number } {
  return { ...GROWTH_DEFAULTS };
}

export interface VersionDeps {
  prisma: PrismaClient;
  runner: Pick<JobRunner, 'submit' | 'cancel'>;
  log?: (m: string) => void;
}

export interface ClassToAdd {
  label: string;
  name?: string | null;
  resolution?: 'NEW' | 'MERGE' | null;
  mergeIntoClassId?: string | null;
  parentClassId?: string | null;
  /** Declare the new class the taxonomy parent of these classes of the parent version (they count as its descendants). */
  parentOfClassIds?: string[] | null;
  /** Teach the new class to win over these classes of the parent version on images like its own. */
  winsOverClassIds?: string[] | null;
}

export interface CreateVersionInput {
  parentVersionId: string;
  datasetVersionId: string;
  classes: ClassToAdd[];
  strategy: string;
  options?: {
    retentionKnob?: number | null;
    augmentations?: number | null;
    epochs?: number | null;
    seed?: number | null;
    views?: string | null;
  };
  note?: string;
}

export interface ResolvedClass {
  label: string;
  resolution: 'NEW' | 'MERGE';
  classNode: ClassNode;
  outputUnit: number | null;
}

const ACTIVE_JOB = ['QUEUED', 'RUNNING'] as const;

export async function createModelVersion(
  deps: VersionDeps,
  input: CreateVersionInput,
): Promise<{ version: ModelVersion; job: TrainingJob; classes: ResolvedClass[] }> {
  const { prisma } = deps;
  const parent = await prisma.modelVersion.findUnique({ where: { id: input.parentVersionId } });
  if (!parent) throw notFound('model version', input.parentVersionId);
  if (parent.status !== 'READY')
    throw conflict(`parent version ${parent.number} is ${parent.status}; grow from a READY version`);
  const dv = await prisma.datasetVersion.findUnique({ where: { id: input.datasetVersionId } });
  if (!dv) throw notFound('dataset version', input.datasetVersionId);
  if (!growthStrategies().includes(input.strategy)) {
    throw badInput(`unknown strategy "${input.strategy}"; one of ${growthStrategies().join(', ')}`);
  }
  const views = input.options?.views;
  if (views != null && !isViewKind(views))
    throw badInput(`unknown views "${views}"; one of ${growthViewKinds().join(', ')}`);
  if (input.classes.length === 0) throw badInput('no classes to add');
  const counts = new Map(classCountsFromJson(dv.classCounts).map((c) => [c.label, c]));
  const seen = new Set<string>();
  for (const c of input.classes) {
    if (seen.has(c.label)) throw badInput(`label "${c.label}" is listed twice`);
    seen.add(c.label);
    const n = counts.get(c.label);
    if (!n)
      throw badInput(
        `dataset version ${dv.number} has no images labelled "${c.label}" (labels: ${[...counts.keys()].join(', ')})`,
      );
    if (n.train === 0) throw badInput(`label "${c.label}" has no TRAIN images in dataset version ${dv.number}`);
  }

  const resolved = await resolveLabels(prisma, parent.id, input.classes);
  const options = Object.fromEntries(Object.entries(input.options ?? {}).filter(([, v]) => v != null));

  let created: { version: ModelVersion; job: TrainingJob; classes: ResolvedClass[] };
  try {
    created = await prisma.$transaction(
      async (tx) => {
        // serialise growth from the same parent: the active-job check below must see concurrent creators
        await tx.$queryRaw`SELECT "id" FROM "ModelVersion" WHERE "id" = ${parent.id} FOR UPDATE`;
        const active = await tx.trainingJob.findFirst({
          where: { parentVersionId: parent.id, status: { in: [...ACTIVE_JOB] } },
        });
        if (active)
          throw conflict(
            `version ${parent.number} already has an active training job (${active.id}, ${active.status})`,
            {
              jobId: active.id,
            },
          );
        // brand-new user classes are created in this transaction (taxonomy lock joined), so a refused version leaves none
        const toCreate = resolved.filter((r) => r.create);
        const createdNodes = toCreate.length
          ? await createClasses(
              tx,
              toCreate.map((r) => ({
                name: r.create!.name,
                parentId: r.create!.parentId,
                allowDuplicateName: r.create!.allowDuplicateName,
                // a retry after a failed or cancelled growth takes the class that attempt left, not a twin of it
                reuseUnused: true,
              })),
            )
          : [];
        const classes: ResolvedClass[] = resolved.map((r) =>
          r.create
            ? {
                label: r.label,
                resolution: 'NEW' as const,
                classNode: createdNodes[toCreate.indexOf(r)],
                outputUnit: null,
              }
            : { label: r.label, resolution: r.resolution, classNode: r.classNode!, outputUnit: r.outputUnit },
        );
        const labelDecisions = Object.fromEntries(
          resolved.filter((r) => r.takeOver).map((r) => [r.label, r.takeOver!]),
        );
        const params = {
          datasetVersionId: dv.id,
          newClasses: classes
            .filter((c) => c.resolution === 'NEW')
            .map((c) => ({ label: c.label, classNodeId: c.classNode.id })),
          merges: classes
            .filter((c) => c.resolution === 'MERGE')
            .map((c) => ({ label: c.label, classNodeId: c.classNode.id, outputUnit: c.outputUnit! })),
          ...(Object.keys(labelDecisions).length ? { labelDecisions } : {}),
          // the growth record: what was decided for each label, why, and whether by default
          growth: resolved.map((r, i) => ({ ...r.record, classId: classes[i].classNode.id })),
          options,
        } satisfies TrainingParamsInput & Prisma.InputJsonObject;
        const last = await tx.modelVersion.findFirst({
          where: { modelId: parent.modelId },
          orderBy: { number: 'desc' },
          select: { number: true },
        });
        const version = await tx.modelVersion.create({
          data: {
            modelId: parent.modelId,
            number: (last?.number ?? 0) + 1,
            parentId: parent.id,
            status: 'PENDING',
            strategy: input.strategy,
            params,
            datasetVersionId: dv.id,
            note: input.note ?? '',
          },
        });
        const job = await tx.trainingJob.create({
          data: {
            versionId: version.id,
            parentVersionId: parent.id,
            status: 'QUEUED',
            strategy: input.strategy,
            params,
          },
        });
        // new units follow the parent's, in request order
        let unit = parent.classCount;
        for (const c of classes) if (c.resolution === 'NEW') c.outputUnit = unit++;
        return { version, job, classes };
        // Prisma's default 5 s expired on a loaded machine (5.7 s at load 41, multi-node test): the class rows and the
        // taxonomy lock make this more than a few queries
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('another version of this model was created at the same time; retry');
    throw e;
  }
  try {
    await deps.runner.submit(created.job.id);
  } catch (e) {
    const reason = `could not queue the training job: ${(e as Error).message}`;
    await prisma.$transaction([
      prisma.trainingJob.update({
        where: { id: created.job.id },
        data: { status: 'FAILED', error: reason, finishedAt: new Date() },
      }),
      prisma.modelVersion.update({ where: { id: created.version.id }, data: { status: 'FAILED', error: reason } }),
    ]);
    throw e;
  }
  return created;
}

export async function cancelTrainingJob(deps: VersionDeps, jobId: string): Promise<TrainingJob> {
  const job = await deps.prisma.trainingJob.findUnique({ where: { id: jobId } });
  if (!job) throw notFound('training job', jobId);
  if (!ACTIVE_JOB.includes(job.status as (typeof ACTIVE_JOB)[number]))
    throw conflict(`training job ${jobId} is already ${job.status}`);
  await deps.runner.cancel(jobId);
  return (await deps.prisma.trainingJob.findUnique({ where: { id: jobId } }))!;
}
