// Public surface of shapes: the JSON shapes that cross lib and process boundaries, defined once: the growth
// request (zod schema, parsed by jobs, written by the registry) and the typed, tolerant readers of the reports a
// job stores (served by the API as GraphQL types that implement these interfaces).
export {
  TrainingParamsSchema,
  LabelDecisionRecordSchema,
  type TrainingParams,
  type TrainingParamsInput,
  type LabelDecisionRecord,
} from './growth.js';
export {
  readGrowthParams,
  readValidationReport,
  readRetentionReport,
  readLossCurve,
  type GrowthParams,
  type ValidationReport,
  type RetentionReport,
  type LossPoint,
  type AccuracyReading,
  type ClassScoreReading,
  type ConfusionReading,
} from './reports.js';
