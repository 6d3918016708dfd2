// Who am I, and token management (ADMIN).
import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import * as auth from '@accrete/auth';
import type { ApiContext } from '../../context.js';
import { PageArgs } from '../../schema/connection.js';
import { ApiTokenFilter, CreateApiTokenInput, CreateApiTokenPayload } from './inputs.js';
import { ApiToken, ApiTokenConnection, Viewer } from './types.js';

@Resolver()
export class AuthResolver {
  @Query(() => Viewer, { description: 'The caller (name and role of the token; nulls when anonymous).' })
  viewer(@Ctx() ctx: ApiContext) {
    return { name: ctx.viewer?.name ?? null, role: ctx.viewer?.role ?? null };
  }

  @Authorized(['ADMIN'])
  @Query(() => ApiTokenConnection)
  apiTokens(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ApiTokenFilter, { nullable: true }) filter: ApiTokenFilter | undefined,
    @Ctx() ctx: ApiContext,
  ) {
    return auth.listApiTokens(ctx.prisma, filter ?? {}, page);
  }

  @Authorized(['ADMIN'])
  @Mutation(() => CreateApiTokenPayload, { description: 'Create a token; the secret is returned once.' })
  createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: ApiContext) {
    return auth.createApiToken(ctx.prisma, input);
  }

  @Mutation(() => CreateApiTokenPayload, {
    description:
      'The first sign-in of a fresh install: the one-time code of the link the API printed at start becomes the first ADMIN token (returned once). Open to anonymous callers; a used or unknown code is UNAUTHENTICATED.',
  })
  redeemSignInCode(@Arg('code', () => String) code: string, @Ctx() ctx: ApiContext) {
    return ctx.firstSignIn.redeem(ctx.prisma, code);
  }

  @Authorized(['ADMIN'])
  @Mutation(() => ApiToken)
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext) {
    return auth.revokeApiToken(ctx.prisma, id);
  }
}
