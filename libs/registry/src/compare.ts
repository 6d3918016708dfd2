// Version diff: classes added/removed, metric deltas per evaluation, per-class metric deltas.
import type { PrismaClient } from '@accrete/db';
import { getVersion } from './models.js';
import { badInput, conflict } from '@accrete/errors';
import { classNodesById } from '@accrete/taxonomy-store';

export interface MetricValue {
  name: string;
  value: number;
}

/** Per-class tables in a report: keys whose value maps labels to objects of numbers (or arrays of {label,…}). */
const PER_CLASS_KEYS = /^(perClass|per_class|classes|perLabel)$/i;

/** A group measured on no images ({count: 0, top1: 0…} or {images: 0…}): its rates are absent, not 0. */
const EMPTY_GROUP_KEYS = ['count', 'images'] as const;
const emptyGroupSize = (o: Record<string, unknown>) => EMPTY_GROUP_KEYS.find((k) => o[k] === 0);

/** Numeric leaves of a metrics JSON as dotted names, skipping per-class tables and long arrays (confusions); a group
 *  over zero images keeps only its size, so a comparison shows its rates as absent (null) rather than 0. */
export function flattenMetrics(metrics: unknown, prefix = ''): MetricValue[] {
  const out: MetricValue[] = [];
  if (metrics == null || typeof metrics !== 'object' || Array.isArray(metrics)) return out;
  const empty = emptyGroupSize(metrics as Record<string, unknown>);
  if (empty) return [{ name: prefix ? `${prefix}.${empty}` : empty, value: 0 }];
  for (const [k, v] of Object.entries(metrics as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ name, value: v });
    else if (v && typeof v === 'object' && !Array.isArray(v) && !PER_CLASS_KEYS.test(k))
      out.push(...flattenMetrics(v, name));
  }
  return out;
}

/** label → metric → value from the per-class table of a report, whatever its exact shape. */
export function perClassMetrics(metrics: unknown): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  if (!metrics || typeof metrics !== 'object') return out;
  for (const [k, table] of Object.entries(metrics as Record<string, unknown>)) {
    if (!PER_CLASS_KEYS.test(k) || !table || typeof table !== 'object') continue;
    const rows: [string, unknown][] = Array.isArray(table)
      ? table.map((r) => [String((r as { label?: unknown }).label ?? ''), r])
      : Object.entries(table);
    for (const [label, row] of rows) {
      if (!label || !row || typeof row !== 'object') continue;
      const m = out.get(label) ?? new Map<string, number>();
      for (const [mk, mv] of Object.entries(row as Record<string, unknown>))
        if (typeof mv === 'number' && Number.isFinite(mv)) m.set(mk, mv);
      out.set(label, m);
    }
  }
  return out;
}

const delta = (a: number | null, b: number | null) => (a != null && b != null ? b - a : null);

/** Metrics that are shares of images (0..1, shown as percentages), by the last part of their name; every other number
 *  (counts, rows, points, seconds, losses, the knob and its shift) is shown as it is. An allow-list: a figure a
 *  report adds later reads as a plain number until it is listed, never as "200000 %". */
const SHARE =
  /^(top\d+|top1Leaf|top1LeafOrDescendant|\w*Top1|kept|agreement|recall|precision|accuracy|heldOutAccuracy|heldOutChanged|share)$/;
export const isShareMetric = (name: string) => SHARE.test(name.slice(name.lastIndexOf('.') + 1));

/**
 * A report's per-class rows keyed by the class they measure: a row that names its output unit is that unit's class in
 * the version (so a class renamed between two versions' evaluations stays one row, and one label naming two different
 * classes, e.g. a new class given a renamed class's old name, makes two); a row without a unit stays keyed by its label.
 */
function byClass(
  rows: Map<string, Map<string, number>>,
  classes: { classNodeId: string; outputUnit: number }[],
): Map<string, Map<string, number>> {
  const nodeOf = new Map(classes.map((c) => [c.outputUnit, c.classNodeId]));
  const out = new Map<string, Map<string, number>>();
  for (const [label, m] of rows) {
    const unit = m.get('unit');
    const node = unit === undefined ? undefined : nodeOf.get(unit);
    out.set(node ? `class:${node}` : `label:${label}`, m);
  }
  return out;
}

export async function compareVersions(prisma: PrismaClient, aId: string, bId: string) {
  const [a, b] = [await getVersion(prisma, aId), await getVersion(prisma, bId)];
  if (a.modelId !== b.modelId) throw badInput('both versions must belong to the same model');
  // a version that never became READY has no classes or evaluations: diffing it would report everything as removed
  for (const v of [a, b])
    if (v.status !== 'READY')
      throw conflict(`version ${v.number} is ${v.status}; only READY versions compare`, { id: v.id, status: v.status });
  const [ca, cb] = await Promise.all(
    [a.id, b.id].map((id) =>
      prisma.versionClass.findMany({ where: { versionId: id }, select: { classNodeId: true, outputUnit: true } }),
    ),
  );
  const sa = new Set(ca.map((c) => c.classNodeId));
  const sb = new Set(cb.map((c) => c.classNodeId));
  const [ea, eb] = await Promise.all(
    [a.id, b.id].map((id) => prisma.evaluation.findMany({ where: { versionId: id } })),
  );
  const byName = (es: typeof ea) => new Map(es.map((e) => [e.name, e.metrics]));
  const ma = byName(ea);
  const mb = byName(eb);
  const names = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  const metricDeltas = [];
  const perClassDeltas = [];
  for (const ev of names) {
    const fa = new Map(flattenMetrics(ma.get(ev)).map((m) => [m.name, m.value]));
    const fb = new Map(flattenMetrics(mb.get(ev)).map((m) => [m.name, m.value]));
    for (const metric of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
      const x = fa.get(metric) ?? null;
      const y = fb.get(metric) ?? null;
      metricDeltas.push({ evaluation: ev, metric, a: x, b: y, delta: delta(x, y), isShare: isShareMetric(metric) });
    }
    const pa = byClass(perClassMetrics(ma.get(ev)), ca);
    const pb = byClass(perClassMetrics(mb.get(ev)), cb);
    const keys = [...new Set([...pa.keys(), ...pb.keys()])];
    // the classes' names today (the class-node cache)
    const nodes = await classNodesById(
      prisma,
      keys.filter((k) => k.startsWith('class:')).map((k) => k.slice(6)),
    );
    const labelOf = (k: string) => (k.startsWith('class:') ? (nodes.get(k.slice(6))?.name ?? k.slice(6)) : k.slice(6));
    const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    for (const key of keys.sort((x, y) => order(labelOf(x), labelOf(y)) || order(x, y))) {
      const label = labelOf(key);
      const ra = pa.get(key) ?? new Map();
      const rb = pb.get(key) ?? new Map();
      for (const metric of [...new Set([...ra.keys(), ...rb.keys()])].sort()) {
        const x = ra.get(metric) ?? null;
        const y = rb.get(metric) ?? null;
        perClassDeltas.push({
          evaluation: ev,
          label,
          metric,
          a: x,
          b: y,
          delta: delta(x, y),
          isShare: isShareMetric(metric),
        });
      }
    }
  }
  return {
    aId: a.id,
    bId: b.id,
    addedClassNodeIds: [...sb].filter((id) => !sa.has(id)),
    removedClassNodeIds: [...sa].filter((id) => !sb.has(id)),
    metricDeltas,
    perClassDeltas,
  };
}
