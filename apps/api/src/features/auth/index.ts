// Feature auth: the caller and API tokens.
import * as resolverClasses from './auth.resolver.js';

/** Every class auth.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
