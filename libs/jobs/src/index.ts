// Public surface of jobs: the training job runner (in-process or pg-boss; compute in a child process) and the
// process-wide backbone (predictions).
export { createJobRunner, type JobRunner, type JobRunnerDeps, type JobRunnerOptions } from './runner.js';
export {
  executeJob,
  failureReason,
  type JobDeps,
  type JobOutcome,
  type ExecuteOptions,
  type JobStep,
  type JobStepHook,
} from './execute-job.js';
export { RETENTION_EVALUATION, VAL_EVALUATION } from './evaluation-names.js';
export {
  getSharedBackbone,
  loadedSharedBackbone,
  backboneSpec,
  getSharedBottleneckCache,
  disposeSharedBackbones,
} from './shared-backbone.js';
export { TrainerProcess, TrainerProcessExit, type TrainerProcessOptions } from './trainer-process.js';
export type { BackboneInfo, BaseScore, BaseScoreSpec } from './train-compute.js';
export { recoverJobs, newWorkerId } from './recovery.js';
export { parseTrainingParams, JobInputError, type TrainingParams } from './params.js';
export { loadRehearsalSets, type RehearsalSets } from './rehearsal.js';
export { evaluateBaseVersion, type BaseEvaluationOutcome } from './base-evaluation.js';
export { MAX_ATTEMPTS } from './job-row.js';
export { QUEUE as PGBOSS_QUEUE } from './pgboss-queue.js';
export {
  versionClassChains,
  versionRollUp,
  unitChain,
  TAXONOMY_FILE_FORMAT,
  type UnitChain,
  type VersionRollUp,
} from './class-chains.js';
export {
  computeDataOverlap,
  DATA_OVERLAP_IMAGES_PER_LABEL,
  type LabelDataOverlap,
  type OverlapAnswer,
} from './data-overlap.js';
export { installProcessGuards } from './process-guards.js';
export { sweepLeftovers, type LeftoverReport } from './leftovers.js';
