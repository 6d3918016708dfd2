// Feature models: models, their versions, version classes, evaluations and version comparison.
export {
  ModelResolver,
  BackboneResolver,
  ModelVersionResolver,
  VersionClassResolver,
  EvaluationResolver,
  VersionComparisonResolver,
} from './models.resolver.js';
