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
//     // Views 1..k are pooled from the feature map of one pass on onnx ('feature-map'), else distorted images ('image');
//     // 'mirror-and-map' adds the mirror's pass as view 1.
//   await exportModel(backbone, head, labels, outDir, { parentVersion, strategy });  // standalone TF.js model dir
//   const clf = await loadClassifier({ artifactDir, backbone });   // or { backbone, head, labels } / { backbone }
//   await clf.predict(pathOrBytes, 5);                             // [{ label, unit, probability }]
// Images that cannot be used throw ImageRejectedError (.reason: 'not an image' | 'truncated image' | 'too many pixels' ...).
// ---- trainer-growth (growth strategies, evaluation, growVersion facade) ----
//   const res = await growVersion({ backbone, parent: { head: backbone.baseHead, labels: backbone.labels },
//     newClasses: ['daisy', 'dandelion', ...], train, val, rehearsal, strategy: 'guarded',
//     options: { retentionKnob: 0.25, augmentations: 3 }, cache, onProgress, signal });
//   // 'daisy' matches base unit 985 → merged (res.merged), the rest appended (res.appended); res.head is a plain
//   // linear head (parent columns + new columns) for exportModel; res.evaluation: top-1/5 overall/old/new, retention,
//   // per-class precision/recall, confusions; res.details.knob: bias shift and held-out trade-off points.
// The verbs: load a backbone, extract bottlenecks, grow a version, evaluate retention (headLogits/topK), export,
// load a classifier, and read an image. Growth internals (strategies, matrices, trade-off curves) are for the
// benches only, through '@accrete/trainer/internals'.
export type { Backbone, ComputeBackendName, Head, ImageRef, Progress } from './types.js';
export { loadBackbone, type LoadBackboneOptions } from './backbone/load-backbone.js';
export { loadSharp, preprocessRgb, verifyDecodes } from './preprocess/preprocess.js';
export { ImageRejectedError } from './preprocess/errors.js';
export { BottleneckCache } from './cache/bottleneck-cache.js';
export { imageRef } from './cache/image-ref.js';
export {
  extractBottlenecks,
  CacheWriteError,
  defaultViews,
  extraPasses,
  isViewKind,
  VIEW_KINDS,
  type ExtractOptions,
  type ExtractResult,
  type ViewKind,
} from './extract/extract-bottlenecks.js';
export { exportModel, type ArtifactManifest, type ExportManifestInput } from './export/export-model.js';
export { loadClassifier, type Classifier, type ClassifierSource } from './classifier/load-classifier.js';
export { headLogits, type Prediction } from './classifier/head-math.js';
export {
  growVersion,
  DEFAULT_AUGMENTATIONS,
  GROWTH_DEFAULTS,
  type GrowRequest,
  type GrowResult,
  type GrowOptions,
  type LabelledImage,
} from './grow-version.js';
export { dataOverlap, overlapFromAnswers, type DefaultTakeoverStatus, type LabelOverlap } from './growth/overlap.js';
export { DEFAULT_TAKEOVER_SHARE } from './growth/grow-head.js';
export { GROWTH_STRATEGIES, type GrowthStrategy, type UnitDecision, type AppliedDecision } from './growth/types.js';
export { topK, type EvaluationReport } from './eval/evaluate.js';
