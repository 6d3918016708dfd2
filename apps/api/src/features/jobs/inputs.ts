// Inputs (and mutation payloads) of jobs, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsOptional, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
// lists and nested inputs
import { ArrayMaxSize, ArrayMinSize, ValidateNested } from 'class-validator';
import { GROWTH_DEFAULTS } from '@accrete/trainer';
import { ClassResolution, JobStatus } from '../../schema/enums.js';
import { TrainingJob } from './types.js';
import { ModelVersion } from '../models/types.js';
import { ClassNode } from '../taxonomy/types.js';

@InputType()
export class TrainingJobFilter {
  @Field(() => [JobStatus], { nullable: true }) @IsOptional() status?: JobStatus[];
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() versionId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() parentVersionId?: string;
}

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
  @Field(() => String, {
    nullable: true,
    description:
      "How augmented views are made: feature-map (the default with the onnx backend: windows of one backbone pass's " +
      'feature map), mirror-and-map (also a pass on the mirror image: about 1.7× the extraction of a cold job, for the ' +
      'earlier classes after a growth of ~100 classes) or image (a pass per view on a flipped, cropped or brightened ' +
      "image; the default without feature maps); Query.growthViewKinds lists them. Null: the backend's default.",
  })
  @IsOptional()
  @Length(1, 50)
  views?: string;
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
