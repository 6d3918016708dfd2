// Datasets: create, import a server folder, add base64 images, freeze versions; lists and counts.
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import * as datasets from '@accrete/datasets';
import type { ApiContext } from '../../context.js';
import { PageArgs } from '../../schema/connection.js';
import {
  AddImagesInput,
  CreateDatasetInput,
  DatasetFilter,
  DatasetImageFilter,
  ImportDatasetInput,
  ImportPreview,
  ImportResult,
} from './inputs.js';
import {
  ClassCount,
  Dataset,
  DatasetConnection,
  DatasetImage,
  DatasetImageConnection,
  DatasetImport,
  DatasetImportConnection,
  DatasetVersion,
  DatasetVersionConnection,
  Image,
  ImportRejectionConnection,
} from './types.js';
import { ClassNode } from '../taxonomy/types.js';
import { must, serverPath } from '../util.js';

const EDIT = ['EDITOR', 'ADMIN'];

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => DatasetConnection, { description: 'Datasets, newest first.' })
  datasets(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => DatasetFilter, { nullable: true }) filter: DatasetFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return datasets.listDatasets(ctx.prisma, filter ?? {}, page);
  }

  @Query(() => Dataset, { description: 'A dataset by id or by name.' })
  dataset(
    @Arg('id', () => ID, { nullable: true }) id: string | undefined,
    @Arg('name', () => String, { nullable: true }) name: string | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return datasets.getDataset(ctx.prisma, { id, name });
  }

  @Query(() => DatasetVersion)
  async datasetVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.datasetVersion.load(id), 'dataset version', id);
  }

  @Query(() => DatasetImport)
  async datasetImport(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return datasets.getDatasetImport(ctx.prisma, id);
  }

  @Query(() => Image)
  async image(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.image.load(id), 'image', id);
  }

  @Authorized(EDIT)
  @Mutation(() => Dataset)
  createDataset(@Arg('input', () => CreateDatasetInput) input: CreateDatasetInput, @Ctx() ctx: ApiContext) {
    return datasets.createDataset(ctx.prisma, { name: input.name, description: input.description ?? '' });
  }

  @Authorized(EDIT)
  @Query(() => ImportPreview, {
    description:
      'Dry run of importDataset: per class, the files found, their split, duplicates and rejections, and how the split is chosen. Writes nothing.',
  })
  importPreview(@Arg('input', () => ImportDatasetInput) input: ImportDatasetInput, @Ctx() ctx: ApiContext) {
    return datasets.previewImageFolder(ctx, {
      datasetId: input.datasetId,
      path: input.path,
      valFraction: input.valFraction ?? undefined,
    });
  }

  @Authorized(EDIT)
  @Mutation(() => ImportResult, {
    description:
      'Import an ImageFolder directory on the server (under config.importRoots). Rejected files are listed with reasons.',
  })
  importDataset(@Arg('input', () => ImportDatasetInput) input: ImportDatasetInput, @Ctx() ctx: ApiContext) {
    return datasets.importImageFolder(ctx, {
      datasetId: input.datasetId,
      path: input.path,
      valFraction: input.valFraction ?? undefined,
    });
  }

  @Authorized(EDIT)
  @Mutation(() => ImportResult, {
    description: 'Add images sent inline as base64 (POST /upload takes files and zips).',
  })
  addImages(@Arg('input', () => AddImagesInput) input: AddImagesInput, @Ctx() ctx: ApiContext) {
    return datasets.addBase64Images(ctx, {
      datasetId: input.datasetId,
      files: input.images.map((f) => ({
        path: f.filename,
        label: f.label,
        split: f.split ?? null,
        base64: f.imageBase64,
      })),
    });
  }

  @Authorized(EDIT)
  @Mutation(() => DatasetVersion, {
    description: 'Freeze the current images of a dataset into a new immutable version (what training uses).',
  })
  freezeDatasetVersion(@Arg('datasetId', () => ID) datasetId: string, @Ctx() ctx: ApiContext) {
    return datasets.freezeDatasetVersion(ctx.prisma, datasetId);
  }

  @FieldResolver(() => DatasetImageConnection, {
    description: 'Current images by label: imports add to it; freeze a version to train on a fixed set.',
  })
  images(
    @Root() d: Dataset,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => DatasetImageFilter, { nullable: true }) filter: DatasetImageFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return datasets.listDatasetImages(ctx.prisma, d.id, filter ?? {}, page);
  }

  @FieldResolver(() => DatasetVersionConnection, { description: 'Frozen versions, newest first.' })
  versions(@Root() d: Dataset, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: ApiContext) {
    return datasets.listDatasetVersions(ctx.prisma, d.id, page);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  latestVersion(@Root() d: Dataset, @Ctx() ctx: ApiContext) {
    return datasets.latestDatasetVersion(ctx.prisma, d.id);
  }

  @FieldResolver(() => DatasetImportConnection, { description: 'Imports, newest first.' })
  imports(@Root() d: Dataset, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: ApiContext) {
    return datasets.listDatasetImports(ctx.prisma, d.id, page);
  }

  @FieldResolver(() => [ClassCount], { description: 'Current images per label and split.' })
  classCounts(@Root() d: Dataset, @Ctx() ctx: ApiContext) {
    return datasets.datasetClassCounts(ctx.prisma, d.id);
  }

  @FieldResolver(() => Int)
  imageCount(@Root() d: Dataset, @Ctx() ctx: ApiContext) {
    return datasets.datasetImageCount(ctx.prisma, d.id);
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionResolver {
  @FieldResolver(() => Dataset)
  async dataset(@Root() dv: DatasetVersion, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.dataset.load(dv.datasetId), 'dataset', dv.datasetId);
  }

  @FieldResolver(() => [ClassCount], { description: 'Images per label and split, as frozen.' })
  classCounts(@Root() dv: DatasetVersion) {
    return datasets.classCountsFromJson(dv.classCounts);
  }

  @FieldResolver(() => DatasetImageConnection, {
    description: 'The images this version froze (what a training job on it sees); never changes.',
  })
  images(
    @Root() dv: DatasetVersion,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => DatasetImageFilter, { nullable: true }) filter: DatasetImageFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return datasets.listDatasetVersionImages(ctx.prisma, dv.id, filter ?? {}, page);
  }
}

@Resolver(() => DatasetImage)
export class DatasetImageResolver {
  @FieldResolver(() => Image)
  async image(@Root() di: DatasetImage, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.image.load(di.imageId), 'image', di.imageId);
  }

  @FieldResolver(() => ClassNode, {
    nullable: true,
    description: 'The class node the label was matched to, when known.',
  })
  classNode(@Root() di: DatasetImage & { classNodeId?: string | null }, @Ctx() ctx: ApiContext) {
    return di.classNodeId ? ctx.loaders.classNode.load(di.classNodeId) : null;
  }
}

@Resolver(() => DatasetImport)
export class DatasetImportResolver {
  @FieldResolver(() => String, {
    description: 'Where the files came from (server paths: last segment only for anonymous readers).',
  })
  source(@Root() di: DatasetImport, @Ctx() ctx: ApiContext) {
    return serverPath(di.source, ctx);
  }

  @FieldResolver(() => Dataset)
  async dataset(@Root() di: DatasetImport, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.dataset.load(di.datasetId), 'dataset', di.datasetId);
  }

  @FieldResolver(() => Int)
  rejected(@Root() di: DatasetImport, @Ctx() ctx: ApiContext) {
    return ctx.loaders.rejectionCountOfImport.load(di.id);
  }

  @FieldResolver(() => ImportRejectionConnection)
  rejections(@Root() di: DatasetImport, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: ApiContext) {
    return datasets.listImportRejections(ctx.prisma, di.id, page);
  }
}
