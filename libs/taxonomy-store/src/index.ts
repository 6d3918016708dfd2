// Public surface of taxonomy-store: the class taxonomy in the database (ClassNode/ClassAlias): seeding, one
// function per edit, reads, and the caches behind them (one invalidation: invalidateTaxonomyCache).
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
  searchClasses,
  resolveClassNames,
  placeClassNames,
  resolveClassName,
  snapshotPlacementView,
  type ClassPlacement,
  versionClassTree,
  type ClassSearchHit,
  type ClassNameResolutionWithPath,
  type ResolvedClassRef,
  type VersionTreeNode,
} from './queries.js';
export {
  classChains,
  classPaths,
  classAncestors,
  classAncestorsMany,
  classSubtreeNodes,
  type TreeNode,
} from './classes.js';
export { versionClassTreeNodes, type FlatVersionTreeNode } from './version-tree.js';
export { classAliasesOf, childCountsOfClasses } from './batches.js';
export { listClassNodes, type ClassNodeFilter } from './lists.js';
export { classNodesById, CLASS_NODE_TTL_MS, setClassNodeCacheTiming, classNodeCacheSettled } from './node-cache.js';
export { getTaxonomySnapshot } from './snapshot.js';
export { refuse } from './db.js';
export {
  invalidateTaxonomyCache,
  setTaxonomyCacheTiming,
  TAXONOMY_CACHE_TTL_MS,
  type ClassRecord,
} from './snapshot.js';
