// Evaluation views of the version page. The API serves the stored reports as typed GraphQL fields
// (Evaluation.validation, Evaluation.imagenetRetention, ModelVersion.growth, TrainingJob.losses); the fragments
// (report-fragments.ts) are what the pages select, and these functions turn a report into the matrices the charts
// draw. Type-only imports here, so the unit tests run this file without the generated client.
import type { GrowthFieldsFragment, ValidationReportFieldsFragment } from '@/gql/graphql';

export type ValReport = ValidationReportFieldsFragment;
export type Growth = GrowthFieldsFragment;

/**
 * Confusion matrix of the new classes (rows) against the classes they are most often mistaken for (columns: old
 * classes first in weight order, then other new classes), as the share of each new class's validation images.
 */
export function newClassConfusions(report: ValReport, newUnits: Set<number>, maxCols = 8) {
  const support = new Map(report.perClass.map((c) => [c.unit, c.support]));
  const rowsUnits = [
    ...new Set(report.perClass.filter((c) => newUnits.has(c.unit) && c.support > 0).map((c) => c.unit)),
  ];
  const labelOf = new Map(report.perClass.map((c) => [c.unit, c.label]));
  const mistakes = report.newAsOther.filter((c) => newUnits.has(c.trueUnit) && c.trueUnit !== c.predictedUnit);
  for (const c of mistakes) labelOf.set(c.predictedUnit, c.predictedLabel);
  const colTotals = new Map<number, number>();
  for (const c of mistakes) colTotals.set(c.predictedUnit, (colTotals.get(c.predictedUnit) ?? 0) + c.count);
  const cols = [...colTotals.entries()]
    .sort((a, b) => Number(newUnits.has(a[0])) - Number(newUnits.has(b[0])) || b[1] - a[1])
    .slice(0, maxCols)
    .map(([u]) => u);
  const counts = rowsUnits.map((r) =>
    cols.map((col) =>
      mistakes.filter((c) => c.trueUnit === r && c.predictedUnit === col).reduce((s, c) => s + c.count, 0),
    ),
  );
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
  const counts = rowUnits.map((r) =>
    colUnits.map((col) =>
      items.filter((c) => c.trueUnit === r && c.predictedUnit === col).reduce((s, c) => s + c.count, 0),
    ),
  );
  const values = counts.map((row, i) => row.map((n) => n / Math.max(1, support.get(rowUnits[i]!) ?? 0)));
  return { rows: rowUnits.map((u) => labelOf.get(u)!), cols: colUnits.map((u) => labelOf.get(u)!), values, counts };
}
