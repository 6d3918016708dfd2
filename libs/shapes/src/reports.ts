// Typed readings of the JSON the job runner stores: growth parameters (ModelVersion/TrainingJob.params), the "val"
// evaluation (the trainer's EvaluationReport + image counts), the "imagenet-retention" evaluation and the loss
// curve. The API serves these as GraphQL types, so clients get typed fields instead of re-parsing JSON. Readers
// tolerate missing or malformed fields: rows written by older versions stay readable.

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const numOr = (v: unknown, d: number | null = null): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : d;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface GrowthParams {
  newLabels: string[];
  mergedLabels: string[];
  merges: { label: string; outputUnit: number | null }[];
  options: { retentionKnob: number | null; augmentations: number | null; epochs: number | null; seed: number | null };
  /** The growth record: per label, what was decided and why (absent in versions made before it existed). */
  decisions: {
    label: string;
    decision: string;
    classId: string | null;
    parentId: string | null;
    reason: string;
    byDefault: boolean;
    parentOf: string[];
    winsOver: string[];
  }[];
}

/** ModelVersion.params / TrainingJob.params: { datasetVersionId, newClasses, merges, options }. */
export function readGrowthParams(params: unknown): GrowthParams {
  const p = obj(params);
  const o = obj(p.options);
  const merges = arr(p.merges).map((m) => ({ label: str(obj(m).label), outputUnit: numOr(obj(m).outputUnit) }));
  return {
    newLabels: arr(p.newClasses)
      .map((c) => str(obj(c).label))
      .filter(Boolean),
    mergedLabels: merges.map((m) => m.label).filter(Boolean),
    merges,
    options: {
      retentionKnob: numOr(o.retentionKnob),
      augmentations: numOr(o.augmentations),
      epochs: numOr(o.epochs),
      seed: numOr(o.seed),
    },
    decisions: arr(p.growth).map((g) => {
      const d = obj(g);
      const ids = (x: unknown) => arr(x).filter((v): v is string => typeof v === 'string');
      return {
        label: str(d.label),
        decision: str(d.decision),
        classId: str(d.classId) || null,
        parentId: str(d.parentId) || null,
        reason: str(d.reason),
        byDefault: d.byDefault === true,
        parentOf: ids(d.parentOf),
        winsOver: ids(d.winsOver),
      };
    }),
  };
}

export interface AccuracyReading {
  count: number;
  top1: number | null;
  top5: number | null;
}
export interface ClassScoreReading {
  unit: number;
  label: string;
  support: number;
  predicted: number;
  correct: number;
  precision: number | null;
  recall: number | null;
}
export interface ConfusionReading {
  trueUnit: number;
  trueLabel: string;
  predictedUnit: number;
  predictedLabel: string;
  count: number;
}
export interface ValidationReport {
  /** Per new label: its leaf / leaf-or-descendant top-1 and the parent units it took over (given or by default). */
  newLabels: {
    unit: number;
    label: string;
    count: number;
    top1Leaf: number | null;
    top1LeafOrDescendant: number | null;
    descendants: number[];
    winsOver: number[];
    byDefault: boolean;
  }[];
  /** top-1 counting only the image's own class (null until the trainer reports it). */
  leafTop1: number | null;
  /** top-1 counting the image's class or a class declared its descendant (labelDecisions.descendants). */
  leafOrDescendantTop1: number | null;
  overall: AccuracyReading;
  old: AccuracyReading;
  new: AccuracyReading;
  retention: {
    count: number;
    parentTop1: number | null;
    childTop1: number | null;
    dropPoints: number | null;
    kept: number | null;
  } | null;
  perClass: ClassScoreReading[];
  newAsOther: ConfusionReading[];
  oldAsNew: ConfusionReading[];
  /** training/validation images per label of this growth */
  images: { label: string; train: number; val: number }[];
  /** top-1 counted at the parent class in the taxonomy (null for reports written before it existed) */
  parentLevel: { count: number; top1: number | null } | null;
}

/** An accuracy over no images is absent (null), not 0: reports store 0 for empty groups (e.g. "old classes" of a
 *  growth whose validation split has only new classes). */
const accuracy = (v: unknown): AccuracyReading => {
  const a = obj(v);
  const count = numOr(a.count, 0)!;
  return { count, top1: count ? numOr(a.top1) : null, top5: count ? numOr(a.top5) : null };
};
const confusion = (v: unknown): ConfusionReading => {
  const c = obj(v);
  return {
    trueUnit: numOr(c.trueUnit, -1)!,
    trueLabel: str(c.trueLabel),
    predictedUnit: numOr(c.predictedUnit, -1)!,
    predictedLabel: str(c.predictedLabel),
    count: numOr(c.count, 0)!,
  };
};

/** The "val" evaluation of a grown version, or null when the JSON is not such a report. */
export function readValidationReport(metrics: unknown): ValidationReport | null {
  const m = obj(metrics);
  if (!m.overall && !m.perClass) return null;
  const r = m.retention ? obj(m.retention) : null;
  const conf = obj(m.confusions);
  return {
    overall: accuracy(m.overall),
    old: accuracy(m.old),
    new: accuracy(m.new),
    retention:
      r && numOr(r.count, 0)
        ? {
            count: numOr(r.count, 0)!,
            parentTop1: numOr(r.parentTop1),
            childTop1: numOr(r.childTop1),
            dropPoints: numOr(r.dropPoints),
            kept: numOr(r.kept),
          }
        : null,
    perClass: arr(m.perClass).map((c) => {
      const o = obj(c);
      return {
        unit: numOr(o.unit, -1)!,
        label: str(o.label),
        support: numOr(o.support, 0)!,
        predicted: numOr(o.predicted, 0)!,
        correct: numOr(o.correct, 0)!,
        precision: numOr(o.precision),
        recall: numOr(o.recall),
      };
    }),
    newAsOther: arr(conf.newAsOther).map(confusion),
    oldAsNew: arr(conf.oldAsNew).map(confusion),
    images: Object.entries(obj(m.images)).map(([label, c]) => ({
      label,
      train: numOr(obj(c).train, 0)!,
      val: numOr(obj(c).val, 0)!,
    })),
    parentLevel: m.byAncestor
      ? {
          count: numOr(obj(m.byAncestor).count, 0)!,
          top1: numOr(obj(m.byAncestor).count, 0) ? numOr(obj(m.byAncestor).top1) : null,
        }
      : null,
    newLabels: arr(m.newLabels).map((x) => {
      const o = obj(x);
      const units = (v: unknown) => arr(v).filter((u): u is number => Number.isInteger(u));
      return {
        unit: numOr(o.unit, -1)!,
        label: str(o.label),
        count: numOr(o.count, 0)!,
        top1Leaf: numOr(o.top1Leaf),
        top1LeafOrDescendant: numOr(o.top1LeafOrDescendant),
        descendants: units(o.descendants),
        winsOver: units(o.winsOver),
        byDefault: obj(obj(m.decisions)[str(o.label)]).source === 'default',
      };
    }),
    // the trainer's hierarchy-aware top-1 (contract in DIVISION.md): a number, or an accuracy object with top1
    leafTop1: numOr(m.top1Leaf) ?? numOr(obj(m.top1Leaf).top1),
    leafOrDescendantTop1: numOr(m.top1LeafOrDescendant) ?? numOr(obj(m.top1LeafOrDescendant).top1),
  };
}

export interface RetentionReport {
  images: number;
  top1: number | null;
  top5: number | null;
  parentTop1: number | null;
  parentTop5: number | null;
  retention: number | null;
  agreement: number | null;
  predictedAsAdded: number | null;
  /** Photos of the classes new classes took over (labelDecisions), left out of the figures above; null: none. */
  takenOver: { units: number[]; images: number; top1: number | null; parentTop1: number | null } | null;
}

/** The "imagenet-retention" evaluation (held-out ImageNet photos, new head vs parent head), or null. */
export function readRetentionReport(metrics: unknown): RetentionReport | null {
  const m = obj(metrics);
  if (m.overall !== undefined || (m.top1 === undefined && m.retention === undefined)) return null;
  if (!numOr(m.images, 0))
    return {
      images: 0,
      top1: null,
      top5: null,
      parentTop1: null,
      parentTop5: null,
      retention: null,
      agreement: null,
      predictedAsAdded: null,
      takenOver: null,
    };
  return {
    images: numOr(m.images, 0)!,
    top1: numOr(m.top1),
    top5: numOr(m.top5),
    parentTop1: numOr(m.parentTop1),
    parentTop5: numOr(m.parentTop5),
    retention: numOr(m.retention),
    agreement: numOr(m.agreement),
    predictedAsAdded: numOr(m.predictedAsAdded),
    takenOver: m.takenOver
      ? {
          units: arr(obj(m.takenOver).units).filter((u): u is number => Number.isInteger(u)),
          images: numOr(obj(m.takenOver).images, 0)!,
          top1: numOr(obj(m.takenOver).top1),
          parentTop1: numOr(obj(m.takenOver).parentTop1),
        }
      : null,
  };
}

export interface LossPoint {
  phase: string;
  step: number;
  loss: number;
}

/** TrainingJob.lossCurve: [{ phase, step, loss }] (older rows may hold bare numbers); non-finite losses dropped. */
export function readLossCurve(v: unknown): LossPoint[] {
  return arr(v)
    .map((p, i) =>
      typeof p === 'number'
        ? { phase: 'training', step: i, loss: p }
        : { phase: str(obj(p).phase) || 'training', step: numOr(obj(p).step, i)!, loss: numOr(obj(p).loss, NaN)! },
    )
    .filter((p) => Number.isFinite(p.loss));
}
