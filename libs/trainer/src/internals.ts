// '@accrete/trainer/internals': the growth machinery behind the public verbs, for the benches and tools that
// measure or convert it (bench/, tools/onnx). Product code imports '@accrete/trainer' only.
export * from './index.js';
export type { FeatureMaps } from './types.js';
export { defaultCacheDir, backboneInternals } from './backbone/load-backbone.js';
export { preprocess, rgbToInput, DEFAULT_MAX_PIXELS, type PreprocessOptions } from './preprocess/preprocess.js';
export { augmentation, type Augmentation } from './augment/augmentations.js';
export { ARTIFACT_FORMAT, HEAD_LAYER_NAME } from './export/export-model.js';
export { softmaxInPlace, topPredictions, predictFromBottleneck } from './classifier/head-math.js';
export { convertToOnnx, UnsupportedLayerError } from './onnx/convert.js';
export { tf, initTf } from './backend/tf-runtime.js';
export { growHead, deltaForKnob, STRATEGY_CONFIGS, type StrategyConfig, type KnobCurve } from './growth/grow-head.js';
export { planClasses, labelIndex, nameKey, type ClassPlan } from './growth/merge.js';
export { tradeoffCurve, bestUnderDrop, parentTop1, type TradeoffPoint, type TradeoffInput } from './eval/tradeoff.js';
export {
  type GrowthOptions,
  type GrowthProblem,
  type GrownHead,
  type FeatureMatrix,
  type LabelledFeatures,
  type PoolFeatures,
} from './growth/types.js';
export {
  evaluateHead,
  evaluateLogits,
  type EvaluationSet,
  type EvaluateOptions,
  type Accuracy,
  type ClassScore,
  type Confusion,
} from './eval/evaluate.js';
export * from './growth/matrix.js';
export { fitNewColumns, newColumnObjective, toDevice } from './growth/new-columns.js';
export { rng, shuffleInPlace } from './growth/rng.js';
