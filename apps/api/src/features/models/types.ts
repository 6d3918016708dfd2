// Object types of models: the scalar columns of each row. Relations are field resolvers (models.resolver.ts),
// batched per request with DataLoader.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTime, JSONScalar } from '../../schema/scalars.js';
import { VersionStatus } from '../../schema/enums.js';
import { Connection } from '../../schema/connection.js';

@ObjectType({ simpleResolvers: true, description: 'A frozen feature extractor shared by the versions of a model.' })
export class Backbone {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  /** served by BackboneResolver.source (a server path: hidden from anonymous readers) */
  source!: string;
  @Field(() => Int) inputSize!: number;
  @Field(() => Int) bottleneckDim!: number;
  @Field(() => String) bottleneckLayer!: string;
  @Field(() => String) headLayer!: string;
  @Field(() => String, { description: 'sha256 of model.json + weights: identifies the bottleneck space.' })
  sha256!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A classifier that grows version after version.' })
export class Model {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => DateTime) createdAt!: Date;
  backboneId!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'One immutable version of a model: its class list, artifact and evaluations.',
})
export class ModelVersion {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => VersionStatus) status!: VersionStatus;
  @Field(() => Int, { description: 'Number of output units (classes).' }) classCount!: number;
  @Field(() => String, { nullable: true, description: 'Growth strategy; null for an imported base version.' })
  strategy!: string | null;
  @Field(() => JSONScalar, { description: 'Growth parameters: datasetVersionId, newClasses, merges, options.' })
  params!: unknown;
  /** served by ModelVersionResolver.artifactUri (a server path) */
  artifactUri!: string | null;
  @Field(() => String, { nullable: true }) artifactSha256!: string | null;
  @Field(() => String, { nullable: true, description: 'Why the version FAILED.' }) error!: string | null;
  @Field(() => String) note!: string;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime, { nullable: true }) readyAt!: Date | null;
  modelId!: string;
  parentId!: string | null;
  datasetVersionId!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'Output unit `outputUnit` of a version predicts `classNode`.' })
export class VersionClass {
  @Field(() => Int) outputUnit!: number;
  @Field(() => Boolean, { description: 'True for the classes this version added.' }) added!: boolean;
  versionId!: string;
  classNodeId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'What a version scored on one evaluation set.' })
export class Evaluation {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'e.g. "val" (the training dataset version) or "imagenet-sample".' })
  name!: string;
  @Field(() => JSONScalar, { description: 'The full evaluation report of the trainer.' }) metrics!: unknown;
  @Field(() => DateTime) createdAt!: Date;
  versionId!: string;
  datasetVersionId!: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A named metric of an evaluation (flattened numeric leaves of `metrics`).',
})
export class Metric {
  @Field(() => String, { description: 'Dotted path in the metrics JSON, e.g. "top1" or "new.top1".' }) name!: string;
  @Field(() => Float) value!: number;
}

@ObjectType({ simpleResolvers: true, description: 'A change of one metric between two versions.' })
export class MetricDelta {
  @Field(() => String, { description: 'Evaluation name.' }) evaluation!: string;
  @Field(() => String) metric!: string;
  @Field(() => Float, { nullable: true }) a!: number | null;
  @Field(() => Float, { nullable: true }) b!: number | null;
  @Field(() => Float, { nullable: true, description: 'b - a when both exist.' }) delta!: number | null;
  @Field(() => Boolean, {
    description: 'A share of images (0..1, show as a percentage); false: a count, points, seconds, a loss….',
  })
  isShare!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'A change of one per-class metric between two versions.' })
export class PerClassDelta {
  @Field(() => String) evaluation!: string;
  @Field(() => String) label!: string;
  @Field(() => String) metric!: string;
  @Field(() => Float, { nullable: true }) a!: number | null;
  @Field(() => Float, { nullable: true }) b!: number | null;
  @Field(() => Float, { nullable: true }) delta!: number | null;
  @Field(() => Boolean, { description: 'A share of images (recall, precision), shown as a percentage.' })
  isShare!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'Differences between version a and version b.' })
export class VersionComparison {
  @Field(() => [MetricDelta]) metricDeltas!: MetricDelta[];
  @Field(() => [PerClassDelta]) perClassDeltas!: PerClassDelta[];
  aId!: string;
  bId!: string;
  addedClassNodeIds!: string[];
  removedClassNodeIds!: string[];
}

export const ModelConnection = Connection(Model, 'Model');

export const ModelVersionConnection = Connection(ModelVersion, 'ModelVersion');

export const VersionClassConnection = Connection(VersionClass, 'VersionClass');
