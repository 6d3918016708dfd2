// Predictions from the warm classifier cache; aliases are resolved per request.
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import * as registry from '@accrete/registry';
import type { ApiContext } from '../../context.js';
import { PredictInput } from './inputs.js';
import { PredictedClass, Prediction } from './types.js';
import { ModelVersion } from '../models/types.js';
import { ClassNode } from '../taxonomy/types.js';
import { must } from '../util.js';

@Resolver(() => Prediction)
export class PredictionResolver {
  @Query(() => Prediction, {
    description:
      'Top-k classes of an image (imageBase64 or imageId) for a version (versionId, or alias — default "production" of the base model).',
  })
  predict(@Arg('input', () => PredictInput) input: PredictInput, @Ctx() ctx: ApiContext) {
    return registry.predict(ctx, {
      imageBase64: input.imageBase64 ?? null,
      imageId: input.imageId ?? null,
      versionId: input.versionId ?? null,
      modelId: input.modelId ?? null,
      alias: input.alias ?? null,
      topK: input.topK ?? 5,
    });
  }

  @FieldResolver(() => ModelVersion, { description: 'The version that answered.' })
  async version(@Root() p: Prediction, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(p.versionId), 'model version', p.versionId);
  }
}

@Resolver(() => PredictedClass)
export class PredictedClassResolver {
  @FieldResolver(() => ClassNode)
  async classNode(@Root() c: PredictedClass, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.classNode.load(c.classNodeId), 'class', c.classNodeId);
  }
}
