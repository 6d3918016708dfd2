// The TrainingJob.params / ModelVersion.params JSON written by the registry (see notes/JOBS_API.md).
// Validated here because it crosses a process boundary: a bad row must fail the job with a clear reason.
import { z } from 'zod';

const ClassRef = z.object({ label: z.string().min(1), classNodeId: z.string().min(1) });

export const TrainingParamsSchema = z.object({
  datasetVersionId: z.string().min(1),
  newClasses: z.array(ClassRef).default([]),
  merges: z.array(ClassRef.extend({ outputUnit: z.number().int().min(0) })).default([]),
  /** Per new label, the parent's output units it takes over (trainer GrowRequest.labelDecisions). */
  labelDecisions: z
    .record(z.string(), z.object({ descendants: z.array(z.number().int().min(0)).optional(), winsOver: z.array(z.number().int().min(0)).optional() }))
    .optional(),
  options: z
    .object({
      retentionKnob: z.number().min(0).max(1).optional(),
      augmentations: z.number().int().min(0).max(64).optional(),
      epochs: z.number().int().min(1).max(10_000).optional(),
      seed: z.number().int().optional(),
    })
    .passthrough()
    .default({}),
});

export type TrainingParams = z.infer<typeof TrainingParamsSchema>;

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

/** Lenient variant for ancestors' params (an imported base version has none). */
export function tryParseTrainingParams(json: unknown): TrainingParams | null {
  const r = TrainingParamsSchema.safeParse(json);
  return r.success ? r.data : null;
}
