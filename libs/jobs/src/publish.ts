// The single transaction that makes a trained version visible: its class list, its evaluations, READY, and the
// job SUCCEEDED. It only commits if this worker still owns the job and nobody asked to cancel it meanwhile.
import type { Prisma, PrismaClient } from '@accrete/db';

export class NotPublished extends Error {
  constructor(readonly why: 'lost-claim' | 'cancel') {
    super(why === 'cancel' ? 'cancelled before publishing' : 'claim lost before publishing');
  }
}

export interface PublishInput {
  jobId: string;
  workerId: string;
  versionId: string;
  classes: { outputUnit: number; classNodeId: string; added: boolean }[];
  evaluations: { name: string; datasetVersionId?: string | null; metrics: unknown }[];
  artifactUri: string;
  artifactSha256: string;
  lossCurve: unknown[];
}

export async function publishVersion(prisma: PrismaClient, input: PublishInput): Promise<void> {
  await prisma.$transaction(
    async (tx) => {
      const now = new Date();
      const job = await tx.trainingJob.updateMany({
        where: { id: input.jobId, status: 'RUNNING', workerId: input.workerId, cancelRequested: false },
        data: {
          status: 'SUCCEEDED',
          phase: 'done',
          progress: 1,
          etaSeconds: 0,
          finishedAt: now,
          heartbeatAt: now,
          lossCurve: input.lossCurve as Prisma.InputJsonValue,
        },
      });
      if (job.count !== 1) {
        const row = await tx.trainingJob.findUnique({
          where: { id: input.jobId },
          select: { cancelRequested: true, workerId: true, status: true },
        });
        throw new NotPublished(
          row?.status === 'RUNNING' && row.workerId === input.workerId && row.cancelRequested ? 'cancel' : 'lost-claim',
        );
      }
      // A previous attempt that died mid-way never committed, but be explicit: the class list is rebuilt whole.
      await tx.versionClass.deleteMany({ where: { versionId: input.versionId } });
      await tx.versionClass.createMany({
        data: input.classes.map((c) => ({
          versionId: input.versionId,
          outputUnit: c.outputUnit,
          classNodeId: c.classNodeId,
          added: c.added,
        })),
      });
      await tx.evaluation.deleteMany({ where: { versionId: input.versionId } });
      for (const e of input.evaluations) {
        await tx.evaluation.create({
          data: {
            versionId: input.versionId,
            name: e.name,
            datasetVersionId: e.datasetVersionId ?? null,
            metrics: toJson(e.metrics),
          },
        });
      }
      await tx.modelVersion.update({
        where: { id: input.versionId },
        data: {
          status: 'READY',
          classCount: input.classes.length,
          artifactUri: input.artifactUri,
          artifactSha256: input.artifactSha256,
          readyAt: now,
          error: null,
        },
      });
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

/** JSON-safe copy: typed arrays → arrays, non-finite numbers → null, Maps → objects. */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(
    JSON.stringify(value ?? null, (_k, v) => {
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (typeof v === 'bigint') return Number(v);
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      return v;
    }),
  ) as Prisma.InputJsonValue;
}
