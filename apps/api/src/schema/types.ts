// Object types: the scalar columns of each registry row. Relations are field resolvers (resolvers/*.ts),
// batched per request with DataLoader.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTime, JSONScalar } from './scalars.js';
import { AliasAction, ClassOrigin, JobStatus, Role, Split, VersionStatus } from './enums.js';
import { Connection } from './connection.js';

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

@ObjectType({ simpleResolvers: true, description: 'A node of the class taxonomy (WordNet synset or user class).' })
export class ClassNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'WordNet id (n01234567) for ImageNet/WordNet nodes.' }) wnid!:
    string | null;
  @Field(() => String) name!: string;
  @Field(() => [String]) synonyms!: string[];
  @Field(() => ClassOrigin) origin!: ClassOrigin;
  @Field(() => Int) depth!: number;
  @Field(() => DateTime) createdAt!: Date;
  parentId!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'Output unit `outputUnit` of a version predicts `classNode`.' })
export class VersionClass {
  @Field(() => Int) outputUnit!: number;
  @Field(() => Boolean, { description: 'True for the classes this version added.' }) added!: boolean;
  versionId!: string;
  classNodeId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'Per-label image counts of a dataset or dataset version.' })
export class ClassCount {
  @Field(() => String) label!: string;
  @Field(() => Int) train!: number;
  @Field(() => Int) val!: number;
  @Field(() => Int) total!: number;
}

@ObjectType({ simpleResolvers: true, description: 'A named, growing collection of labelled images.' })
export class Dataset {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'An immutable snapshot of a dataset: what a training job uses.' })
export class DatasetVersion {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => Int) imageCount!: number;
  @Field(() => DateTime) createdAt!: Date;
  datasetId!: string;
  classCounts!: unknown;
}

@ObjectType({ simpleResolvers: true, description: 'Image content, stored once by sha256.' })
export class Image {
  @Field(() => ID) id!: string;
  @Field(() => String) sha256!: string;
  @Field(() => Int) width!: number;
  @Field(() => Int) height!: number;
  @Field(() => String) format!: string;
  @Field(() => Int) bytes!: number;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({
  simpleResolvers: true,
  description: 'An image in a dataset (or dataset version) with its label and split.',
})
export class DatasetImage {
  @Field(() => ID, { description: 'DatasetImage id (for a dataset version: "<datasetVersionId>:<imageId>").' })
  id!: string;
  @Field(() => String) label!: string;
  @Field(() => Split) split!: Split;
  @Field(() => String, {
    nullable: true,
    description: 'Where the file came from (relative path, zip entry or upload name).',
  })
  sourcePath!: string | null;
  imageId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A file that an import refused, with the reason.' })
export class ImportRejection {
  @Field(() => ID) id!: string;
  @Field(() => String) path!: string;
  @Field(() => String) reason!: string;
  @Field(() => DateTime) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'One import into a dataset (folder, zip or uploaded files).' })
export class DatasetImport {
  @Field(() => ID) id!: string;
  /** served by DatasetImportResolver.source (may hold a server path) */
  source!: string;
  @Field(() => Int) accepted!: number;
  @Field(() => Int, { description: 'Files whose content the dataset already had.' }) duplicates!: number;
  @Field(() => DateTime) createdAt!: Date;
  datasetId!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Training job of a version: progress is written by the job runner, read here.',
})
export class TrainingJob {
  @Field(() => ID) id!: string;
  @Field(() => JobStatus) status!: JobStatus;
  @Field(() => String) strategy!: string;
  @Field(() => JSONScalar) params!: unknown;
  @Field(() => String, {
    description: 'queued, extracting, training, evaluating, exporting, publishing… (set by the runner).',
  })
  phase!: string;
  @Field(() => Float, { description: '0..1' }) progress!: number;
  @Field(() => Float, { nullable: true }) etaSeconds!: number | null;
  @Field(() => JSONScalar, { description: 'Loss per step/epoch as written by the runner.' }) lossCurve!: unknown;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => Boolean) cancelRequested!: boolean;
  @Field(() => DateTime) queuedAt!: Date;
  @Field(() => DateTime, { nullable: true }) startedAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) heartbeatAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) finishedAt!: Date | null;
  versionId!: string;
  parentVersionId!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A named metric of an evaluation (flattened numeric leaves of `metrics`).',
})
export class Metric {
  @Field(() => String, { description: 'Dotted path in the metrics JSON, e.g. "top1" or "new.top1".' }) name!: string;
  @Field(() => Float) value!: number;
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
  description: 'A movable name (production, staging…) pointing at one version of a model.',
})
export class Alias {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => DateTime) updatedAt!: Date;
  modelId!: string;
  versionId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'One move of an alias (append-only).' })
export class AliasEvent {
  @Field(() => ID) id!: string;
  @Field(() => AliasAction) action!: AliasAction;
  @Field(() => String, { description: 'Name of the API token that moved the alias ("system" for seeding).' })
  actor!: string;
  @Field(() => DateTime) createdAt!: Date;
  aliasId!: string;
  fromVersionId!: string | null;
  toVersionId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'One class of a prediction.' })
export class PredictedClass {
  @Field(() => Int) outputUnit!: number;
  @Field(() => String, { description: 'Class name (the ClassNode name).' }) label!: string;
  @Field(() => Float) probability!: number;
  @Field(() => [String], { description: 'Class names from the taxonomy root down to this class.' })
  taxonomyPath!: string[];
  @Field(() => [String], {
    description:
      "Classes of this version this leaf rolls up to, nearest first: its taxonomy ancestors that are the version's classes, and new classes declared its parent when grown (the export's taxonomy.json has the same chain).",
  })
  rollsUpTo!: string[];
  classNodeId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'Top-k classes of one image for one model version.' })
export class Prediction {
  @Field(() => String, {
    nullable: true,
    description: 'The alias the request named, if any (resolved at request time).',
  })
  alias!: string | null;
  @Field(() => String, { description: 'sha256 of the image bytes.' }) imageSha256!: string;
  @Field(() => [PredictedClass]) classes!: PredictedClass[];
  @Field(() => Float, { description: 'Server time spent in the classifier, ms.' }) inferenceMs!: number;
  versionId!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A change of one metric between two versions.' })
export class MetricDelta {
  @Field(() => String, { description: 'Evaluation name.' }) evaluation!: string;
  @Field(() => String) metric!: string;
  @Field(() => Float, { nullable: true }) a!: number | null;
  @Field(() => Float, { nullable: true }) b!: number | null;
  @Field(() => Float, { nullable: true, description: 'b - a when both exist.' }) delta!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A change of one per-class metric between two versions.' })
export class PerClassDelta {
  @Field(() => String) evaluation!: string;
  @Field(() => String) label!: string;
  @Field(() => String) metric!: string;
  @Field(() => Float, { nullable: true }) a!: number | null;
  @Field(() => Float, { nullable: true }) b!: number | null;
  @Field(() => Float, { nullable: true }) delta!: number | null;
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

@ObjectType({
  simpleResolvers: true,
  description: 'A node of the taxonomy restricted to a version: its classes and their ancestors.',
})
export class ClassTreeNode {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) wnid!: string | null;
  @Field(() => Int) depth!: number;
  @Field(() => Int, { nullable: true, description: 'Output unit when this node is a class of the version.' })
  outputUnit!: number | null;
  @Field(() => Boolean, { description: 'True when the version added this class.' }) added!: boolean;
  @Field(() => ClassOrigin, { nullable: true }) origin?: ClassOrigin | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Version tree only: dataset images labelled with exactly this class.',
  })
  imageCount?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: "Version tree only: the version's classes in this subtree, this node included.",
  })
  subtreeClassCount?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: "Version tree only: images of the version's classes in this subtree.",
  })
  subtreeImageCount?: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'An API token (the secret itself is never shown again).' })
export class ApiToken {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Role) role!: Role;
  @Field(() => String, { description: 'First characters of the secret, to recognise it.' }) prefix!: string;
  @Field(() => DateTime) createdAt!: Date;
  @Field(() => DateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => DateTime, { nullable: true }) revokedAt!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'When it stops working; null: never.' })
  expiresAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'Who is calling.' })
export class Viewer {
  @Field(() => String, { nullable: true, description: 'Token name; null when anonymous (open reads).' }) name!:
    string | null;
  @Field(() => Role, { nullable: true }) role!: Role | null;
}

export const ModelConnection = Connection(Model, 'Model');
export const ModelVersionConnection = Connection(ModelVersion, 'ModelVersion');
export const VersionClassConnection = Connection(VersionClass, 'VersionClass');
export const ClassNodeConnection = Connection(ClassNode, 'ClassNode');
export const DatasetConnection = Connection(Dataset, 'Dataset');
export const DatasetVersionConnection = Connection(DatasetVersion, 'DatasetVersion');
export const DatasetImageConnection = Connection(DatasetImage, 'DatasetImage');
export const DatasetImportConnection = Connection(DatasetImport, 'DatasetImport');
export const ImportRejectionConnection = Connection(ImportRejection, 'ImportRejection');
export const TrainingJobConnection = Connection(TrainingJob, 'TrainingJob');
export const AliasEventConnection = Connection(AliasEvent, 'AliasEvent');
export const ApiTokenConnection = Connection(ApiToken, 'ApiToken');
