// Feature overlap: before growing, how a dataset overlaps a parent version (by name, by data).
import * as resolverClasses from './overlap.resolver.js';

/** Every class overlap.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
