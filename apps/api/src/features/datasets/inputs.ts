// Inputs (and mutation payloads) of datasets, validated with class-validator before any resolver runs (errors → BAD_INPUT).
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsBase64, IsOptional, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
// lists and nested inputs
import { ArrayMaxSize, ArrayMinSize, ValidateNested } from 'class-validator';
import { Split } from '../../schema/enums.js';
import { Dataset, DatasetImport, ImportRejection } from './types.js';

@InputType()
export class DatasetFilter {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) search?: string;
}

@InputType()
export class DatasetImageFilter {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) label?: string;
  @Field(() => Split, { nullable: true }) @IsOptional() split?: Split;
}

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
