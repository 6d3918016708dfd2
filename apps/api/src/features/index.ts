// The API by feature: each folder holds its GraphQL object types, inputs and resolvers side by side.
// Shared pieces (connections, enums, scalars, the schema builder) live in ../schema.
import { AliasResolver, AliasEventResolver } from './aliases/index.js';
import { AuthResolver } from './auth/index.js';
import {
  DatasetResolver,
  DatasetVersionResolver,
  DatasetImageResolver,
  DatasetImportResolver,
} from './datasets/index.js';
import { TrainingJobResolver } from './jobs/index.js';
import {
  BackboneResolver,
  ModelResolver,
  ModelVersionResolver,
  VersionClassResolver,
  EvaluationResolver,
  VersionComparisonResolver,
} from './models/index.js';
import { OverlapResolver } from './overlap/index.js';
import { PredictionResolver, PredictedClassResolver } from './predict/index.js';
import { ClassNodeResolver } from './taxonomy/index.js';

export const resolvers = [
  BackboneResolver,
  ModelResolver,
  ModelVersionResolver,
  VersionClassResolver,
  EvaluationResolver,
  VersionComparisonResolver,
  DatasetResolver,
  DatasetVersionResolver,
  DatasetImageResolver,
  DatasetImportResolver,
  TrainingJobResolver,
  OverlapResolver,
  AliasResolver,
  AliasEventResolver,
  PredictionResolver,
  PredictedClassResolver,
  ClassNodeResolver,
  AuthResolver,
] as const;
