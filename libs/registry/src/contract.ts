// The model registry's verbs, per entity: the one place that says what a client may do with each (the way
// MLflow's model-registry store lists create / get / search / update / delete per entity). Every entry is the
// function the index exports under the same name; the API resolvers and its DataLoaders call these, never Prisma
// (`getMany` / `…Of`: one query for many ids or parents, what a DataLoader batches into).
// Entities kept elsewhere: class taxonomy (@accrete/taxonomy-store), datasets and imports (@accrete/datasets),
// API tokens (@accrete/auth).
import * as models from './models.js';
import { listModels, listModelVersions, listVersionClasses, listTrainingJobs, listAliasEvents } from './lists.js';
import { getAlias, setAlias, rollbackAlias, aliasRollbackTarget } from './aliases.js';
import {
  createModelVersion,
  cancelTrainingJob,
  growthStrategies,
  growthViewKinds,
  growthDefaults,
} from './versions.js';
import { watchTrainingJob } from './watch.js';
import { compareVersions } from './compare.js';
import { predict, resolvePredictVersion } from './predict.js';
import { seedBaseModel } from './seed.js';
import { versionsById } from './caches.js';
import * as batches from './batches.js';
import { readGrowthParams, readValidationReport, readRetentionReport, readLossCurve } from '@accrete/shapes';
import { nameOverlap } from './growth-overlap.js';
import { dataOverlap } from './data-overlap.js';

export const modelRegistry = {
  model: {
    get: models.getModel,
    getMany: batches.modelsById,
    search: listModels,
    seedBase: seedBaseModel,
    health: batches.registryHealth,
  },
  backbone: { getMany: batches.backbonesById },
  modelVersion: {
    /** Creates the version (PENDING) and its training job in one transaction, then submits the job. */
    create: createModelVersion,
    get: models.getVersion,
    /** The version and its model in one query (the export route). */
    getWithModel: models.getVersionWithModel,
    /** Many by id; READY versions come from the process cache. */
    getMany: versionsById,
    childrenOf: batches.childVersionsOf,
    getByNumber: models.findVersionByNumber,
    latest: models.latestVersion,
    search: listModelVersions,
    lineage: models.versionLineage,
    classes: listVersionClasses,
    compare: compareVersions,
    growthStrategies,
    growthViewKinds,
    /** Before growing: per dataset label, the parent's classes it overlaps by name and the default decision. */
    nameOverlap,
    /** Before growing: what the parent answers on each label's training images (computed in the background). */
    dataOverlap,
    growthDefaults,
    // no update/delete: a version is immutable once READY; a failed or cancelled one stays as a record
  },
  trainingJob: {
    getMany: batches.trainingJobsById,
    ofVersions: batches.trainingJobsOfVersions,
    search: listTrainingJobs,
    watch: watchTrainingJob,
    cancel: cancelTrainingJob,
  },
  evaluation: { ofVersions: batches.evaluationsOfVersions },
  alias: {
    get: getAlias,
    getMany: batches.aliasesById,
    ofVersions: batches.aliasesOfVersions,
    ofModels: batches.aliasesOfModels,
    /** Points the alias at a READY version of its model; the move is appended to its history. */
    set: setAlias,
    rollback: rollbackAlias,
    /** Where rollback would go now, from the history (null: nothing to roll back to); served as Alias.rollbackTarget. */
    rollbackTarget: aliasRollbackTarget,
    history: listAliasEvents,
  },
  /** Reports stored as JSON on versions, jobs and evaluations, read back as typed values. */
  report: {
    growthParams: readGrowthParams,
    validation: readValidationReport,
    retention: readRetentionReport,
    lossCurve: readLossCurve,
  },
  prediction: { create: predict, resolveVersion: resolvePredictVersion },
} as const;

export type ModelRegistry = typeof modelRegistry;
