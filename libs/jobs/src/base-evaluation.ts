// The base version's own score on the held-out retention photos (odd class indices of the rehearsal dir's index.csv),
// measured once after seeding: v1 then has real figures on its page, and every grown version's retention
// evaluation (same photos, same name) compares with it. The bottlenecks land in the shared cache, so the first
// training job's retention probe does not extract them again.
import type { Backbone } from '@accrete/trainer';
import { loadClassifier } from '@accrete/trainer';
import type { JobDeps } from './execute-job.js';
import { RETENTION_EVALUATION } from './execute-job.js';
import { loadRehearsalSets } from './rehearsal.js';
import { evaluateRetention } from './retention.js';
import { getSharedBottleneckCache } from './shared-backbone.js';

export type BaseEvaluationOutcome = 'recorded' | 'already-recorded' | 'no-retention-images';

/** Records the "imagenet-retention" evaluation of a base version (no parent: its parent* fields are absent). */
export async function evaluateBaseVersion(
  deps: JobDeps & { backbone: Backbone },
  versionId: string,
  signal?: AbortSignal,
): Promise<BaseEvaluationOutcome> {
  const { prisma, config, backbone } = deps;
  const log = deps.log ?? (() => undefined);
  if (await prisma.evaluation.findUnique({ where: { versionId_name: { versionId, name: RETENTION_EVALUATION } } })) return 'already-recorded';
  const sets = await loadRehearsalSets(config.rehearsalDir);
  if (!sets.retention?.length) {
    log(`seed: no retention images (an index.csv with class_index) in ${config.rehearsalDir}: the base version is not evaluated`);
    return 'no-retention-images';
  }
  log(`seed: evaluating the base version on ${sets.retention.length} held-out ImageNet photos (once)…`);
  const t0 = Date.now();
  const { head } = await loadClassifier({ backbone });
  const m = await evaluateRetention({ backbone, images: sets.retention, parent: head, head, cache: getSharedBottleneckCache(config), signal });
  const metrics = { images: m.images, top1: m.top1, top5: m.top5 };
  try {
    await prisma.evaluation.create({ data: { versionId, name: RETENTION_EVALUATION, metrics } });
  } catch (e) {
    // another API process recorded it first: same photos, same model, same figures
    if (await prisma.evaluation.findUnique({ where: { versionId_name: { versionId, name: RETENTION_EVALUATION } } })) return 'already-recorded';
    throw e;
  }
  log(`seed: base version top-1 ${(m.top1 * 100).toFixed(1)}%, top-5 ${(m.top5 * 100).toFixed(1)}% on ${m.images} photos (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 'recorded';
}
