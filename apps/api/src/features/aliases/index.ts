// Feature aliases: aliases: set, roll back, history.
import * as resolverClasses from './aliases.resolver.js';

/** Every class aliases.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
