// Object types of datasets: the scalar columns of each row. Relations are field resolvers (datasets.resolver.ts),
// batched per request with DataLoader.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../schema/scalars.js';
import { Split } from '../../schema/enums.js';
import { Connection } from '../../schema/connection.js';

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

export const DatasetConnection = Connection(Dataset, 'Dataset');

export const DatasetVersionConnection = Connection(DatasetVersion, 'DatasetVersion');

export const DatasetImageConnection = Connection(DatasetImage, 'DatasetImage');

export const DatasetImportConnection = Connection(DatasetImport, 'DatasetImport');

export const ImportRejectionConnection = Connection(ImportRejection, 'ImportRejection');
