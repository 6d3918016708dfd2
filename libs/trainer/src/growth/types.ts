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
  log?: (m: string) => void;
  onProgress?: (p: { phase: string; done: number; total: number; loss?: number }) => void;
  signal?: AbortSignal;
}

/** What a new label does to old output units of the parent (see DIVISION.md's per-label decision contract). */
export interface UnitDecision {
  /** The label is the taxonomy parent of these units: a prediction of one of them on the label's images is right at
   *  "leaf or declared descendant" level, so training does not push them down on those images. */
  descendants?: number[];
  /** The label must beat these units on images like its own: the parent's answers on rehearsal images it gave these
   *  units are not replayed, and the retention knob does not count them as changed. */
  winsOver?: number[];
}

/** Decisions in force for one label's unit, and whether the caller gave them or the default rule filled them in. */
export interface AppliedDecision extends Required<UnitDecision> {
  source: 'given' | 'default';
  /** Default decisions: the parent's share of this label's (plain) training images answered by each unit taken. */
  shares?: Record<number, number>;
}

export interface GrowthProblem {
  parent: Head;
  parentLabels: string[];
  /** Units 0..baseClasses-1 are the base model's (trained on data the request only sees through rehearsal); the
   *  parent's units from here on are earlier user classes. Omitted = every parent unit counts as base. */
  baseClasses?: number;
  /** Parent units the request brings examples the parent was not trained on (its merged labels): holdAnswers leaves
   *  them free, since answering more is then what the new examples ask for, not drift. */
  newExamples?: number[];
  /** Labels of the appended units, in order (unit = parent.classes + index). */
  newClasses: string[];
  train: LabelledFeatures;
  pool?: PoolFeatures;
  /** Per child unit of a user class (appended or merged): old units it takes over. Units without an entry get the
   *  default rule (`takeover` in grow-head.ts). */
  decisions?: Record<number, UnitDecision>;
  options: GrowthOptions;
}

export interface GrownHead {
  head: Head;
  labels: string[];
  /** Strategy-specific facts worth reporting (bias shift chosen by the knob, calibration parameters, losses…). */
  details: Record<string, unknown>;
}

export type GrowthStrategy = 'imprint' | 'finetune-new' | 'calibrated' | 'weight-aligned' | 'guarded';
export const GROWTH_STRATEGIES: readonly GrowthStrategy[] = [
  'imprint',
  'finetune-new',
  'calibrated',
  'weight-aligned',
  'guarded',
];
