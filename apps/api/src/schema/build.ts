// Builds the executable schema from the decorated classes. Auth lives here:
// - every root field goes through `guardRootField`: mutations need EDITOR/ADMIN (but redeemSignInCode, which carries
//   its own one-time code), reads need a token unless openReads;
// - @Authorized(roles) narrows further (token management is ADMIN only).
import 'reflect-metadata';
import { buildSchema, ArgumentValidationError, type AuthChecker } from 'type-graphql';
import { validateOrReject, type ValidationError } from 'class-validator';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { roleAtLeast } from '@accrete/auth';
import { RegistryError } from '@accrete/errors';
import type { ApiContext } from '../context.js';
import { resolvers } from '../features/index.js';

const authChecker: AuthChecker<ApiContext> = ({ context }, roles) => {
  if (!context.viewer)
    throw new RegistryError('UNAUTHENTICATED', 'this operation needs an API token (Authorization: Bearer <token>)');
  if (roles.length && !roles.includes(context.viewer.role)) {
    throw new RegistryError(
      'FORBIDDEN',
      `this operation needs role ${roles.join(' or ')}; token "${context.viewer.name}" is ${context.viewer.role}`,
    );
  }
  return true;
};

/** Root-level guard, so a resolver that forgets @Authorized is still protected. */
/** The one mutation an anonymous caller may send: it carries its own one-time credential (the first sign-in code). */
const ANONYMOUS_MUTATIONS = new Set(['redeemSignInCode']);

function guardRootField(
  operation: 'Query' | 'Mutation' | 'Subscription',
  fieldName: string,
  context: ApiContext,
): void {
  if (operation === 'Mutation' && ANONYMOUS_MUTATIONS.has(fieldName)) return;
  if (operation === 'Mutation') {
    if (!context.viewer)
      throw new RegistryError(
        'UNAUTHENTICATED',
        `mutation ${fieldName} needs an API token (Authorization: Bearer <token>)`,
      );
    if (!roleAtLeast(context.viewer.role, 'EDITOR')) {
      throw new RegistryError(
        'FORBIDDEN',
        `mutation ${fieldName} needs role EDITOR or ADMIN; token "${context.viewer.name}" is ${context.viewer.role}`,
      );
    }
  } else if (!context.viewer && !context.config.openReads && fieldName !== 'viewer') {
    throw new RegistryError(
      'UNAUTHENTICATED',
      `reading ${fieldName} needs an API token (Authorization: Bearer <token>)`,
    );
  }
}

/**
 * Wraps the root fields' resolvers (and subscribers) in the guard. Done on the built schema rather than as a
 * type-graphql global middleware because a global middleware wraps every field resolver of every type, which cost
 * about a tenth of a list query's CPU for a check that only root fields need.
 */
function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  const roots: [GraphQLObjectType | null | undefined, 'Query' | 'Mutation' | 'Subscription'][] = [
    [schema.getQueryType(), 'Query'],
    [schema.getMutationType(), 'Mutation'],
    [schema.getSubscriptionType(), 'Subscription'],
  ];
  for (const [type, operation] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const wrap =
        (inner: GraphQLFieldResolver<unknown, ApiContext>): GraphQLFieldResolver<unknown, ApiContext> =>
        (source, args, context, info) => {
          guardRootField(operation, field.name, context);
          return inner(source, args, context, info);
        };
      if (operation === 'Subscription' && field.subscribe) field.subscribe = wrap(field.subscribe);
      else field.resolve = wrap(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

/**
 * class-validator on every object argument (inputs, page args), like type-graphql's default, but with a static
 * import: the default does `await import('class-validator')` per argument, which under a module loader (tsx)
 * is a round trip to the loader thread on every field.
 */
async function validateArgument(value: unknown): Promise<void> {
  if (value === null || typeof value !== 'object') return;
  const options = { skipMissingProperties: true, forbidUnknownValues: false };
  try {
    if (Array.isArray(value))
      await Promise.all(
        value.filter((v) => v !== null && typeof v === 'object').map((v) => validateOrReject(v, options)),
      );
    else await validateOrReject(value, options);
  } catch (err) {
    throw new ArgumentValidationError(err as ValidationError[]);
  }
}

let built: Promise<GraphQLSchema> | undefined;

/** The schema is the same for every server in the process; build it once. */
export function getSchema(): Promise<GraphQLSchema> {
  return (built ??= buildSchema({
    resolvers: [resolvers[0]!, ...resolvers.slice(1)], // type-graphql wants a non-empty list
    authChecker,
    authMode: 'error',
    validateFn: validateArgument,
    // subscriptions use their own `subscribe` (DB polling); type-graphql still insists on a PubSub
    pubSub: {
      publish: () => undefined,
      subscribe: () => {
        throw new Error('no PubSub topics in this schema');
      },
    },
  }).then(guardRootFields));
}
