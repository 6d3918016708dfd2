// Input types, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBase64,
  IsIn,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { GROWTH_DEFAULTS } from '@accrete/trainer';
import { DateTime } from './scalars.js';
import { ClassOrigin, ClassResolution, JobStatus, Role, Split, VersionStatus } from './enums.js';
import { ApiToken, ClassNode, Dataset, DatasetImport, ImportRejection, ModelVersion, TrainingJob } from './types.js';

// ---- filters ----
@InputType()
export class ModelFilter {
  @Field(() => String, { nullable: true, description: 'Substring of the name (case-insensitive).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;
}
@InputType()
export class ModelVersionFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() modelId?: string;
  @Field(() => [VersionStatus], { nullable: true }) @IsOptional() status?: VersionStatus[];
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() parentId?: string;
}
@InputType()
export class VersionClassFilter {
  @Field(() => Boolean, {
    nullable: true,
    description: 'Only the classes this version added (true) or inherited (false).',
  })
  @IsOptional()
  added?: boolean;
  @Field(() => String, { nullable: true, description: 'Substring of the class name.' })
  @IsOptional()
  @MaxLength(200)
  search?: string;
}
@InputType()
export class ClassNodeFilter {
  @Field(() => String, { nullable: true, description: 'Name, synonym or alias (case-insensitive substring).' })
  @IsOptional()
  @MaxLength(200)
  search?: string;
  @Field(() => ClassOrigin, { nullable: true }) @IsOptional() origin?: ClassOrigin;
  @Field(() => ID, { nullable: true, description: 'Direct children of this node.' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
  @Field(() => Boolean, { nullable: true, description: 'Only nodes without a parent.' })
  @IsOptional()
  rootsOnly?: boolean;
}
@InputType()
export class DatasetFilter {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) search?: string;
}
@InputType()
export class DatasetImageFilter {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) label?: string;
  @Field(() => Split, { nullable: true }) @IsOptional() split?: Split;
}
@InputType()
export class TrainingJobFilter {
  @Field(() => [JobStatus], { nullable: true }) @IsOptional() status?: JobStatus[];
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() versionId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() parentVersionId?: string;
}
@InputType()
export class ApiTokenFilter {
  @Field(() => Boolean, { nullable: true, defaultValue: false }) @IsOptional() includeRevoked?: boolean;
}

// ---- datasets ----
const NAME = /^[A-Za-z0-9][\w .-]*$/;

@InputType()
export class CreateDatasetInput {
  @Field(() => String)
  @Length(1, 100)
  @Matches(NAME, { message: 'name must start with a letter or digit and use letters, digits, space, _ . -' })
  name!: string;
  @Field(() => String, { nullable: true, defaultValue: '' }) @IsOptional() @MaxLength(2000) description?: string;
}

@InputType({ description: 'Import a server-side ImageFolder directory under one of the allowed import roots.' })
export class ImportDatasetInput {
  @Field(() => ID) @IsUUID() datasetId!: string;
  @Field(() => String, {
    description:
      'Absolute path (or path relative to an import root). Layouts: <dir>/train/<class>/*.jpg + <dir>/val/<class>/*.jpg (folders decide the split); ' +
      "<dir>/train/<class>/*.jpg alone or <dir>/<class>/*.jpg (the split is derived from each image's content hash, valFraction to validation).",
  })
  @Length(1, 4096)
  path!: string;
  @Field(() => Float, {
    nullable: true,
    defaultValue: 0.2,
    description: 'Layouts without val/: share of images put in VAL, chosen by content hash.',
  })
  @IsOptional()
  @Min(0)
  @Max(0.9)
  valFraction?: number;
}

@InputType()
export class ImageFileInput {
  @Field(() => String, { description: 'File name, reported in rejections.' }) @Length(1, 500) filename!: string;
  @Field(() => String, { description: 'Image bytes, base64.' }) @IsBase64() imageBase64!: string;
  @Field(() => String) @Length(1, 200) label!: string;
  @Field(() => Split, { nullable: true, description: 'Default: chosen by content hash (20% VAL).' })
  @IsOptional()
  split?: Split;
}

@InputType({ description: 'Add images given inline as base64 (for large batches use POST /upload).' })
export class AddImagesInput {
  @Field(() => ID) @IsUUID() datasetId!: string;
  @Field(() => [ImageFileInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  images!: ImageFileInput[];
}

@ObjectType({ simpleResolvers: true, description: 'One class of an import preview.' })
export class ImportPreviewClass {
  @Field(() => String) label!: string;
  @Field(() => Int, { description: 'Files found in this class folder.' }) files!: number;
  @Field(() => Int, { description: 'New images that would go to training.' }) train!: number;
  @Field(() => Int, { description: 'New images that would go to validation.' }) val!: number;
  @Field(() => Int, {
    description: 'Same content and label as another file or an image already in the dataset (skipped).',
  })
  duplicates!: number;
  @Field(() => Int) rejected!: number;
}

@ObjectType({ simpleResolvers: true })
export class ImportPreviewRejection {
  @Field(() => String) path!: string;
  @Field(() => String) reason!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'What importDataset would do with a folder, computed without writing anything.',
})
export class ImportPreview {
  @Field(() => String) source!: string;
  @Field(() => String, {
    description: 'train-val (folders decide the split), train-only or class-folders (split derived by content hash).',
  })
  layout!: string;
  @Field(() => Float, { description: 'Share of derived-split images that go to validation.' }) valFraction!: number;
  @Field(() => Int) files!: number;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [ImportPreviewClass]) classes!: ImportPreviewClass[];
  @Field(() => [ImportPreviewRejection], { description: 'The first 200 rejections by path.' })
  rejections!: ImportPreviewRejection[];
  @Field(() => [String], { description: 'How the split was chosen, classes left without validation images, …' })
  notes!: string[];
}

@ObjectType({
  simpleResolvers: true,
  description: 'Outcome of an import: every file is accepted, a duplicate, or rejected with a reason.',
})
export class ImportResult {
  @Field(() => DatasetImport) import!: DatasetImport;
  @Field(() => Dataset) dataset!: Dataset;
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [ImportRejection]) rejections!: ImportRejection[];
}

// ---- versions ----
@InputType({ description: 'A dataset label to teach the new version.' })
export class ClassToAddInput {
  @Field(() => String, { description: 'Label of the images in the dataset version.' }) @Length(1, 200) label!: string;
  @Field(() => String, { nullable: true, description: 'Class name for a new class (default: the label).' })
  @IsOptional()
  @Length(1, 200)
  name?: string;
  @Field(() => ClassResolution, {
    nullable: true,
    description: 'Force NEW or MERGE; default: MERGE when the name resolves to a class the parent already predicts.',
  })
  @IsOptional()
  resolution?: ClassResolution;
  @Field(() => ID, {
    nullable: true,
    description: 'MERGE into this class node (must be a class of the parent version).',
  })
  @IsOptional()
  @IsUUID()
  mergeIntoClassId?: string;
  @Field(() => ID, {
    nullable: true,
    description: 'Taxonomy parent of a new class (default: resolved from the name, else a root).',
  })
  @IsOptional()
  @IsUUID()
  parentClassId?: string;
  @Field(() => [ID], {
    nullable: true,
    description:
      'Declare the new class the taxonomy parent of these classes of the parent version (e.g. mountain above alp and valley): predicting them on its images counts at "leaf or descendant", and predict rolls them up to it.',
  })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  parentOfClassIds?: string[];
  @Field(() => [ID], {
    nullable: true,
    description: 'Teach the new class to win over these classes of the parent version on images like its own.',
  })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  winsOverClassIds?: string[];
}

@InputType()
export class GrowthOptionsInput {
  @Field(() => Float, {
    nullable: true,
    description: '0 = best new-class accuracy … 1 = best retention of old classes.',
  })
  @IsOptional()
  @Min(0)
  @Max(1)
  retentionKnob?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(0) @Max(32) augmentations?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(1) @Max(1000) epochs?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(0) @Max(2 ** 31 - 1) seed?: number;
}

@InputType()
export class CreateModelVersionInput {
  @Field(() => ID) @IsUUID() parentVersionId!: string;
  @Field(() => ID) @IsUUID() datasetVersionId!: string;
  @Field(() => [ClassToAddInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  classes!: ClassToAddInput[];
  @Field(() => String, {
    nullable: true,
    defaultValue: GROWTH_DEFAULTS.strategy,
    description: 'See Query.growthStrategies and Query.growthDefaults.',
  })
  @IsOptional()
  @Length(1, 50)
  strategy?: string;
  @Field(() => GrowthOptionsInput, { nullable: true }) @IsOptional() @ValidateNested() options?: GrowthOptionsInput;
  @Field(() => String, { nullable: true, defaultValue: '' }) @IsOptional() @MaxLength(2000) note?: string;
}

@ObjectType({ simpleResolvers: true, description: 'How a requested label joined the new version.' })
export class ResolvedClass {
  @Field(() => String) label!: string;
  @Field(() => ClassResolution) resolution!: ClassResolution;
  @Field(() => ClassNode) classNode!: ClassNode;
  @Field(() => Int, {
    nullable: true,
    description: 'Existing output unit for MERGE; new units are assigned in order after the parent units.',
  })
  outputUnit!: number | null;
}

@ObjectType({ simpleResolvers: true })
export class CreateModelVersionPayload {
  @Field(() => ModelVersion) version!: ModelVersion;
  @Field(() => TrainingJob) job!: TrainingJob;
  @Field(() => [ResolvedClass]) classes!: ResolvedClass[];
}

// ---- aliases ----
const ALIAS = /^[a-z][a-z0-9_-]{0,39}$/;
@InputType()
export class SetAliasInput {
  @Field(() => ID) @IsUUID() modelId!: string;
  @Field(() => String) @Matches(ALIAS, { message: 'alias name must match [a-z][a-z0-9_-]{0,39}' }) name!: string;
  @Field(() => ID) @IsUUID() versionId!: string;
}
@InputType()
export class RollbackAliasInput {
  @Field(() => ID) @IsUUID() modelId!: string;
  @Field(() => String) @Matches(ALIAS, { message: 'alias name must match [a-z][a-z0-9_-]{0,39}' }) name!: string;
}

// ---- predict ----
@InputType({
  description:
    'One image (imageBase64, or imageId of a stored Image) and one version (versionId, or alias of modelId).',
})
export class PredictInput {
  @Field(() => String, { nullable: true, description: 'Image bytes, base64 (JPEG/PNG/WebP…).' })
  @IsOptional()
  @IsBase64()
  imageBase64?: string;
  @Field(() => ID, {
    nullable: true,
    description: 'Id of a stored Image (e.g. DatasetImage.image.id, or returned by POST /upload).',
  })
  @IsOptional()
  @IsUUID()
  imageId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() versionId?: string;
  @Field(() => ID, { nullable: true, description: 'Model of `alias` (default: the base model).' })
  @IsOptional()
  @IsUUID()
  modelId?: string;
  @Field(() => String, {
    nullable: true,
    description: 'Alias resolved at request time (default "production" when no versionId).',
  })
  @IsOptional()
  @Matches(ALIAS)
  alias?: string;
  @Field(() => Int, { nullable: true, defaultValue: 5 }) @IsOptional() @Min(1) @Max(50) topK?: number;
}

// ---- taxonomy ----
@InputType()
export class CreateClassInput {
  @Field(() => String) @Length(1, 200) name!: string;
  @Field(() => ID, { nullable: true, description: 'Taxonomy parent (default: a root).' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
  @Field(() => [String], { nullable: true, description: 'Extra names the class is found by.' })
  @IsOptional()
  @ArrayMaxSize(50)
  aliases?: string[];
}
@InputType()
export class RenameClassInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String) @Length(1, 200) name!: string;
}
@InputType()
export class AddClassAliasInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String) @Length(1, 200) alias!: string;
}
@InputType()
export class MoveClassInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => ID, { nullable: true, description: 'New parent (null = make it a root).' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}
@InputType()
export class MergeClassesInput {
  @Field(() => ID, { description: 'Class that disappears.' }) @IsUUID() sourceId!: string;
  @Field(() => ID, { description: 'Class that receives its aliases, children and references.' })
  @IsUUID()
  targetId!: string;
}

// ---- tokens ----
@InputType()
export class CreateApiTokenInput {
  @Field(() => String, { description: 'Who uses it; recorded as the actor of alias moves.' })
  @Length(1, 100)
  name!: string;
  @Field(() => Role) @IsIn(Object.values(Role)) role!: Role;
  @Field(() => DateTime, {
    nullable: true,
    description: 'When the token stops working (must be in the future); null: never.',
  })
  @IsOptional()
  expiresAt?: Date | null;
}
@ObjectType({ simpleResolvers: true })
export class CreateApiTokenPayload {
  @Field(() => String, { description: 'The secret: shown once, store it now.' }) token!: string;
  @Field(() => ApiToken) apiToken!: ApiToken;
}
