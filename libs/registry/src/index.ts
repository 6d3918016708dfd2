// Public surface of registry: domain services over Prisma used by apps/api, apps/worker and tools.
export { RegistryError, notFound, badInput, conflict, isUniqueViolation, type ErrorCode } from './errors.js';
export { paginate, encodeCursor, decodeCursor, DEFAULT_PAGE, MAX_PAGE, type Page, type PageArgs, type PageInfo } from './pagination.js';
export * from './lists.js';
export {
  createApiToken, authenticateToken, revokeApiToken, hashToken, roleAtLeast, forgetVerifiedTokens, TOKEN_PREFIX, TOKEN_CACHE_MS,
  setTokenCacheMs, tokenChecksSettled, FirstSignIn,
} from './tokens.js';
export { getModel, getVersion, versionLineage } from './models.js';
export { getAlias, setAlias, rollbackAlias, rollbackTarget } from './aliases.js';
export { watchTrainingJob, isTerminalJob } from './watch.js';
export { compareVersions, flattenMetrics, perClassMetrics, type MetricValue } from './compare.js';
export { classPaths, classAncestors, classAncestorsMany, classSubtreeNodes, type TreeNode } from './classes.js';
export { taxonomyOps, searchClasses, versionClassTreeNodes, type FlatVersionTreeNode } from './taxonomy-ops.js';
export * as taxonomy from './taxonomy/index.js';
export {
  createDataset, getDataset, importImageFolder, addBase64Images, ingestFiles, freezeDatasetVersion, datasetClassCounts,
  classCountsFromJson, splitForHash, type IngestDeps, type IngestFile, type ImportOutcome,
} from './datasets.js';
export { inspectImage, type ImageInfo, type ImageLimits } from './images.js';
export { readZipEntries, ZipRejectedError } from './zip.js';
export { createModelVersion, cancelTrainingJob, growthStrategies, type CreateVersionInput, type VersionDeps } from './versions.js';
export { ClassifierCache, predict, type PredictDeps, type PredictInput } from './predict.js';
export { seedBaseModel, type SeedResult } from './seed.js';
export * from './taxonomy/index.js';
export { filesFromZip, layoutPaths, storeImages, isZip } from './uploads.js';
export {
  resolveImportPath, scanImageFolder, previewImageFolder, layoutNote, DEFAULT_VAL_FRACTION, type FolderLayout, type ImportPreview, type ImportPreviewClass,
} from './datasets.js';
export { resolvePredictVersion } from './predict.js';
export { paginateArray } from './pagination.js';
export {
  readyVersionClasses, versionsById, classNodesById, invalidateClassNodeCache, CLASS_NODE_TTL_MS, setClassNodeTtl, classNodeCacheSettled,
} from './caches.js';
export {
  readGrowthParams, readValidationReport, readRetentionReport, readLossCurve,
  type GrowthParams, type ValidationReport, type RetentionReport, type LossPoint,
  type AccuracyReading, type ClassScoreReading, type ConfusionReading,
} from './reports.js';
export { placedParentId } from './resolve-labels.js';
