// Job progress as an async stream, by polling the TrainingJob row: works the same whether the job runs in
// this process or in a pg-boss worker elsewhere.
import type { PrismaClient, TrainingJob } from '@accrete/db';
import { notFound } from '@accrete/errors';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const isTerminalJob = (j: Pick<TrainingJob, 'status'>) => TERMINAL.has(j.status);

const fingerprint = (j: TrainingJob) =>
  JSON.stringify([j.status, j.phase, j.progress, j.etaSeconds, j.error, j.cancelRequested, j.attempts, j.finishedAt]);

/** Yields the job row now and at each change; ends after a terminal status or when the consumer stops. */
export async function* watchTrainingJob(
  prisma: PrismaClient,
  jobId: string,
  opts: { intervalMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<TrainingJob> {
  const interval = opts.intervalMs ?? 500;
  let last = '';
  for (;;) {
    const job = await prisma.trainingJob.findUnique({ where: { id: jobId } });
    if (!job) throw notFound('training job', jobId);
    const fp = fingerprint(job);
    if (fp !== last) {
      last = fp;
      yield job;
    }
    if (isTerminalJob(job) || opts.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, interval));
  }
}
