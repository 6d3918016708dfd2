// Feature predict: predictions.
export { PredictionResolver, PredictedClassResolver } from './predict.resolver.js';
