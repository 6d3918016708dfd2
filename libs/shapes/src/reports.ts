// Typed readings of the JSON the job runner stores: growth parameters (ModelVersion/TrainingJob.params), the "val"
// evaluation (the trainer's EvaluationReport + image counts), the "imagenet-retention" evaluation and the loss
// curve. The API serves these as GraphQL types, so clients get typed fields instead of re-parsing JSON.
// Each reading is one zod schema (its type is inferred from it): a stored field that is missing or malformed reads
// as its default (null for an absent figure, 0 for a count, '' for a text, [] for a list), so rows written by
// older versions stay readable and a reader never throws.
import { z } from 'zod';

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
/** An object as stored: anything else reads as {} (each field then takes its default); unknown keys are dropped. */
const record = <S extends z.ZodRawShape>(shape: S) => z.preprocess((v) => (isRecord(v) ? v : {}), z.object(shape));
/** A figure: a finite number, else null (zod 4 numbers refuse NaN and ±Infinity). */
const figure = z.number().nullable().catch(null);
const count = z.number().catch(0);
/** An output unit; -1 where the report has none. */
const unit = z.number().catch(-1);
const text = z.string().catch('');
const list = <T extends z.ZodType>(item: T) => z.array(item).catch([]);
/** A list of which only the members of the right kind are kept. */
const only = <T>(keep: (v: unknown) => v is T) =>
  z
    .array(z.unknown())
    .catch([])
    .transform((a) => a.filter(keep));
/** A part a report may leave out: null when absent (or empty), else read with `schema`. */
const part = <T extends z.ZodType>(schema: T) =>
  z
    .unknown()
    .optional()
    .transform((v): z.output<T> | null => (v ? schema.parse(v) : null));
const ids = only((v): v is string => typeof v === 'string');
const units = only((v): v is number => Number.isInteger(v));

/** ModelVersion.params / TrainingJob.params: { datasetVersionId, newClasses, merges, options, growth }. */
const GrowthParamsReading = record({
  newClasses: list(record({ label: text })),
  merges: list(record({ label: text, classNodeId: text, outputUnit: figure })),
  options: record({
    retentionKnob: figure,
    augmentations: figure,
    epochs: figure,
    seed: figure,
    /** How views were made (the trainer's ViewKind); null: the backend's default. */
    views: z.string().nullable().catch(null),
  }),
  /** The growth record (absent in versions made before it existed). */
  growth: list(
    record({
      label: text,
      decision: text,
      classId: text,
      parentId: text,
      reason: text,
      byDefault: z.boolean().catch(false),
      parentOf: ids,
      winsOver: ids,
    }),
  ),
}).transform((p) => ({
  newLabels: p.newClasses.map((c) => c.label).filter(Boolean),
  mergedLabels: p.merges.map((m) => m.label).filter(Boolean),
  /** classNodeId: the class merged into (null in rows that did not record it). */
  merges: p.merges.map((m) => ({ ...m, classNodeId: m.classNodeId || null })),
  options: p.options,
  /** The growth record: per label, what was decided and why. */
  decisions: p.growth.map((d) => ({ ...d, classId: d.classId || null, parentId: d.parentId || null })),
}));
export type GrowthParams = z.output<typeof GrowthParamsReading>;

/** An accuracy over no images is absent (null), not 0: reports store 0 for empty groups (e.g. "old classes" of a
 *  growth whose validation split has only new classes). */
const Accuracy = record({ count, top1: figure, top5: figure }).transform((a) => ({
  count: a.count,
  top1: a.count ? a.top1 : null,
  top5: a.count ? a.top5 : null,
}));
export type AccuracyReading = z.output<typeof Accuracy>;

const ClassScore = record({
  unit,
  label: text,
  support: count,
  predicted: count,
  correct: count,
  precision: figure,
  recall: figure,
});
export type ClassScoreReading = z.output<typeof ClassScore>;

const Confusion = record({ trueUnit: unit, trueLabel: text, predictedUnit: unit, predictedLabel: text, count });
export type ConfusionReading = z.output<typeof Confusion>;

/** The trainer's hierarchy-aware top-1 (contract in DIVISION.md): a number, or an accuracy object with top1. */
const topOne = z.union([z.number(), record({ top1: figure }).transform((a) => a.top1)]).catch(null);

const ValidationRetention = record({ count, parentTop1: figure, childTop1: figure, dropPoints: figure, kept: figure });
const ParentLevel = record({ count, top1: figure }).transform((a) => ({
  count: a.count,
  top1: a.count ? a.top1 : null,
}));

/** One point of the retention knob's held-out trade-off (the trainer's details.knob.points). */
const KnobPoint = record({ knob: figure, delta: figure, heldOutAccuracy: figure, heldOutChanged: figure });
const KnobReading = record({ retentionKnob: figure, heldOut: part(KnobPoint), points: list(KnobPoint) });

const ValidationReading = record({
  overall: Accuracy,
  old: Accuracy,
  new: Accuracy,
  retention: part(ValidationRetention),
  perClass: list(ClassScore),
  confusions: record({ newAsOther: list(Confusion), oldAsNew: list(Confusion) }),
  /** per label of this growth: { train, val } */
  images: z.preprocess((v) => (isRecord(v) ? v : {}), z.record(z.string(), record({ train: count, val: count }))),
  byAncestor: part(ParentLevel),
  newLabels: list(
    record({
      unit,
      label: text,
      count,
      top1Leaf: figure,
      top1LeafOrDescendant: figure,
      descendants: units,
      winsOver: units,
    }),
  ),
  /** per label: { source: 'default' | … } (whose decision the take-overs were) */
  decisions: z.preprocess((v) => (isRecord(v) ? v : {}), z.record(z.string(), record({ source: text }))),
  top1Leaf: topOne,
  top1LeafOrDescendant: topOne,
  details: record({ knob: part(KnobReading) }),
});

function toValidationReport(m: z.output<typeof ValidationReading>) {
  return {
    overall: m.overall,
    old: m.old,
    new: m.new,
    retention: m.retention?.count ? m.retention : null,
    perClass: m.perClass,
    newAsOther: m.confusions.newAsOther,
    oldAsNew: m.confusions.oldAsNew,
    /** training/validation images per label of this growth */
    images: Object.entries(m.images).map(([label, c]) => ({ label, train: c.train, val: c.val })),
    /** top-1 counted at the parent class in the taxonomy (null for reports written before it existed) */
    parentLevel: m.byAncestor,
    /** Per new label: its leaf / leaf-or-descendant top-1 and the parent units it took over (given or by default). */
    newLabels: m.newLabels.map((l) => ({ ...l, byDefault: m.decisions[l.label]?.source === 'default' })),
    /** top-1 counting only the image's own class (null until the trainer reports it). */
    leafTop1: m.top1Leaf,
    /** top-1 counting the image's class or a class declared its descendant (labelDecisions.descendants). */
    leafOrDescendantTop1: m.top1LeafOrDescendant,
    /** What other knob settings would have given on this growth's held-out split (null: a strategy without the
     *  knob, or a report written before it was kept). */
    knobTradeoff: knobTradeoff(m.details.knob),
  };
}

/** The trainer's five knob points, with the version's own setting among them when it is another value (0.2). */
function knobTradeoff(k: z.output<typeof KnobReading> | null) {
  const points = (k?.points ?? []).filter((p) => p.knob !== null);
  if (!k || !points.length) return null;
  if (k.heldOut && k.retentionKnob !== null && !points.some((p) => p.knob === k.retentionKnob))
    points.push({ ...k.heldOut, knob: k.retentionKnob });
  points.sort((a, b) => a.knob! - b.knob!);
  return {
    chosenKnob: k.retentionKnob,
    points: points.map((p) => ({
      knob: p.knob!,
      biasShift: p.delta,
      heldOutAccuracy: p.heldOutAccuracy,
      heldOutChanged: p.heldOutChanged,
    })),
  };
}
export type ValidationReport = ReturnType<typeof toValidationReport>;

const TakenOver = record({ units, images: count, top1: figure, parentTop1: figure });
const SinceBase = record({ images: count, baseTop1: figure, top1: figure, dropPoints: figure, takenOverUnits: units });
const RetentionReading = record({
  images: count,
  top1: figure,
  top5: figure,
  parentTop1: figure,
  parentTop5: figure,
  retention: figure,
  agreement: figure,
  predictedAsAdded: figure,
  /** Photos of the classes new classes took over (labelDecisions), left out of the figures above; null: none. */
  takenOver: part(TakenOver),
  /** The same photos against the lineage's base (classes taken over along the lineage left out); null: not
   *  measured (a base version, or a version grown before the figure existed). */
  sinceBase: part(SinceBase),
});
export type RetentionReport = z.output<typeof RetentionReading>;

/** One stored point: a missing phase is "training", a missing step its index, a missing loss drops the point. */
const LossPointReading = (index: number) =>
  record({ phase: text.transform((s) => s || 'training'), step: z.number().catch(index), loss: z.number().catch(NaN) });
export type LossPoint = z.output<ReturnType<typeof LossPointReading>>;

const LossCurveReading = list(z.unknown()).transform((points) =>
  points
    .map((p, i) => (typeof p === 'number' ? { phase: 'training', step: i, loss: p } : LossPointReading(i).parse(p)))
    .filter((p) => Number.isFinite(p.loss)),
);

/** ModelVersion.params / TrainingJob.params read for clients. */
export function readGrowthParams(params: unknown): GrowthParams {
  return GrowthParamsReading.parse(params);
}

/** The "val" evaluation of a grown version, or null when the JSON is not such a report. */
export function readValidationReport(metrics: unknown): ValidationReport | null {
  if (!isRecord(metrics) || (!metrics.overall && !metrics.perClass)) return null;
  return toValidationReport(ValidationReading.parse(metrics));
}

/** The "imagenet-retention" evaluation (held-out ImageNet photos, new head vs parent head), or null. */
export function readRetentionReport(metrics: unknown): RetentionReport | null {
  const m = isRecord(metrics) ? metrics : {};
  if (m.overall !== undefined || (m.top1 === undefined && m.retention === undefined)) return null;
  const r = RetentionReading.parse(m);
  // no photos: no figure at all (a stored 0 would read as a measured zero)
  return r.images ? r : RetentionReading.parse({});
}

/** TrainingJob.lossCurve: [{ phase, step, loss }] (older rows may hold bare numbers); non-finite losses dropped. */
export function readLossCurve(v: unknown): LossPoint[] {
  return LossCurveReading.parse(v);
}
