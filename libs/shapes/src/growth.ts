// The growth request as stored in ModelVersion.params and TrainingJob.params: written by the registry when it
// creates a version, parsed by the job that trains it, read back for clients (./reports.ts readGrowthParams).
import { z } from 'zod';

const ClassRef = z.object({ label: z.string().min(1), classNodeId: z.string().min(1) });

export const TrainingParamsSchema = z.object({
  datasetVersionId: z.string().min(1),
  newClasses: z.array(ClassRef).default([]),
  merges: z.array(ClassRef.extend({ outputUnit: z.number().int().min(0) })).default([]),
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

/** What a writer may pass (defaults not yet applied). */
export type TrainingParamsInput = z.input<typeof TrainingParamsSchema>;
