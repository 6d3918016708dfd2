// The class taxonomy: browse, search, place and edit (operations live in libs/taxonomy-store).
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import * as taxonomy from '@accrete/taxonomy-store';
import type { ApiContext } from '../../context.js';
import { PageArgs } from '../../schema/connection.js';
import {
  AddClassAliasInput,
  ClassNodeFilter,
  CreateClassInput,
  MergeClassesInput,
  MoveClassInput,
  RenameClassInput,
} from './inputs.js';
import { ClassNode, ClassNodeConnection, ClassTreeNode } from './types.js';
import { must } from '../util.js';

const EDIT = ['EDITOR', 'ADMIN'];

@Resolver(() => ClassNode)
export class ClassNodeResolver {
  @Query(() => ClassNode)
  async classNode(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return must(await ctx.loaders.classNode.load(id), 'class', id);
  }

  @Query(() => ClassNodeConnection, {
    description: 'Class nodes, shallowest first; search matches names, aliases and wnids.',
  })
  classNodes(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ClassNodeFilter, { nullable: true }) filter: ClassNodeFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return taxonomy.listClassNodes(ctx.prisma, filter ?? {}, page);
  }

  @Query(() => [ClassNode], {
    description:
      'Best matches of a free-text class name: first the class the placement rule matches (the one createModelVersion uses), then the ranked search.',
  })
  resolveClassName(
    @Arg('name', () => String) name: string,
    @Arg('limit', () => Int, { defaultValue: 10 }) limit: number,
    @Ctx() ctx: ApiContext,
  ) {
    return taxonomy.resolveClassName(ctx.prisma, name, { limit: Math.min(Math.max(limit, 1), 50) });
  }

  @Query(() => ClassNode, {
    nullable: true,
    description:
      'Where createModelVersion files a new class of this name when no parentClassId is given (the placement rule: the class it is, ' +
      'its head noun, or where WordNet puts it; see apps/api/README.md); null: at the root.',
  })
  async classPlacement(@Arg('name', () => String) name: string, @Ctx() ctx: ApiContext) {
    const [p] = await taxonomy.placeClassNames(ctx.prisma, [name]);
    return p?.parentId ? ctx.loaders.classNode.load(p.parentId) : null;
  }

  @Query(() => [ClassTreeNode], {
    description: 'A node and its descendants (flat, parentId links), down to maxDepth levels.',
  })
  classSubtree(
    @Arg('id', () => ID) id: string,
    @Arg('maxDepth', () => Int, { defaultValue: 3 }) maxDepth: number,
    @Ctx() ctx: ApiContext,
  ) {
    return taxonomy.classSubtreeNodes(ctx.prisma, id, Math.min(Math.max(maxDepth, 0), 30));
  }

  @Authorized(EDIT)
  @Mutation(() => ClassNode)
  createClass(@Arg('input', () => CreateClassInput) input: CreateClassInput, @Ctx() ctx: ApiContext) {
    return taxonomy.createClass(ctx.prisma, {
      name: input.name,
      parentId: input.parentId ?? null,
      aliases: input.aliases ?? [],
    });
  }

  @Authorized(EDIT)
  @Mutation(() => ClassNode)
  renameClass(@Arg('input', () => RenameClassInput) input: RenameClassInput, @Ctx() ctx: ApiContext) {
    return taxonomy.renameClass(ctx.prisma, input.id, input.name);
  }

  @Authorized(EDIT)
  @Mutation(() => ClassNode)
  addClassAlias(@Arg('input', () => AddClassAliasInput) input: AddClassAliasInput, @Ctx() ctx: ApiContext) {
    return taxonomy.addClassAlias(ctx.prisma, input.id, input.alias);
  }

  @Authorized(EDIT)
  @Mutation(() => ClassNode)
  moveClass(@Arg('input', () => MoveClassInput) input: MoveClassInput, @Ctx() ctx: ApiContext) {
    return taxonomy.moveClass(ctx.prisma, input.id, input.parentId ?? null);
  }

  @Authorized(EDIT)
  @Mutation(() => ClassNode, { description: 'Merge source into target; returns the target.' })
  mergeClasses(@Arg('input', () => MergeClassesInput) input: MergeClassesInput, @Ctx() ctx: ApiContext) {
    return taxonomy.mergeClasses(ctx.prisma, input.sourceId, input.targetId);
  }

  @Authorized(EDIT)
  @Mutation(() => ID, { description: 'Delete an unused user class; returns its id.' })
  async deleteClass(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    await taxonomy.deleteClass(ctx.prisma, id);
    return id;
  }

  @FieldResolver(() => ClassNode, { nullable: true })
  parent(@Root() c: ClassNode, @Ctx() ctx: ApiContext) {
    return c.parentId ? ctx.loaders.classNode.load(c.parentId) : null;
  }

  @FieldResolver(() => ClassNodeConnection)
  async children(@Root() c: ClassNode, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: ApiContext) {
    const p = await taxonomy.listClassNodes(ctx.prisma, { parentId: c.id }, page);
    // the count through one grouped query for all the nodes of a page (the tree asks `children(first: 0) { totalCount }`)
    return {
      edges: p.edges,
      nodes: p.nodes,
      pageInfo: p.pageInfo,
      get totalCount() {
        return ctx.loaders.childCountOfClass.load(c.id);
      },
    };
  }

  @FieldResolver(() => [ClassNode], { description: 'From the root down to the parent.' })
  ancestors(@Root() c: ClassNode, @Ctx() ctx: ApiContext) {
    return ctx.loaders.ancestorsOfClass.load(c.id);
  }

  @FieldResolver(() => [String], { description: 'Names from the root down to this class.' })
  async path(@Root() c: ClassNode, @Ctx() ctx: ApiContext) {
    return [...(await ctx.loaders.ancestorsOfClass.load(c.id)).map((a) => a.name), c.name];
  }

  @FieldResolver(() => [String], { description: 'Extra names (user aliases) of this class.' })
  async aliases(@Root() c: ClassNode, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.aliasNamesOfClass.load(c.id)).map((a) => a.name);
  }
}
