// Evaluation of a (grown) head on labelled bottlenecks: top-1/top-5 overall, on old and on new classes, retention
// of the parent's correct answers, per-class precision/recall, confusions that involve new classes, and an optional
// roll-up by ancestor. Pure function of logits, so tests and the bench can feed any head.
import { logits as headLogits } from '../growth/matrix.js';
import type { FeatureMatrix } from '../growth/types.js';
import type { Head } from '../types.js';

export interface EvaluationSet {
  x: FeatureMatrix;
  /** True output unit of each row in the evaluated head. */
  unit: Int32Array;
}

export interface EvaluateOptions {
  /** Units that count as "new" (appended or merged into during this growth); the rest are "old". */
  newUnits: Iterable<number>;
  /** The parent head: retention compares the child's answers with the parent's on rows of old classes. */
  parent?: Head;
  /** Maps a label to its ancestor's name for a roll-up (e.g. WordNet parent); optional. */
  ancestor?: (label: string) => string | undefined;
  /** How many confusion pairs to keep (default 30). */
  maxConfusions?: number;
  /** Per user unit, the old units it takes over (growth's per-label decisions, given or default): a prediction of a
   *  declared descendant on the unit's rows is right at "leaf or descendant" level; retention reports the rows of
   *  taken-over units (descendants ∪ winsOver) apart. */
  decisions?: Iterable<[number, { descendants: number[]; winsOver: number[] }]>;
}

export interface Accuracy {
  count: number;
  top1: number;
  top5: number;
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

export interface EvaluationReport {
  overall: Accuracy;
  old: Accuracy;
  new: Accuracy;
  /** On rows of old classes: the parent's top-1, the child's, the drop (parent − child, in points of %),
   *  and the share of the parent's correct answers the child keeps. */
  retention?: RetentionFigures & {
    /** The parent's right answers the child lost, by true class → the child's answer, most first. */
    lost: Confusion[];
    /** Rows of old units a user class takes over (its declared descendants and the units it wins over), apart: the
     *  user chose to let the new class answer there. The figures above leave them out. */
    takenOver: RetentionFigures & { units: number[] };
  };
  perClass: ClassScore[];
  /** New-class rows predicted as something else, and old-class rows predicted as a new class. */
  confusions: { newAsOther: Confusion[]; oldAsNew: Confusion[] };
  /** Top-1 counted at the parent class (given `ancestor`): right when the prediction shares the truth's parent. */
  byAncestor?: { top1: number; count: number };
  /** Top-1 over all rows at the leaf (= overall.top1) and at "leaf or declared descendant". */
  top1Leaf: number;
  top1LeafOrDescendant: number;
  /** The same two per user (new or merged) unit with rows. */
  newLabels: {
    unit: number;
    label: string;
    count: number;
    top1Leaf: number;
    top1LeafOrDescendant: number;
    descendants: number[];
    winsOver: number[];
  }[];
  [k: string]: unknown;
}

export interface RetentionFigures {
  count: number;
  parentTop1: number;
  childTop1: number;
  dropPoints: number;
  kept: number;
  /** Rows the parent got wrong and the child gets right. */
  wonBack: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/** Counts keyed `true:predicted` as confusions, most first. */
function confusionList(pairs: Map<string, number>, labels: string[]): Confusion[] {
  return [...pairs.entries()]
    .map(([key, count]) => {
      const [t, p] = key.split(':').map(Number);
      return { trueUnit: t, trueLabel: labels[t], predictedUnit: p, predictedLabel: labels[p], count };
    })
    .sort((a, b) => b.count - a.count || a.trueUnit - b.trueUnit || a.predictedUnit - b.predictedUnit);
}

/** Top-k units of one row of logits (k small). */
export function topK(z: ArrayLike<number>, offset: number, classes: number, k: number): number[] {
  const best: number[] = [];
  for (let j = 0; j < classes; j++) {
    const v = z[offset + j];
    if (best.length < k || v > z[offset + best[best.length - 1]]) {
      let pos = best.length < k ? best.length : k - 1;
      if (best.length < k) best.push(j);
      while (pos > 0 && z[offset + best[pos - 1]] < v) {
        best[pos] = best[pos - 1];
        pos--;
      }
      best[pos] = j;
    }
  }
  return best;
}

/** Evaluation from precomputed logits (rows × labels.length). `parentTop1` is the parent's answer per row, if known. */
export function evaluateLogits(
  z: Float32Array,
  labels: string[],
  unit: Int32Array,
  opts: EvaluateOptions & { parentTop1?: Int32Array },
): EvaluationReport {
  const c = labels.length;
  const n = unit.length;
  if (z.length !== n * c) throw new Error(`logits have ${z.length} values, expected ${n}×${c}`);
  const isNew = new Set(opts.newUnits);
  const descOf = new Map<number, Set<number>>();
  const decided = new Map<number, { descendants: number[]; winsOver: number[] }>();
  const takenOver = new Set<number>();
  for (const [u, d] of opts.decisions ?? []) {
    decided.set(u, d);
    descOf.set(u, new Set(d.descendants));
    for (const o of [...d.descendants, ...d.winsOver]) takenOver.add(o);
  }
  const leafOrDesc = new Int32Array(c);
  let leafOrDescAll = 0;
  const acc = { all: [0, 0, 0], old: [0, 0, 0], new: [0, 0, 0] }; // count, top1 hits, top5 hits
  const support = new Int32Array(c);
  const predicted = new Int32Array(c);
  const correct = new Int32Array(c);
  const pairs = new Map<string, number>();
  const top1 = new Int32Array(n);
  let anc = 0;
  let ancN = 0;
  for (let i = 0; i < n; i++) {
    const t = unit[i];
    if (t < 0 || t >= c) throw new Error(`row ${i} has true unit ${t}, outside 0..${c - 1}`);
    const best = topK(z, i * c, c, 5);
    const p = best[0];
    top1[i] = p;
    const h1 = p === t ? 1 : 0;
    const h5 = best.includes(t) ? 1 : 0;
    for (const g of [acc.all, isNew.has(t) ? acc.new : acc.old]) {
      g[0]++;
      g[1] += h1;
      g[2] += h5;
    }
    support[t]++;
    predicted[p]++;
    correct[t] += h1;
    const hd = h1 || descOf.get(t)?.has(p) ? 1 : 0;
    leafOrDesc[t] += hd;
    leafOrDescAll += hd;
    if (p !== t && (isNew.has(t) || isNew.has(p))) pairs.set(`${t}:${p}`, (pairs.get(`${t}:${p}`) ?? 0) + 1);
    if (opts.ancestor) {
      const a = opts.ancestor(labels[t]);
      if (a !== undefined) {
        ancN++;
        if (opts.ancestor(labels[p]) === a) anc++;
      }
    }
  }
  const accuracy = (g: number[]): Accuracy => ({ count: g[0], top1: ratio(g[1], g[0]), top5: ratio(g[2], g[0]) });
  const perClass: ClassScore[] = [];
  for (let u = 0; u < c; u++) {
    if (support[u] === 0 && predicted[u] === 0) continue;
    perClass.push({
      unit: u,
      label: labels[u],
      support: support[u],
      predicted: predicted[u],
      correct: correct[u],
      precision: predicted[u] > 0 ? correct[u] / predicted[u] : null,
      recall: support[u] > 0 ? correct[u] / support[u] : null,
    });
  }
  const maxC = opts.maxConfusions ?? 30;
  const confusions = confusionList(pairs, labels);
  const newLabels: EvaluationReport['newLabels'] = [];
  for (const u of [...isNew].sort((a, b) => a - b)) {
    if (u < 0 || u >= c || support[u] === 0) continue;
    const d = decided.get(u);
    newLabels.push({
      unit: u,
      label: labels[u],
      count: support[u],
      top1Leaf: correct[u] / support[u],
      top1LeafOrDescendant: leafOrDesc[u] / support[u],
      descendants: d?.descendants ?? [],
      winsOver: d?.winsOver ?? [],
    });
  }
  const report: EvaluationReport = {
    top1Leaf: ratio(acc.all[1], acc.all[0]),
    top1LeafOrDescendant: ratio(leafOrDescAll, n),
    newLabels,
    overall: accuracy(acc.all),
    old: accuracy(acc.old),
    new: accuracy(acc.new),
    perClass,
    confusions: {
      newAsOther: confusions.filter((x) => isNew.has(x.trueUnit)).slice(0, maxC),
      oldAsNew: confusions.filter((x) => !isNew.has(x.trueUnit)).slice(0, maxC),
    },
  };
  if (opts.parentTop1) {
    const tally = () => ({ count: 0, parentHits: 0, childHits: 0, kept: 0 });
    const kept = tally();
    const apart = tally();
    const lost = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (isNew.has(unit[i])) continue;
      const g = takenOver.has(unit[i]) ? apart : kept;
      g.count++;
      const pOk = opts.parentTop1[i] === unit[i];
      const cOk = top1[i] === unit[i];
      g.parentHits += pOk ? 1 : 0;
      g.childHits += cOk ? 1 : 0;
      if (pOk && cOk) g.kept++;
      if (pOk && !cOk && g === kept) {
        const key = `${unit[i]}:${top1[i]}`;
        lost.set(key, (lost.get(key) ?? 0) + 1);
      }
    }
    const figures = (g: ReturnType<typeof tally>): RetentionFigures => ({
      count: g.count,
      parentTop1: ratio(g.parentHits, g.count),
      childTop1: ratio(g.childHits, g.count),
      dropPoints: 100 * ratio(g.parentHits - g.childHits, g.count),
      kept: ratio(g.kept, g.parentHits),
      wonBack: g.childHits - g.kept,
    });
    report.retention = {
      ...figures(kept),
      lost: confusionList(lost, labels),
      takenOver: { ...figures(apart), units: [...takenOver].sort((a, b) => a - b) },
    };
  }
  if (opts.ancestor) report.byAncestor = { top1: ratio(anc, ancN), count: ancN };
  return report;
}

/** Evaluates `head` (whose units are named by `labels`) on labelled bottlenecks. */
export async function evaluateHead(
  head: Head,
  labels: string[],
  set: EvaluationSet,
  opts: EvaluateOptions,
): Promise<EvaluationReport> {
  if (labels.length !== head.classes) throw new Error(`${labels.length} labels for a head of ${head.classes} classes`);
  const z = await headLogits(head, set.x);
  let parentTop1: Int32Array | undefined;
  if (opts.parent) {
    const pz = await headLogits(opts.parent, set.x);
    parentTop1 = new Int32Array(set.x.n);
    for (let i = 0; i < set.x.n; i++) parentTop1[i] = topK(pz, i * opts.parent.classes, opts.parent.classes, 1)[0];
  }
  return evaluateLogits(z, labels, set.unit, { ...opts, parentTop1 });
}
