// Feature taxonomy: the class taxonomy: browse, search, place and edit.
import * as resolverClasses from './taxonomy.resolver.js';

/** Every class taxonomy.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
