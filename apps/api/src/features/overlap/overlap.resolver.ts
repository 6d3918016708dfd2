// Before growing: name overlaps (with the defaults createModelVersion would apply) and data overlaps (what the
// parent answers on each label's images). Thin: the rules are in libs/registry and libs/jobs.
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import * as registry from '@accrete/registry';
import type { ApiContext } from '../../context.js';
import { DataOverlapReport, LabelOverlap, OverlapAnswer } from './types.js';
import { ClassNode } from '../taxonomy/types.js';
import { must } from '../util.js';

@Resolver(() => OverlapAnswer)
export class OverlapResolver {
  @Query(() => [LabelOverlap], {
    description:
      'Before growing `parentVersionId` with `datasetVersionId`: per label, the classes of the parent it overlaps by name (with the reason) ' +
      'and what createModelVersion would decide by default (the same rule).',
  })
  growthOverlap(
    @Arg('parentVersionId', () => ID) parentVersionId: string,
    @Arg('datasetVersionId', () => ID) datasetVersionId: string,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.nameOverlap(ctx.prisma, parentVersionId, datasetVersionId);
  }

  @Query(() => DataOverlapReport, {
    description:
      'Which classes of `parentVersionId` answer the training images of each label of `datasetVersionId` (share of top-1, top 3). ' +
      'Computed in the background: the first call starts it and returns RUNNING with progress; ask again until READY.',
  })
  dataOverlap(
    @Arg('parentVersionId', () => ID) parentVersionId: string,
    @Arg('datasetVersionId', () => ID) datasetVersionId: string,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.dataOverlap(ctx, parentVersionId, datasetVersionId);
  }

  @FieldResolver(() => ClassNode)
  async classNode(@Root() a: OverlapAnswer, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.classNode.load(a.classNodeId), 'class', a.classNodeId);
  }
}
