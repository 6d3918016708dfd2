// Reading the JSON the API passes through untyped: training params and evaluation reports (written by libs/jobs
// with the trainer's EvaluationReport). Every reader tolerates missing or malformed fields: old rows stay viewable.

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const numOr = (v: unknown, d: number | null = null): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface ParamsSummary {
  newLabels: string[];
  mergedLabels: string[];
  merges: { label: string; outputUnit: number | null }[];
  options: { retentionKnob: number | null; augmentations: number | null; epochs: number | null; seed: number | null };
}

/** ModelVersion.params / TrainingJob.params: { datasetVersionId, newClasses, merges, options }. */
export function paramsSummary(params: unknown): ParamsSummary {
  const p = obj(params);
  const o = obj(p.options);
  const merges = arr(p.merges).map((m) => ({ label: str(obj(m).label), outputUnit: numOr(obj(m).outputUnit) }));
  return {
    newLabels: arr(p.newClasses).map((c) => str(obj(c).label)).filter(Boolean),
    mergedLabels: merges.map((m) => m.label).filter(Boolean),
    merges,
    options: { retentionKnob: numOr(o.retentionKnob), augmentations: numOr(o.augmentations), epochs: numOr(o.epochs), seed: numOr(o.seed) },
  };
}

export interface Accuracy {
  count: number;
  top1: number | null;
  top5: number | null;
}
export interface ClassScore {
  unit: number;
  label: string;
  support: number;
  predicted: number;
  correct: number;
  precision: number | null;
  recall: number | null;
}
export interface Confusion {
  trueUnit: number;
  trueLabel: string;
  predictedUnit: number;
  predictedLabel: string;
  count: number;
}
export interface ValReport {
  overall: Accuracy;
  old: Accuracy;
  new: Accuracy;
  retention: { count: number; parentTop1: number | null; childTop1: number | null; dropPoints: number | null; kept: number | null } | null;
  perClass: ClassScore[];
  newAsOther: Confusion[];
  oldAsNew: Confusion[];
  /** training images per label of this growth (label → train/val counts) */
  images: { label: string; train: number; val: number }[];
}

const accuracy = (v: unknown): Accuracy => {
  const a = obj(v);
  return { count: numOr(a.count, 0)!, top1: numOr(a.top1), top5: numOr(a.top5) };
};
const confusion = (v: unknown): Confusion => {
  const c = obj(v);
  return {
    trueUnit: numOr(c.trueUnit, -1)!,
    trueLabel: str(c.trueLabel),
    predictedUnit: numOr(c.predictedUnit, -1)!,
    predictedLabel: str(c.predictedLabel),
    count: numOr(c.count, 0)!,
  };
};

/** The "val" evaluation of a grown version. */
export function readValReport(metrics: unknown): ValReport | null {
  const m = obj(metrics);
  if (!m.overall && !m.perClass) return null;
  const r = m.retention ? obj(m.retention) : null;
  const conf = obj(m.confusions);
  const imgs = obj(m.images);
  return {
    overall: accuracy(m.overall),
    old: accuracy(m.old),
    new: accuracy(m.new),
    retention: r
      ? { count: numOr(r.count, 0)!, parentTop1: numOr(r.parentTop1), childTop1: numOr(r.childTop1), dropPoints: numOr(r.dropPoints), kept: numOr(r.kept) }
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
    images: Object.entries(imgs).map(([label, c]) => ({ label, train: numOr(obj(c).train, 0)!, val: numOr(obj(c).val, 0)! })),
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
}

/** The "imagenet-retention" evaluation: held-out ImageNet photos, new head vs parent head. */
export function readRetentionReport(metrics: unknown): RetentionReport | null {
  const m = obj(metrics);
  if (m.top1 === undefined && m.retention === undefined) return null;
  return {
    images: numOr(m.images, 0)!,
    top1: numOr(m.top1),
    top5: numOr(m.top5),
    parentTop1: numOr(m.parentTop1),
    parentTop5: numOr(m.parentTop5),
    retention: numOr(m.retention),
    agreement: numOr(m.agreement),
    predictedAsAdded: numOr(m.predictedAsAdded),
  };
}

/**
 * Confusion matrix of the new classes (rows) against the classes they are most often mistaken for (columns: old
 * classes first in weight order, then other new classes), as the share of each new class's validation images.
 */
export function newClassConfusions(report: ValReport, newUnits: Set<number>, maxCols = 8) {
  const support = new Map(report.perClass.map((c) => [c.unit, c.support]));
  const rowsUnits = [...new Set(report.perClass.filter((c) => newUnits.has(c.unit) && c.support > 0).map((c) => c.unit))];
  const labelOf = new Map(report.perClass.map((c) => [c.unit, c.label]));
  const mistakes = report.newAsOther.filter((c) => newUnits.has(c.trueUnit) && c.trueUnit !== c.predictedUnit);
  for (const c of mistakes) labelOf.set(c.predictedUnit, c.predictedLabel);
  const colTotals = new Map<number, number>();
  for (const c of mistakes) colTotals.set(c.predictedUnit, (colTotals.get(c.predictedUnit) ?? 0) + c.count);
  const cols = [...colTotals.entries()]
    .sort((a, b) => Number(newUnits.has(a[0])) - Number(newUnits.has(b[0])) || b[1] - a[1])
    .slice(0, maxCols)
    .map(([u]) => u);
  const counts = rowsUnits.map((r) => cols.map((col) => mistakes.filter((c) => c.trueUnit === r && c.predictedUnit === col).reduce((s, c) => s + c.count, 0)));
  const values = counts.map((row, i) => row.map((n) => n / Math.max(1, support.get(rowsUnits[i]!) ?? 0)));
  return {
    rows: rowsUnits.map((u) => labelOf.get(u) ?? `unit ${u}`),
    cols: cols.map((u) => `${labelOf.get(u) ?? `unit ${u}`}${newUnits.has(u) ? ' (new)' : ''}`),
    values,
    counts,
  };
}

/** Old classes whose validation images were taken for a new class (the reverse direction). */
export function oldAsNewConfusions(report: ValReport, newUnits: Set<number>, maxRows = 8) {
  const support = new Map(report.perClass.map((c) => [c.unit, c.support]));
  const items = report.oldAsNew.filter((c) => !newUnits.has(c.trueUnit) && newUnits.has(c.predictedUnit));
  const rowUnits = [...new Set(items.map((c) => c.trueUnit))].slice(0, maxRows);
  const colUnits = [...new Set(items.map((c) => c.predictedUnit))];
  const labelOf = new Map<number, string>();
  for (const c of items) {
    labelOf.set(c.trueUnit, c.trueLabel);
    labelOf.set(c.predictedUnit, c.predictedLabel);
  }
  const counts = rowUnits.map((r) => colUnits.map((col) => items.filter((c) => c.trueUnit === r && c.predictedUnit === col).reduce((s, c) => s + c.count, 0)));
  const values = counts.map((row, i) => row.map((n) => n / Math.max(1, support.get(rowUnits[i]!) ?? 0)));
  return { rows: rowUnits.map((u) => labelOf.get(u)!), cols: colUnits.map((u) => labelOf.get(u)!), values, counts };
}

export interface LossPoint {
  phase: string;
  step: number;
  loss: number;
}

/** TrainingJob.lossCurve: [{ phase, step, loss }] (older rows may hold bare numbers). */
export function readLossCurve(v: unknown): LossPoint[] {
  return arr(v)
    .map((p, i) => (typeof p === 'number' ? { phase: 'training', step: i, loss: p } : { phase: str(obj(p).phase) || 'training', step: numOr(obj(p).step, i)!, loss: numOr(obj(p).loss, NaN)! }))
    .filter((p) => Number.isFinite(p.loss));
}
