// Feature models: models, their versions, version classes, evaluations and version comparison.
import * as resolverClasses from './models.resolver.js';

/** Every class models.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
