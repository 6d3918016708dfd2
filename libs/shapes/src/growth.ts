// The growth request as stored in ModelVersion.params and TrainingJob.params: written by the registry when it
// creates a version, parsed by the job that trains it, read back for clients (./reports.ts readGrowthParams).
import { z } from 'zod';

const ClassRef = z.object({ label: z.string().min(1), classNodeId: z.string().min(1) });

/** One label's decision as the growth record keeps it (written by the registry's label resolution). */
export const LabelDecisionRecordSchema = z.object({
  label: z.string(),
  /** merge: into an existing unit; new: a new unit (for an existing node or a new user class). */
  decision: z.enum(['merge', 'new']),
  /** The class merged into, or the class of the new unit. */
  classId: z.string().optional(),
  /** Taxonomy parent of a new user class. */
  parentId: z.string().nullable().optional(),
  /** The placement rule's reason, "caller" when the request said so, or "no match". */
  reason: z.enum(['same name', 'plural/singular', 'synonym', 'WordNet sense', 'head noun', 'caller', 'no match']),
  byDefault: z.boolean(),
  /** Classes of the parent the new class was declared the taxonomy parent of (ids). */
  parentOf: z.array(z.string()).optional(),
  /** Classes of the parent the new class is taught to win over (ids). */
  winsOver: z.array(z.string()).optional(),
});

export type LabelDecisionRecord = z.infer<typeof LabelDecisionRecordSchema>;

export const TrainingParamsSchema = z.object({
  datasetVersionId: z.string().min(1),
  newClasses: z.array(ClassRef).default([]),
  merges: z.array(ClassRef.extend({ outputUnit: z.number().int().min(0) })).default([]),
  /** Per new label, the parent's output units it takes over (trainer GrowRequest.labelDecisions). */
  labelDecisions: z
    .record(
      z.string(),
      z.object({
        descendants: z.array(z.number().int().min(0)).optional(),
        winsOver: z.array(z.number().int().min(0)).optional(),
      }),
    )
    .optional(),
  /** The growth record: per label, what was decided and why (read back by reports.ts readGrowthParams). */
  growth: z.array(LabelDecisionRecordSchema).optional(),
  options: z
    .object({
      retentionKnob: z.number().min(0).max(1).optional(),
      augmentations: z.number().int().min(0).max(64).optional(),
      epochs: z.number().int().min(1).max(10_000).optional(),
      seed: z.number().int().optional(),
      /** The trainer's ViewKind (checked by the registry on the request and by the job on the row). */
      views: z.string().max(32).optional(),
    })
    .passthrough()
    .default({}),
});

export type TrainingParams = z.infer<typeof TrainingParamsSchema>;

/** What a writer may pass (defaults not yet applied). */
export type TrainingParamsInput = z.input<typeof TrainingParamsSchema>;
