// The base version's own score on the held-out retention photos (odd class indices of the rehearsal dir's index.csv),
// measured once after seeding: v1 then has real figures on its page, and every grown version's retention
// evaluation (same photos, same name) compares with it. The scoring runs in the training process (the API process
// keeps tfjs and the model unloaded until its first prediction); its bottlenecks land in the shared cache, so the
// first training job's retention probe does not extract them again.
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import { RETENTION_EVALUATION } from './evaluation-names.js';
import { backboneSpec } from './shared-backbone.js';
import type { BaseScore, BaseScoreSpec } from './train-compute.js';

export type BaseEvaluationOutcome = 'recorded' | 'already-recorded' | 'no-retention-images';

/** Records the "imagenet-retention" evaluation of a base version (no parent: its parent* fields are absent). */
export async function evaluateBaseVersion(
  deps: {
    prisma: PrismaClient;
    config: Config;
    log?: (m: string) => void;
    score: (spec: BaseScoreSpec) => Promise<BaseScore>;
  },
  versionId: string,
): Promise<BaseEvaluationOutcome> {
  const { prisma, config } = deps;
  const log = deps.log ?? (() => undefined);
  const recorded = () =>
    prisma.evaluation.findUnique({ where: { versionId_name: { versionId, name: RETENTION_EVALUATION } } });
  if (await recorded()) return 'already-recorded';
  const t0 = Date.now();
  log(`seed: scoring the base version on the held-out retention photos of ${config.rehearsalDir} (once)…`);
  const score = await deps.score({
    backbone: backboneSpec(config),
    bottlenecksDir: config.paths.bottlenecks,
    rehearsalDir: config.rehearsalDir,
  });
  if (!score) {
    log(
      `seed: no retention photos (an index.csv with class_index) in ${config.rehearsalDir}: the base version is not scored`,
    );
    return 'no-retention-images';
  }
  try {
    await prisma.evaluation.create({ data: { versionId, name: RETENTION_EVALUATION, metrics: score } });
  } catch (e) {
    // another API process recorded it first: same photos, same model, same figures
    if (await recorded()) return 'already-recorded';
    throw e;
  }
  log(
    `seed: base version top-1 ${(score.top1 * 100).toFixed(1)}%, top-5 ${(score.top5 * 100).toFixed(1)}% on ${score.images} photos (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return 'recorded';
}
