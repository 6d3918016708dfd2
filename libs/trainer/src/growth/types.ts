// Shapes used by the growth strategies. They work on bottleneck features already in memory (no images, no I/O),
// so the same code serves growVersion, the bench and the unit tests.
import type { Head } from '../types.js';

/** n row vectors of length dim, row-major. */
export interface FeatureMatrix {
  n: number;
  dim: number;
  data: Float32Array;
}

/** Labelled training rows: `unit` is the child head's output unit the row should produce. */
export interface LabelledFeatures {
  x: FeatureMatrix;
  unit: Int32Array;
  /** Index of the source image (plain and augmented rows of one image share it): held-out splits are by image. */
  image: Int32Array;
  /** 0 = plain centre crop, ≥1 = augmentation id. */
  augmentation: Uint16Array;
}

/** Unlabelled rehearsal rows; targets are the parent's own outputs. */
export interface PoolFeatures {
  x: FeatureMatrix;
  image: Int32Array;
  augmentation: Uint16Array;
}

export interface GrowthOptions {
  /** 0..1: 0 = max new-class accuracy, 1 = max retention of the parent's answers. */
  retentionKnob: number;
  seed: number;
  /** Optimiser iterations (full batch). */
  epochs?: number;
  /** L2 strength on the new columns (per row of data, i.e. scaled by the data count). */
  l2?: number;
  /** Weight of rehearsal rows relative to labelled rows (total mass). */
  poolWeight?: number;
  /** Synthetic negatives per pool image, built from mixtures of pool features. */
  mixNegatives?: number;
  log?: (m: string) => void;
  onProgress?: (p: { phase: string; done: number; total: number; loss?: number }) => void;
  signal?: AbortSignal;
}

export interface GrowthProblem {
  parent: Head;
  parentLabels: string[];
  /** Labels of the appended units, in order (unit = parent.classes + index). */
  newClasses: string[];
  train: LabelledFeatures;
  pool?: PoolFeatures;
  options: GrowthOptions;
}

export interface GrownHead {
  head: Head;
  labels: string[];
  /** Strategy-specific facts worth reporting (bias shift chosen by the knob, calibration parameters, losses…). */
  details: Record<string, unknown>;
}

export type GrowthStrategy = 'imprint' | 'finetune-new' | 'calibrated' | 'weight-aligned' | 'guarded';
export const GROWTH_STRATEGIES: readonly GrowthStrategy[] = ['imprint', 'finetune-new', 'calibrated', 'weight-aligned', 'guarded'];
