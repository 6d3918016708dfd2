// Version creation (starts a training job), job progress by query or subscription, cancel.
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  Float,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import * as registry from '@accrete/registry';
import * as shapes from '@accrete/shapes';
import * as errors from '@accrete/errors';
import type { ApiContext } from '../../context.js';
import { PageArgs } from '../../schema/connection.js';
import { CreateModelVersionInput, CreateModelVersionPayload, TrainingJobFilter } from './inputs.js';
import { LossPoint, TrainingJob, TrainingJobConnection } from './types.js';
import { GrowthParams } from '../models/reports.js';
import { ModelVersion } from '../models/types.js';
import { must } from '../util.js';

const EDIT = ['EDITOR', 'ADMIN'];

@Resolver(() => TrainingJob)
export class TrainingJobResolver {
  @Query(() => TrainingJob, {
    description: 'Poll this (e.g. every second) for progress; or subscribe to trainingJobUpdated.',
  })
  async trainingJob(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.job.load(id), 'training job', id);
  }

  @Query(() => TrainingJobConnection, { description: 'Training jobs, newest first.' })
  trainingJobs(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => TrainingJobFilter, { nullable: true }) filter: TrainingJobFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.listTrainingJobs(ctx.prisma, filter ?? {}, page);
  }

  @Authorized(EDIT)
  @Mutation(() => CreateModelVersionPayload, {
    description:
      'Grow a new version from `parentVersionId` with the given dataset labels. Returns at once; training runs in the background.',
  })
  createModelVersion(
    @Arg('input', () => CreateModelVersionInput) input: CreateModelVersionInput,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.createModelVersion(ctx, {
      parentVersionId: input.parentVersionId,
      datasetVersionId: input.datasetVersionId,
      classes: input.classes.map((c) => ({ ...c })),
      strategy: input.strategy ?? registry.growthDefaults().strategy,
      options: input.options ? { ...input.options } : {},
      note: input.note ?? '',
    });
  }

  @Authorized(EDIT)
  @Mutation(() => TrainingJob, { description: 'Ask a queued or running job to stop; it ends CANCELLED.' })
  cancelTrainingJob(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return registry.cancelTrainingJob(ctx, id);
  }

  @Subscription(() => TrainingJob, {
    description:
      'The job row whenever its status/phase/progress changes (polled from the database every 500 ms); completes when the job ends.',
    subscribe: ({ args, context }) => {
      const ctx = context as ApiContext;
      if (!ctx.viewer && !ctx.config.openReads)
        throw new errors.RegistryError(
          'UNAUTHENTICATED',
          'subscriptions need an API token (connectionParams.authorization)',
        );
      return registry.watchTrainingJob(ctx.prisma, args.id as string, { intervalMs: 500 });
    },
  })
  trainingJobUpdated(@Root() job: TrainingJob, @Arg('id', () => ID) _id: string) {
    return job;
  }

  @FieldResolver(() => GrowthParams, { description: 'What the job grows, typed (`params` holds the raw JSON).' })
  growth(@Root() j: TrainingJob) {
    return shapes.readGrowthParams(j.params);
  }

  @FieldResolver(() => [LossPoint], { description: 'The loss curve, typed (`lossCurve` holds the raw JSON).' })
  losses(@Root() j: TrainingJob) {
    return shapes.readLossCurve(j.lossCurve);
  }

  @FieldResolver(() => ModelVersion, { description: 'The version being trained.' })
  async version(@Root() j: TrainingJob, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(j.versionId), 'model version', j.versionId);
  }

  @FieldResolver(() => ModelVersion)
  async parentVersion(@Root() j: TrainingJob, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(j.parentVersionId), 'model version', j.parentVersionId);
  }

  @FieldResolver(() => Float, { description: 'progress × 100' })
  percent(@Root() j: TrainingJob) {
    return Math.round(j.progress * 1000) / 10;
  }
}
