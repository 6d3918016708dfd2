// Public surface of registry, the model registry: models, versions, aliases, training jobs as seen by clients,
// evaluation reports, predictions and the base-model seed. Its verbs per entity are listed in ./contract.ts.
// (Taxonomy: @accrete/taxonomy-store; datasets and imports: @accrete/datasets; tokens: @accrete/auth.)
export * from './lists.js';
export {
  getModel,
  getVersion,
  getVersionWithModel,
  findVersionByNumber,
  latestVersion,
  versionLineage,
} from './models.js';
export { getAlias, setAlias, rollbackAlias, rollbackTarget, aliasRollbackTarget } from './aliases.js';
export { watchTrainingJob, isTerminalJob } from './watch.js';
export { compareVersions, flattenMetrics, perClassMetrics, type MetricValue } from './compare.js';
export {
  createModelVersion,
  cancelTrainingJob,
  growthStrategies,
  growthViewKinds,
  growthDefaults,
  type CreateVersionInput,
  type VersionDeps,
} from './versions.js';
export { ClassifierCache, predict, resolvePredictVersion, type PredictDeps, type PredictInput } from './predict.js';
export { seedBaseModel, type SeedResult } from './seed.js';
export { readyVersionClasses, versionsById } from './caches.js';
export {
  modelsById,
  backbonesById,
  trainingJobsById,
  aliasesById,
  childVersionsOf,
  evaluationsOfVersions,
  trainingJobsOfVersions,
  aliasesOfVersions,
  aliasesOfModels,
  registryHealth,
} from './batches.js';
export { nameOverlap, type LabelOverlap, type NameProposal } from './growth-overlap.js';
export type { LabelDecisionRecord } from './resolve-labels.js';
export { dataOverlap, type DataOverlapState } from './data-overlap.js';
export { modelRegistry, type ModelRegistry } from './contract.js';
