// Feature jobs: growing a version (createModelVersion) and its training jobs: progress, subscription, cancel.
export { TrainingJobResolver } from './jobs.resolver.js';
