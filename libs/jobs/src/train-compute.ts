// The compute half of a training job: everything between "inputs gathered from the registry" and "a model directory
// on disk". No database access: it runs in the training process (see trainer-process.ts), which cannot open the
// embedded PGlite database and must not share the API's event loop. It gets a self-contained spec (image paths,
// labels, the parent's artifact dir, the taxonomy parents) and returns plain data; progress goes out through a hook.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BottleneckCache,
  DEFAULT_AUGMENTATIONS,
  defaultViews,
  extraPasses,
  exportModel,
  growVersion,
  loadBackbone,
  loadClassifier,
  type Backbone,
  type ComputeBackendName,
  type EvaluationReport,
  type GrowOptions,
  type GrowRequest,
  type GrowResult,
  type GrowthStrategy,
  type Head,
  type LabelledImage,
} from '@accrete/trainer';
import { JobInputError } from './params.js';
import { jobPlan, type Span } from './progress-plan.js';
import { loadRehearsalSets } from './rehearsal.js';
import { evaluateRetention, type RetentionMetrics } from './retention.js';
import { ancestorsByLabel } from './taxonomy-parents.js';

export interface ComputeSpec {
  jobId: string;
  versionId: string;
  backbone: { source: string; backend: 'auto' | ComputeBackendName; cacheDir: string };
  bottlenecksDir: string;
  rehearsalDir: string;
  parent: {
    id: string;
    number: number;
    /** null for an imported base version: its head and labels are the backbone's own. */
    artifactDir: string | null;
    /** Output units the registry lists for the parent (checked against its head). */
    classCount: number;
    /** The parent's labels as the child is to call its units (user classes by today's name,
     *  taxonomy-parents.ts currentParentLabels); absent: its export's labels.json. */
    labels?: string[];
    /** Taxonomy parent name of each parent unit's class (index = unit). */
    unitAncestors: (string | null)[];
    /** Base units the lineage's growths let new classes take over (lineage-classes.ts lineageTakenOverUnits). */
    lineageTakenOver: number[];
  };
  /** label: the dataset label its images carry; name: the class's name, which the grown head's unit is called by. */
  newClasses: { label: string; name: string; ancestor: string | null }[];
  mergeInto: Record<string, number>;
  /** Per new label, the parent units it takes over (trainer GrowRequest.labelDecisions). */
  labelDecisions?: GrowRequest['labelDecisions'];
  train: LabelledImage[];
  val: LabelledImage[];
  strategy: GrowthStrategy;
  options: GrowOptions & Record<string, unknown>;
  /** Where the exported model directory is written (must not exist yet). */
  outDir: string;
  manifest: { datasetVersionId: string; options: unknown };
  /** Written as taxonomy.json beside labels.json (class → parent chain per unit, see class-chains.ts). */
  taxonomy?: unknown;
}

export interface ComputeResult {
  classes: number;
  labels: number;
  evaluation: EvaluationReport;
  timings: Record<string, number>;
  details: Record<string, unknown>;
  retention: RetentionMetrics | null;
  /** The take-over decisions in force per new label (given, or the trainer's default). */
  decisions: GrowResult['decisions'];
  /** Seconds per step of the compute half (load, grow, retention, export). */
  steps: Record<string, number>;
  backend: string;
}

/** A backbone's description, without its weights (what the registry records when seeding). */
export type BackboneInfo = Pick<
  Backbone,
  'id' | 'source' | 'labels' | 'inputSize' | 'bottleneckDim' | 'bottleneckLayer' | 'headLayer' | 'backend'
>;

export function backboneInfo(b: Backbone): BackboneInfo {
  const { id, source, labels, inputSize, bottleneckDim, bottleneckLayer, headLayer, backend } = b;
  return { id, source, labels, inputSize, bottleneckDim, bottleneckLayer, headLayer, backend };
}

export interface ComputeHooks {
  /** Progress of a step covering `span` of the whole job's bar. */
  onProgress?: (phase: string, fraction: number, span: Span, extra?: { loss?: number; step?: number }) => void;
  /** Set-up (backbone, inputs) is done: ETAs may extrapolate from here. */
  onEstimating?: () => void;
  log?: (m: string) => void;
  signal?: AbortSignal;
}

// Before the inputs are known, preparing covers the first 2% of the bar.
const PREPARE: Span = [0, 0.02];

const backbones = new Map<string, Promise<Backbone>>();
const caches = new Map<string, BottleneckCache>();

/** One backbone per (source, backend) per process, loaded on first use. */
export function computeBackbone(b: ComputeSpec['backbone'], log?: (m: string) => void): Promise<Backbone> {
  const key = `${b.source}|${b.backend}`;
  let p = backbones.get(key);
  if (!p) {
    // One onnx thread: this process mostly extracts, and the decodes (sharp, libuv threads) fill the other core; two
    // intra-op threads made every conv a sync point with them and cost ~2 CPU ms more per image (trainer README).
    p = loadBackbone(b.source, { backend: b.backend, cacheDir: b.cacheDir, log, threads: 1 });
    backbones.set(key, p);
    p.catch(() => backbones.delete(key));
  }
  return p;
}

export async function disposeComputeBackbones(): Promise<void> {
  const all = [...backbones.values()];
  backbones.clear();
  for (const p of all)
    await p.then(
      (b) => b.dispose(),
      () => undefined,
    );
}

function cacheAt(dir: string): BottleneckCache {
  let c = caches.get(dir);
  if (!c) caches.set(dir, (c = new BottleneckCache(dir)));
  return c;
}

export async function runCompute(spec: ComputeSpec, hooks: ComputeHooks = {}): Promise<ComputeResult> {
  const report = hooks.onProgress ?? (() => {});
  const check = () => {
    if (hooks.signal?.aborted) throw hooks.signal.reason;
  };
  const steps: Record<string, number> = {};
  let stepStart = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    steps[name] = (now - stepStart) / 1000;
    stepStart = now;
  };

  report('preparing', 0.5, PREPARE);
  const backbone = await computeBackbone(spec.backbone, hooks.log);
  check();
  const loaded = await loadParentModel(backbone, spec.parent);
  if (spec.parent.labels && spec.parent.labels.length !== loaded.labels.length) {
    throw new JobInputError(
      `parent version ${spec.parent.number} has ${loaded.labels.length} labels, the registry named ${spec.parent.labels.length}`,
    );
  }
  const parent = spec.parent.labels ? { ...loaded, labels: spec.parent.labels } : loaded;
  if (spec.parent.classCount !== parent.head.classes || parent.labels.length !== parent.head.classes) {
    throw new JobInputError(
      `parent version ${spec.parent.number} lists ${spec.parent.classCount} classes but its head has ${parent.head.classes} units (${parent.labels.length} labels)`,
    );
  }
  const sets = await loadRehearsalSets(spec.rehearsalDir);
  const augmentations = spec.options.augmentations ?? DEFAULT_AUGMENTATIONS;
  const plan = jobPlan({
    train: spec.train.length,
    rehearsal: sets.rehearsal.length,
    val: spec.val.length,
    retention: sets.retention?.length ?? 0,
    extraPasses: extraPasses(spec.options.views ?? defaultViews(backbone), augmentations),
  });
  report('preparing', 1, plan.span('preparing'));
  hooks.onEstimating?.();
  check();
  const byName = trainerLabels(spec);
  const ancestors = ancestorsByLabel([
    ...parent.labels.map((label, u) => ({ label, parent: spec.parent.unitAncestors[u] })),
    ...spec.newClasses.map((c) => ({ label: c.name, parent: c.ancestor })),
  ]);
  const cache = cacheAt(spec.bottlenecksDir);
  lap('load');

  const result = await growVersion({
    backbone,
    parent,
    newClasses: spec.newClasses.map((c) => c.name),
    mergeInto: spec.mergeInto,
    ...(byName.labelDecisions ? { labelDecisions: byName.labelDecisions } : {}),
    train: byName.train,
    val: byName.val,
    rehearsal: sets.rehearsal,
    strategy: spec.strategy,
    // The registry already decided merge vs new: no merging by name behind its back.
    options: { ...spec.options, autoMerge: false },
    cache,
    onProgress: (p) => {
      const span = plan.trainerSpan(p.phase);
      report(p.phase, span && p.total > 0 ? p.done / p.total : 0, span ?? [0, 0], { loss: p.loss, step: p.done });
    },
    signal: hooks.signal,
    ancestorOf: (label) => ancestors.get(label),
  });
  check();
  const expected = parent.head.classes + spec.newClasses.length;
  if (result.head.classes !== expected || result.labels.length !== expected) {
    throw new Error(
      `trainer returned ${result.head.classes} units / ${result.labels.length} labels, expected ${expected}`,
    );
  }
  lap('grow');

  let retention: RetentionMetrics | null = null;
  if (sets.retention?.length) {
    retention = await evaluateRetention({
      backbone,
      images: sets.retention,
      parent: parent.head,
      head: result.head,
      cache,
      signal: hooks.signal,
      takenOver: takenOverUnits(result.details, byName.labelDecisions),
      base: backbone.baseHead, // every lineage starts at an imported base: the backbone's own head
      lineageTakenOver: spec.parent.lineageTakenOver,
      onProgress: (done, total) => report('evaluating retention', total ? done / total : 1, plan.span('retention')),
    });
  }
  check();
  lap('retention');

  report('exporting', 0, plan.span('export'));
  await exportModel(
    backbone,
    result.head,
    result.labels,
    spec.outDir,
    {
      versionId: spec.versionId,
      jobId: spec.jobId,
      parentVersion: spec.parent.id,
      strategy: spec.strategy,
      datasetVersionId: spec.manifest.datasetVersionId,
      backboneId: backbone.id,
      options: spec.manifest.options,
    },
    spec.taxonomy,
  );
  lap('export');
  return {
    classes: result.head.classes,
    labels: result.labels.length,
    evaluation: result.evaluation,
    timings: result.timings,
    details: result.details,
    retention,
    decisions: result.decisions,
    steps,
    backend: backbone.backend,
  };
}

/** Where a base version is scored: the backbone's own head on the held-out retention photos. */
export interface BaseScoreSpec {
  backbone: ComputeSpec['backbone'];
  bottlenecksDir: string;
  rehearsalDir: string;
}

export type BaseScore = { images: number; top1: number; top5: number } | null;

/**
 * The base version's top-1/top-5 on the retention photos (odd class indices of the rehearsal dir's index.csv), or
 * null when there are none. The bottlenecks land in the shared cache, so the first job's retention probe reuses them.
 */
export async function scoreBase(spec: BaseScoreSpec, log?: (m: string) => void): Promise<BaseScore> {
  const sets = await loadRehearsalSets(spec.rehearsalDir);
  if (!sets.retention?.length) return null;
  const backbone = await computeBackbone(spec.backbone, log);
  const head = backbone.baseHead;
  const m = await evaluateRetention({
    backbone,
    images: sets.retention,
    parent: head,
    head,
    cache: cacheAt(spec.bottlenecksDir),
  });
  return { images: m.images, top1: m.top1, top5: m.top5 };
}

/** Parent units new classes took over: the trainer's figure when it gives one, else the decisions the request gave. */
function takenOverUnits(details: Record<string, unknown>, given: ComputeSpec['labelDecisions']): number[] {
  const fromTrainer = details.takenOverUnits;
  if (Array.isArray(fromTrainer) && fromTrainer.every((u) => Number.isInteger(u))) return fromTrainer as number[];
  const units = new Set<number>();
  for (const d of Object.values(given ?? {}))
    for (const u of [...(d.descendants ?? []), ...(d.winsOver ?? [])]) units.add(u);
  return [...units];
}

/**
 * The request in the trainer's label space, where a new class is keyed by its name (the registry checked names: unique,
 * with letters): its unit in labels.json, predictions and reports is called what the user named it, and two dataset
 * labels that differ only in case, or a label with no letters, train as the classes they were named. Merged labels
 * and earlier classes' images (which carry their unit) keep their labels.
 */
export function trainerLabels(
  spec: Pick<ComputeSpec, 'newClasses' | 'mergeInto' | 'labelDecisions' | 'train' | 'val'>,
) {
  const nameOf = new Map(spec.newClasses.map((c) => [c.label, c.name]));
  for (const c of spec.newClasses)
    if (c.name in spec.mergeInto)
      throw new JobInputError(
        `new class "${c.name}" has the name of a label merged into unit ${spec.mergeInto[c.name]}`,
      );
  const rename = (img: LabelledImage): LabelledImage => {
    const name = img.unit === undefined ? nameOf.get(img.label) : undefined;
    return name === undefined ? img : { ...img, label: name };
  };
  const labelDecisions =
    spec.labelDecisions &&
    Object.fromEntries(Object.entries(spec.labelDecisions).map(([label, d]) => [nameOf.get(label) ?? label, d]));
  return { train: spec.train.map(rename), val: spec.val.map(rename), labelDecisions };
}

/** The head + labels a job grows from: the backbone's own head for an imported base, else the parent's export. */
export async function loadParentModel(
  backbone: Backbone,
  parent: Pick<ComputeSpec['parent'], 'number' | 'artifactDir'>,
): Promise<{ head: Head; labels: string[] }> {
  if (!parent.artifactDir) return { head: backbone.baseHead, labels: backbone.labels };
  const dir = parent.artifactDir;
  let manifest: { backboneId?: string };
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new JobInputError(
      `cannot read the exported model of parent version ${parent.number} in ${dir}: ${(err as Error).message}`,
    );
  }
  if (manifest.backboneId !== backbone.id) {
    throw new JobInputError(
      `parent version ${parent.number} was exported from backbone ${manifest.backboneId}, this worker has ${backbone.id}`,
    );
  }
  // Same backbone: the classifier only reads the head matrix and labels from the artifact.
  const clf = await loadClassifier({ artifactDir: dir, backbone });
  try {
    return { head: clf.head, labels: clf.labels };
  } finally {
    await clf.dispose();
  }
}
