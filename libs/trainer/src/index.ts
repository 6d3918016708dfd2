// Public surface of @accrete/trainer: pure TS + TensorFlow.js / onnxruntime-node / sharp (no DB, HTTP or framework).
//
// Usage (infra part):
//   const backbone = await loadBackbone(config.baseModel, { backend: config.backend, cacheDir, log });
//     // dir or http(s) URL of a TF.js layers model; backend picked at run time and logged:
//     // tfjs-node-gpu → tfjs-node → onnx (ONNX form generated once into cacheDir, keyed by backbone.id) → wasm.
//   const cache = new BottleneckCache(config.paths.bottlenecks);
//   const refs = await Promise.all(paths.map(imageRef));                       // { path, sha256 }
//   const { plain, augmented } = await extractBottlenecks(backbone, refs, { cache, augmentations: 4, onProgress, signal });
//     // plain[i]: 768-d Float32Array; augmented[i][j]: augmentation id j+1; cached per (backbone.id, sha256, aug id).
//     // Views 1..k are pooled from the feature map of one pass on onnx ('feature-map'), else distorted images ('image').
//   await exportModel(backbone, head, labels, outDir, { parentVersion, strategy });  // standalone TF.js model dir
//   const clf = await loadClassifier({ artifactDir, backbone });   // or { backbone, head, labels } / { backbone }
//   await clf.predict(pathOrBytes, 5);                             // [{ label, unit, probability }]
// Images that cannot be used throw ImageRejectedError (.reason: 'not an image' | 'truncated image' | 'too many pixels' ...).
export type { Backbone, ComputeBackendName, FeatureMaps, Head, ImageRef, Progress } from './types.js';
export { loadBackbone, defaultCacheDir, type LoadBackboneOptions } from './backbone/load-backbone.js';
export { preprocess, preprocessRgb, rgbToInput, DEFAULT_MAX_PIXELS, type PreprocessOptions } from './preprocess/preprocess.js';
export { ImageRejectedError } from './preprocess/errors.js';
export { augmentation, type Augmentation } from './augment/augmentations.js';
export { BottleneckCache } from './cache/bottleneck-cache.js';
export { imageRef, sha256Hex } from './cache/image-ref.js';
export { extractBottlenecks, CacheWriteError, defaultViews, type ExtractOptions, type ExtractResult, type ViewKind } from './extract/extract-bottlenecks.js';
export { exportModel, ARTIFACT_FORMAT, HEAD_LAYER_NAME, type ArtifactManifest, type ExportManifestInput } from './export/export-model.js';
export { loadClassifier, type Classifier, type ClassifierSource } from './classifier/load-classifier.js';
export { headLogits, softmaxInPlace, topPredictions, predictFromBottleneck, type Prediction } from './classifier/head-math.js';
export { convertToOnnx, UnsupportedLayerError } from './onnx/convert.js';
export { tf, initTf } from './backend/tf-runtime.js';

// ---- trainer-growth (growth strategies, evaluation, growVersion facade) ----
//   const res = await growVersion({ backbone, parent: { head: backbone.baseHead, labels: backbone.labels },
//     newClasses: ['daisy', 'dandelion', ...], train, val, rehearsal, strategy: 'guarded',
//     options: { retentionKnob: 0.5, augmentations: 3 }, cache, onProgress, signal });
//   // 'daisy' matches base unit 985 → merged (res.merged), the rest appended (res.appended); res.head is a plain
//   // linear head (parent columns + new columns) for exportModel; res.evaluation: top-1/5 overall/old/new, retention,
//   // per-class precision/recall, confusions; res.details.knob: bias shift and held-out trade-off points.
export { growVersion, DEFAULT_AUGMENTATIONS, GROWTH_DEFAULTS, type GrowRequest, type GrowResult, type GrowOptions, type LabelledImage } from './grow-version.js';
export { growHead, deltaForKnob, STRATEGY_CONFIGS, DEFAULT_TAKEOVER_SHARE, type StrategyConfig, type KnobCurve } from './growth/grow-head.js';
export { dataOverlap, overlapFromAnswers, type LabelOverlap } from './growth/overlap.js';
export { planClasses, labelIndex, nameKey, type ClassPlan } from './growth/merge.js';
export { tradeoffCurve, bestUnderDrop, parentTop1, type TradeoffPoint, type TradeoffInput } from './eval/tradeoff.js';
export {
  GROWTH_STRATEGIES,
  type GrowthStrategy,
  type GrowthOptions,
  type GrowthProblem,
  type GrownHead,
  type FeatureMatrix,
  type LabelledFeatures,
  type PoolFeatures,
  type UnitDecision,
  type AppliedDecision,
} from './growth/types.js';
export {
  evaluateHead,
  evaluateLogits,
  topK,
  type EvaluationReport,
  type EvaluationSet,
  type EvaluateOptions,
  type Accuracy,
  type ClassScore,
  type Confusion,
} from './eval/evaluate.js';
