// The TrainingJob.params / ModelVersion.params JSON written by the registry (its schema: @accrete/shapes).
// Validated here because it crosses a process boundary: a bad row must fail the job with a clear reason.
import { TrainingParamsSchema, type TrainingParams } from '@accrete/shapes';
import { isViewKind, type GrowOptions } from '@accrete/trainer';

export type { TrainingParams };

export class JobInputError extends Error {}

export function parseTrainingParams(json: unknown, what = 'training job params'): TrainingParams {
  const r = TrainingParamsSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new JobInputError(`invalid ${what}: ${issues}`);
  }
  if (r.data.newClasses.length === 0 && r.data.merges.length === 0) {
    throw new JobInputError(`invalid ${what}: no new classes and no merges, nothing to train`);
  }
  return r.data;
}

/** The params' options as the trainer takes them: a view kind it does not know fails the job here. */
export function growOptions(options: TrainingParams['options']): GrowOptions & Record<string, unknown> {
  const { views, ...rest } = options;
  if (views === undefined) return rest;
  if (!isViewKind(views))
    throw new JobInputError(`invalid training job params: options.views: unknown view kind "${views}"`);
  return { ...rest, views };
}

/** Lenient variant for ancestors' params (an imported base version has none). */
export function tryParseTrainingParams(json: unknown): TrainingParams | null {
  const r = TrainingParamsSchema.safeParse(json);
  return r.success ? r.data : null;
}
