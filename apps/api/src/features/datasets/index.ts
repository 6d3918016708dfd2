// Feature datasets: datasets, their versions, images and imports.
import * as resolverClasses from './datasets.resolver.js';

/** Every class datasets.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
