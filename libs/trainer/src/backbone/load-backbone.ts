// loadBackbone: a TF.js layers classifier split into a frozen feature extractor (up to global average pooling)
// and its dense head; bottlenecks are computed on the best backend this machine has (logged).
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayersModel, SymbolicTensor, layers as tfLayers } from '@tensorflow/tfjs';
import { tf, initTf, tryWasmTf } from '../backend/tf-runtime.js';
import type { BottleneckEngine } from '../backend/engine.js';
import { tfjsEngine } from '../backend/tfjs-engine.js';
import { onnxEngine } from '../backend/onnx-engine.js';
import { convertToOnnx } from '../onnx/convert.js';
import type { Backbone, ComputeBackendName, Head } from '../types.js';
import { fingerprint } from './fingerprint.js';
import { describeOffThread } from './describe-thread.js';
import { readModelFiles } from './model-files.js';

export interface LoadBackboneOptions {
  backend?: 'auto' | ComputeBackendName;
  /** Where derived files (the ONNX form of the backbone) are cached, keyed by backbone id. */
  cacheDir?: string;
  log?: (m: string) => void;
  /** ONNX backend: run inference on a worker thread, never on the caller's event loop (a serving process). */
  inferenceThread?: boolean;
  /** onnx only: threads per backbone pass (default ONNX_DEFAULT_THREADS; see backend/onnx-engine.ts). */
  threads?: number;
}

/** What export and the classifier need beyond the public Backbone shape. */
export interface BackboneInternals {
  model: LayersModel;
  /** Input → bottleneck sub-model (shares layers with `model`). */
  features: LayersModel;
  bottleneckOutput: SymbolicTensor;
}
const internals = new WeakMap<Backbone, BackboneInternals>();
export function backboneInternals(b: Backbone): BackboneInternals {
  const i = internals.get(b);
  if (!i) throw new Error('not a Backbone made by loadBackbone (or already disposed)');
  return i;
}

export const defaultCacheDir = () => join(tmpdir(), 'accrete-backbones');

function findBottleneck(model: LayersModel): { gap: tfLayers.Layer; head: tfLayers.Layer } {
  const gaps = model.layers.filter((l) => l.getClassName() === 'GlobalAveragePooling2D');
  const gap = gaps[gaps.length - 1];
  if (!gap) throw new Error('model has no GlobalAveragePooling2D layer to take the bottleneck from');
  const after = model.layers.slice(model.layers.indexOf(gap) + 1);
  const head = after.find((l) => l.getWeights().length > 0);
  if (!head) throw new Error(`model has no dense or 1x1 conv classifier after ${gap.name}`);
  return { gap, head };
}

function headFromLayer(layer: tfLayers.Layer, dim: number): Head {
  const [kernel, bias] = layer.getWeights();
  const shape = kernel.shape;
  const classes = shape[shape.length - 1];
  const inDim = shape[shape.length - 2];
  if (inDim !== dim || shape.slice(0, -2).some((s) => s !== 1)) {
    throw new Error(`head ${layer.name} has kernel shape [${shape}], expected [..1, ${dim}, classes]`);
  }
  // Keras kernels [1,1,in,out] / [in,out] are already row-major [inDim][classes].
  return {
    inDim,
    classes,
    weights: Float32Array.from(kernel.dataSync() as Float32Array),
    bias: bias ? Float32Array.from(bias.dataSync() as Float32Array) : new Float32Array(classes),
  };
}

async function readLabels(files: Awaited<ReturnType<typeof readModelFiles>>, classes: number): Promise<string[]> {
  const parse = (b: Uint8Array | undefined) => (b ? (JSON.parse(new TextDecoder().decode(b)) as unknown) : undefined);
  const direct = parse(await files.sidecar('labels.json'));
  const meta = parse(await files.sidecar('metadata.json')) as { labels?: unknown } | undefined;
  const labels = Array.isArray(direct) ? direct : meta?.labels;
  if (!Array.isArray(labels)) return Array.from({ length: classes }, (_, i) => `class ${i}`);
  if (labels.length !== classes) throw new Error(`labels list has ${labels.length} names for ${classes} output units`);
  return labels.map(String);
}

/** Writes the ONNX form of the backbone once per id (temp file + rename, so readers never see half a file). */
export async function ensureOnnxFile(
  features: LayersModel,
  id: string,
  cacheDir: string,
  log: (m: string) => void,
): Promise<string> {
  // .v2: the graph also outputs the feature map (files written before that lack it and are not reused)
  const path = join(cacheDir, `${id}.v2.onnx`);
  if (existsSync(path)) return path;
  await mkdir(cacheDir, { recursive: true });
  const t0 = Date.now();
  const bytes = convertToOnnx(features, { docString: `bottleneck of backbone ${id}` });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  log(
    `converted backbone ${id.slice(0, 12)} to ONNX (${(bytes.length / 1e6).toFixed(1)} MB, ${Date.now() - t0} ms): ${path}`,
  );
  return path;
}

/** The layers model read from `source`, split at its bottleneck, with what describes it. */
async function readBackbone(source: string) {
  const files = await readModelFiles(source);
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: files.modelJson.modelTopology as object,
      weightSpecs: files.weightSpecs,
      weightData: files.weightData,
      format: files.modelJson.format,
      generatedBy: files.modelJson.generatedBy,
      convertedBy: files.modelJson.convertedBy ?? undefined,
    }),
  });
  const { gap, head } = findBottleneck(model);
  const bottleneckOutput = gap.output as SymbolicTensor;
  const features = tf.model({ inputs: model.inputs, outputs: bottleneckOutput });
  const [, size, size2, ch] = model.inputs[0].shape;
  if (size == null || size !== size2 || ch !== 3)
    throw new Error(`expected a square RGB input, got [${model.inputs[0].shape}]`);
  const dim = bottleneckOutput.shape[1] as number;
  const baseHead = headFromLayer(head, dim);
  const labels = await readLabels(files, baseHead.classes);
  return {
    model,
    features,
    bottleneckOutput,
    description: {
      id: fingerprint(features),
      filesSha256: files.filesSha256,
      source,
      labels,
      inputSize: size,
      bottleneckDim: dim,
      bottleneckLayer: gap.name,
      headLayer: head.name,
      baseHead,
    },
  };
}

/** What a backbone is, without its engine: all a process that only predicts keeps of it (plus its ONNX file). */
export type BackboneDescription = Omit<
  Backbone,
  'backend' | 'preferredBatch' | 'computeBottlenecks' | 'computeFeatureMaps' | 'dispose'
>;

/**
 * Runs on the describing worker thread (backbone/describe-thread.ts): reads the model with tfjs and writes its
 * ONNX form, so the serving thread never loads tfjs nor parses the weights. `onnxPath` null: the backend chosen is
 * not onnx (a native or wasm tfjs engine runs where it is loaded), or the conversion failed (loadBackbone retries
 * in-thread and reports why).
 */
export async function describeForServing(
  source: string,
  opts: Pick<LoadBackboneOptions, 'backend' | 'cacheDir' | 'log'>,
): Promise<{ description: BackboneDescription; onnxPath: string | null } | null> {
  const want = opts.backend ?? 'auto';
  if (want !== 'auto' && want !== 'onnx') return null;
  const rt = await initTf({ allowNative: want === 'auto', log: opts.log });
  if (rt.native) return null;
  const { model, features, description } = await readBackbone(source);
  try {
    const onnxPath = await ensureOnnxFile(
      features,
      description.id,
      opts.cacheDir ?? defaultCacheDir(),
      opts.log ?? (() => {}),
    ).catch(() => null);
    return { description, onnxPath };
  } finally {
    model.dispose();
  }
}

export async function loadBackbone(source: string, opts: LoadBackboneOptions = {}): Promise<Backbone> {
  if (opts.inferenceThread) {
    // A serving process: tfjs, the weights and the conversion stay off its event loop (and out of its heap, the
    // describing thread ends); only the ONNX session's thread remains.
    const served = await servingBackbone(source, opts);
    if (served) return served;
  }
  const log = opts.log ?? (() => {});
  const want = opts.backend ?? 'auto';
  const rt = await initTf({ allowNative: want === 'auto' || want === 'tfjs-node' || want === 'tfjs-node-gpu', log });
  const { model, features, bottleneckOutput, description } = await readBackbone(source);
  const { id, labels, inputSize: size, bottleneckDim: dim } = description;

  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  let engine: BottleneckEngine | undefined;
  const failures: string[] = [];
  const tryOnnx = async () => {
    try {
      engine = await onnxEngine(await ensureOnnxFile(features, id, cacheDir, log), size, dim, {
        thread: opts.inferenceThread,
        threads: opts.threads,
      });
    } catch (err) {
      failures.push(`onnx: ${(err as Error).message}`);
    }
  };
  if (want === 'auto') {
    if (rt.native) engine = tfjsEngine(rt.native, features, size);
    else await tryOnnx();
    if (!engine && (rt.tfBackend === 'wasm' || (await tryWasmTf(log)))) engine = tfjsEngine('wasm', features, size);
  } else if (want === 'onnx') {
    await tryOnnx();
  } else if (want === 'wasm') {
    if (tf.getBackend() === 'wasm' || (await tryWasmTf(log))) engine = tfjsEngine('wasm', features, size);
  } else if (rt.native === want) {
    engine = tfjsEngine(want, features, size);
  } else {
    failures.push(`${want}: not loadable (see log)`);
  }
  if (!engine) {
    model.dispose();
    throw new Error(`no compute backend for ${want}${failures.length ? `: ${failures.join('; ')}` : ''}`);
  }
  const chosen = engine;
  log(
    `backbone ${id.slice(0, 12)} from ${source}: ${labels.length} classes, bottleneck ${description.bottleneckLayer} (${dim}-d), backend ${chosen.name} (tfjs: ${tf.getBackend()})`,
  );
  const backbone = backboneOf(description, chosen, () => model.dispose());
  internals.set(backbone, { model, features, bottleneckOutput });
  return backbone;
}

function backboneOf(description: BackboneDescription, engine: BottleneckEngine, release?: () => void): Backbone {
  const backbone: Backbone = {
    ...description,
    backend: engine.name,
    preferredBatch: engine.preferredBatch,
    computeBottlenecks: (input, n) => engine.run(input, n),
    ...(engine.runMaps ? { computeFeatureMaps: engine.runMaps.bind(engine) } : {}),
    async dispose() {
      internals.delete(backbone);
      await engine.dispose();
      release?.();
    },
  };
  return backbone;
}

/** The onnx engine on a worker thread over a description read on another (null: load in-thread as usual). */
async function servingBackbone(source: string, opts: LoadBackboneOptions): Promise<Backbone | null> {
  const log = opts.log ?? (() => {});
  const described = await describeOffThread(source, opts);
  if (!described?.onnxPath) return null;
  const { description, onnxPath } = described;
  let engine: BottleneckEngine;
  try {
    engine = await onnxEngine(onnxPath, description.inputSize, description.bottleneckDim, {
      thread: true,
      threads: opts.threads,
    });
  } catch (err) {
    log(`onnx session failed (${(err as Error).message}): loading the backbone in this thread`);
    return null;
  }
  log(
    `backbone ${description.id.slice(0, 12)} from ${source}: ${description.labels.length} classes, bottleneck ${description.bottleneckLayer} (${description.bottleneckDim}-d), backend onnx on a worker thread (tfjs not loaded here)`,
  );
  return backboneOf(description, engine);
}
