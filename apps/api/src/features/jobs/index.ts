// Feature jobs: growing a version (createModelVersion) and its training jobs: progress, subscription, cancel.
import * as resolverClasses from './jobs.resolver.js';

/** Every class jobs.resolver.ts exports is a resolver of the schema. */
export const resolvers = Object.values(resolverClasses);
