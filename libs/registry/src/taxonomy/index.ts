// Public surface of the registry's taxonomy part: seeding, edits and reads of ClassNode/ClassAlias.
// Refusals are RegistryErrors (BAD_INPUT / CONFLICT / NOT_FOUND) with details.reason = the taxonomy code
// (CYCLE, IN_USE, HAS_CHILDREN, HAS_IMAGES, DUPLICATE_NAME, DUPLICATE_ALIAS, NOT_USER_CLASS, …).
export { seedTaxonomy, imagenetVersionClasses, type SeedTaxonomyResult } from './seed.js';
export {
  createClass,
  createClasses,
  renameClass,
  addClassAlias,
  removeClassAlias,
  moveClass,
  mergeClasses,
  deleteClass,
  type CreateClassInput,
  type MergeSummary,
} from './operations.js';
export {
  getClass,
  getAncestors,
  getSubtree,
  searchClasses,
  searchClasses as searchClassNodes,
  resolveClassNames,
  versionClassTree,
  type ClassSearchHit,
  type ClassNameResolutionWithPath,
  type ResolvedClassRef,
  type VersionTreeNode,
} from './queries.js';
export { getTaxonomySnapshot, invalidateTaxonomyCache, setTaxonomyCacheTiming, type SnapshotTiming, type ClassRecord, type TaxonomySnapshot } from './snapshot.js';
export { withTaxonomyLock, type Db as TaxonomyDb } from './db.js';
