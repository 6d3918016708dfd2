// Feature predict: predictions.
import * as resolverClasses from './predict.resolver.js';

/** Every class predict.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
