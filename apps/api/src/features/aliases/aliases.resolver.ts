// Aliases: set, roll back, history.
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import * as registry from '@accrete/registry';
import type { ApiContext } from '../../context.js';
import { PageArgs } from '../../schema/connection.js';
import { RollbackAliasInput, SetAliasInput } from './inputs.js';
import { Alias, AliasEvent, AliasEventConnection } from './types.js';
import { Model, ModelVersion } from '../models/types.js';
import { must } from '../util.js';

const EDIT = ['EDITOR', 'ADMIN'];
const actor = (ctx: ApiContext) => ctx.viewer?.name ?? 'anonymous';

@Resolver(() => Alias)
export class AliasResolver {
  @Query(() => Alias, { description: 'An alias of a model (default model: the base model).' })
  alias(
    @Arg('name', () => String) name: string,
    @Arg('modelId', () => ID, { nullable: true }) modelId: string | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return registry.getAlias(ctx.prisma, {
      modelId: modelId ?? null,
      name,
      defaultModelName: ctx.config.baseModelName,
    });
  }

  @Authorized(EDIT)
  @Mutation(() => Alias, {
    description: 'Point an alias at a READY version (creates it if needed). One transaction; recorded in history.',
  })
  setAlias(@Arg('input', () => SetAliasInput) input: SetAliasInput, @Ctx() ctx: ApiContext) {
    return registry.setAlias(ctx.prisma, { ...input, actor: actor(ctx) });
  }

  @Authorized(EDIT)
  @Mutation(() => Alias, { description: 'Move an alias back to its previous target in its history.' })
  rollbackAlias(@Arg('input', () => RollbackAliasInput) input: RollbackAliasInput, @Ctx() ctx: ApiContext) {
    return registry.rollbackAlias(ctx.prisma, { ...input, actor: actor(ctx) });
  }

  @FieldResolver(() => Model)
  async model(@Root() a: Alias, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.model.load(a.modelId), 'model', a.modelId);
  }

  @FieldResolver(() => ModelVersion)
  async version(@Root() a: Alias, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(a.versionId), 'model version', a.versionId);
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description:
      'Where rollbackAlias would move this alias now (null: nothing to roll back to). The rule lives on the server only.',
  })
  async rollbackTarget(@Root() a: Alias, @Ctx() ctx: ApiContext) {
    const id = await registry.aliasRollbackTarget(ctx.prisma, a.id);
    return id ? ctx.loaders.version.load(id) : null;
  }

  @FieldResolver(() => AliasEventConnection, { description: 'Moves of this alias, newest first.' })
  history(@Root() a: Alias, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: ApiContext) {
    return registry.listAliasEvents(ctx.prisma, a.id, page);
  }
}

@Resolver(() => AliasEvent)
export class AliasEventResolver {
  @FieldResolver(() => Alias)
  async alias(@Root() e: AliasEvent, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.alias.load(e.aliasId), 'alias', e.aliasId);
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  fromVersion(@Root() e: AliasEvent, @Ctx() ctx: ApiContext) {
    return e.fromVersionId ? ctx.loaders.version.load(e.fromVersionId) : null;
  }

  @FieldResolver(() => ModelVersion)
  async toVersion(@Root() e: AliasEvent, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.version.load(e.toVersionId), 'model version', e.toVersionId);
  }
}
