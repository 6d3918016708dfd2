// Models, versions, version classes, evaluations, jobs: queries and relation fields.
import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import * as registry from '@accrete/registry';
import * as shapes from '@accrete/shapes';
import * as taxonomy from '@accrete/taxonomy-store';
import type { ApiContext } from '../../context.js';
import { PageArgs } from '../../schema/connection.js';
import { ModelFilter, ModelVersionFilter, VersionClassFilter } from './inputs.js';
import { GrowthDefaults, GrowthMerge, GrowthParams, RetentionReport, ValidationReport } from './reports.js';
import {
  Backbone,
  Evaluation,
  Metric,
  Model,
  ModelConnection,
  ModelVersion,
  ModelVersionConnection,
  VersionClass,
  VersionClassConnection,
  VersionComparison,
} from './types.js';
import { Alias } from '../aliases/types.js';
import { DatasetVersion } from '../datasets/types.js';
import { TrainingJob } from '../jobs/types.js';
import { ClassNode, ClassTreeNode } from '../taxonomy/types.js';
import { VersionStatus } from '../../schema/enums.js';
import { RETENTION_EVALUATION, VAL_EVALUATION } from '@accrete/jobs';
import { must, serverPath } from '../util.js';
import { exportPath } from '../../export-route.js';

@Resolver(() => Model)
export class ModelResolver {
  @Query(() => ModelConnection, { description: 'Models, by name.' })
  models(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ModelFilter, { nullable: true }) filter: ModelFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.listModels(ctx.prisma, filter ?? {}, page);
  }

  @Query(() => Model, { description: 'A model by id or by name (exactly one of them).' })
  async model(
    @Arg('id', () => ID, { nullable: true }) id: string | undefined,
    @Arg('name', () => String, { nullable: true }) name: string | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.getModel(ctx.prisma, { id, name });
  }

  @FieldResolver(() => Backbone)
  async backbone(@Root() m: Model, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.backbone.load(m.backboneId), 'backbone', m.backboneId);
  }

  @FieldResolver(() => ModelVersionConnection, { description: 'Versions, newest first.' })
  versions(
    @Root() m: Model,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ModelVersionFilter, { nullable: true }) filter: ModelVersionFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.listModelVersions(ctx.prisma, { ...filter, modelId: m.id }, page);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Version by number.' })
  version(@Root() m: Model, @Arg('number', () => Int) number: number, @Ctx() ctx: ApiContext) {
    return registry.findVersionByNumber(ctx.prisma, m.id, number);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'Newest version (optionally of one status).' })
  latestVersion(
    @Root() m: Model,
    @Arg('status', () => VersionStatus, { nullable: true }) status: VersionStatus | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.latestVersion(ctx.prisma, m.id, status);
  }

  @FieldResolver(() => [Alias])
  aliases(@Root() m: Model, @Ctx() ctx: ApiContext) {
    return ctx.loaders.aliasesOfModel.load(m.id);
  }

  @FieldResolver(() => Alias, { nullable: true })
  async alias(@Root() m: Model, @Arg('name', () => String) name: string, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.aliasesOfModel.load(m.id)).find((a) => a.name === name) ?? null;
  }
}

@Resolver(() => Backbone)
export class BackboneResolver {
  @FieldResolver(() => String, {
    description: 'Directory or URL the weights come from (last segment only for anonymous readers).',
  })
  source(@Root() b: Backbone, @Ctx() ctx: ApiContext) {
    return serverPath(b.source, ctx);
  }
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'Where the exported model lives on the server (last segment only for anonymous readers).',
  })
  artifactUri(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return serverPath(v.artifactUri, ctx);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Path (on the API origin) of the zip of the exported model: TF.js layers model, labels.json, taxonomy.json, ' +
      'manifest.json. GET it with the same token as GraphQL reads. Null until READY, and for a base version.',
  })
  exportUrl(@Root() v: ModelVersion) {
    return v.parentId && v.status === 'READY' && v.artifactSha256 ? exportPath(v.id) : null;
  }

  @Query(() => ModelVersion)
  async modelVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(id), 'model version', id);
  }

  @Query(() => ModelVersionConnection, { description: 'Versions of all models (or filtered), newest first.' })
  modelVersions(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ModelVersionFilter, { nullable: true }) filter: ModelVersionFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.listModelVersions(ctx.prisma, filter ?? {}, page);
  }

  @Query(() => VersionComparison, {
    description: 'What changed from version a to version b: classes, metrics, per-class metrics.',
  })
  compareVersions(@Arg('a', () => ID) a: string, @Arg('b', () => ID) b: string, @Ctx() ctx: ApiContext) {
    return registry.compareVersions(ctx.prisma, a, b);
  }

  @Query(() => [String], { description: 'Growth strategies the trainer offers.' })
  growthStrategies() {
    return registry.growthStrategies();
  }

  @Query(() => [String], {
    description:
      'How a growth can make its augmented views (GrowthOptionsInput.views; null there: the backend default).',
  })
  growthViewKinds() {
    return registry.growthViewKinds();
  }

  @Query(() => GrowthDefaults, {
    description: 'What a growth runs with when createModelVersion leaves it out (the trainer owns these).',
  })
  growthDefaults() {
    return registry.growthDefaults();
  }

  @FieldResolver(() => Model)
  async model(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.model.load(v.modelId), 'model', v.modelId);
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  parent(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return v.parentId ? ctx.loaders.version.load(v.parentId) : null;
  }

  @FieldResolver(() => [ModelVersion])
  children(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return ctx.loaders.childrenOfVersion.load(v.id);
  }

  @FieldResolver(() => [ModelVersion], { description: 'Parent, grand-parent… up to the base version.' })
  lineage(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return registry.versionLineage(ctx.prisma, v.id);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  datasetVersion(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return v.datasetVersionId ? ctx.loaders.datasetVersion.load(v.datasetVersionId) : null;
  }

  @FieldResolver(() => VersionClassConnection, { description: 'Output units in order.' })
  classes(
    @Root() v: ModelVersion,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => VersionClassFilter, { nullable: true }) filter: VersionClassFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.listVersionClasses(ctx.prisma, v.id, filter ?? {}, page, { ready: v.status === 'READY' });
  }

  @FieldResolver(() => [ClassTreeNode], {
    description: "The version's classes with their taxonomy ancestors, as a flat list (parentId links).",
  })
  classTree(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return taxonomy.versionClassTreeNodes(ctx.prisma, v.id);
  }

  @FieldResolver(() => GrowthParams, {
    description: 'What this version was grown with, typed (`params` holds the raw JSON).',
  })
  growth(@Root() v: ModelVersion) {
    return shapes.readGrowthParams(v.params);
  }

  @FieldResolver(() => [Evaluation])
  evaluations(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return ctx.loaders.evaluationsOfVersion.load(v.id);
  }

  @FieldResolver(() => Evaluation, { nullable: true })
  async evaluation(
    @Root() v: ModelVersion,
    @Arg('name', () => String, { defaultValue: 'val' }) name: string,
    @Ctx() ctx: ApiContext,
  ) {
    return (await ctx.loaders.evaluationsOfVersion.load(v.id)).find((e) => e.name === name) ?? null;
  }

  @FieldResolver(() => [TrainingJob], { description: 'Training jobs of this version, newest first.' })
  jobs(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return ctx.loaders.jobsOfVersion.load(v.id);
  }

  @FieldResolver(() => TrainingJob, { nullable: true })
  async latestJob(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.jobsOfVersion.load(v.id))[0] ?? null;
  }

  @FieldResolver(() => [Alias], { description: 'Aliases currently pointing here.' })
  aliases(@Root() v: ModelVersion, @Ctx() ctx: ApiContext) {
    return ctx.loaders.aliasesOfVersion.load(v.id);
  }
}

@Resolver(() => VersionClass)
export class VersionClassResolver {
  @FieldResolver(() => ClassNode)
  async classNode(@Root() vc: VersionClass, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.classNode.load(vc.classNodeId), 'class', vc.classNodeId);
  }
}

@Resolver(() => GrowthMerge)
export class GrowthMergeResolver {
  @FieldResolver(() => ClassNode, {
    nullable: true,
    description: 'The class merged into, with its name (null when the version did not record it).',
  })
  classNode(@Root() m: GrowthMerge, @Ctx() ctx: ApiContext) {
    return m.classNodeId ? ctx.loaders.classNode.load(m.classNodeId) : null;
  }
}

@Resolver(() => Evaluation)
export class EvaluationResolver {
  @FieldResolver(() => ModelVersion)
  async version(@Root() e: Evaluation, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(e.versionId), 'model version', e.versionId);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  datasetVersion(@Root() e: Evaluation, @Ctx() ctx: ApiContext) {
    return e.datasetVersionId ? ctx.loaders.datasetVersion.load(e.datasetVersionId) : null;
  }

  @FieldResolver(() => ValidationReport, {
    nullable: true,
    description: 'The typed report of the "val" evaluation (null for other evaluations).',
  })
  validation(@Root() e: Evaluation) {
    return e.name === VAL_EVALUATION ? shapes.readValidationReport(e.metrics) : null;
  }

  @FieldResolver(() => RetentionReport, {
    nullable: true,
    description: 'The typed report of the "imagenet-retention" evaluation (null for others).',
  })
  imagenetRetention(@Root() e: Evaluation) {
    return e.name === RETENTION_EVALUATION ? shapes.readRetentionReport(e.metrics) : null;
  }

  @FieldResolver(() => [Metric], { description: 'Numeric leaves of `metrics` (per-class tables excluded).' })
  summary(@Root() e: Evaluation) {
    return registry.flattenMetrics(e.metrics);
  }
}

@Resolver(() => VersionComparison)
export class VersionComparisonResolver {
  @FieldResolver(() => ModelVersion)
  async a(@Root() c: VersionComparison, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(c.aId), 'model version', c.aId);
  }

  @FieldResolver(() => ModelVersion)
  async b(@Root() c: VersionComparison, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(c.bId), 'model version', c.bId);
  }

  @FieldResolver(() => [ClassNode], { description: 'Classes of b that a does not have.' })
  async classesAdded(@Root() c: VersionComparison, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.classNode.loadMany(c.addedClassNodeIds)).filter(Boolean);
  }

  @FieldResolver(() => [ClassNode], { description: 'Classes of a that b does not have.' })
  async classesRemoved(@Root() c: VersionComparison, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.classNode.loadMany(c.removedClassNodeIds)).filter(Boolean);
  }
}
