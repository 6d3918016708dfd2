// loadClassifier: predictions on the fast path (shared backbone bottleneck on the chosen backend + head matrix),
// giving the same top-1 as the exported TF.js model.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBackbone, type LoadBackboneOptions } from '../backbone/load-backbone.js';
import { ARTIFACT_FORMAT, HEAD_LAYER_NAME, checkHead, type ArtifactManifest } from '../export/export-model.js';
import { preprocess } from '../preprocess/preprocess.js';
import type { Backbone, Head } from '../types.js';
import { predictFromBottleneck, type Prediction } from './head-math.js';

export interface Classifier {
  labels: string[];
  head: Head;
  backbone: Backbone;
  predict(image: Uint8Array | string, topK: number): Promise<Prediction[]>;
  /** Top-K from an already computed bottleneck (e.g. from the BottleneckCache). */
  predictBottleneck(bottleneck: Float32Array, topK: number): Prediction[];
  dispose(): Promise<void>;
}

export type ClassifierSource =
  /** An exported artifact; pass `backbone` to share an already loaded one (used when the ids match). */
  | ({ artifactDir: string; backbone?: Backbone } & LoadBackboneOptions)
  /** The backbone's own head and labels, or a given head (e.g. a freshly grown one). */
  | { backbone: Backbone; head?: Head; labels?: string[] };

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Reads the exported head's kernel and bias straight from weights.bin (no tfjs model needed). */
async function readArtifactHead(dir: string): Promise<Head> {
  const modelJson = await readJson<{
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  }>(join(dir, 'model.json'));
  const group = modelJson.weightsManifest[0];
  if (modelJson.weightsManifest.length !== 1 || group.paths.length !== 1)
    throw new Error(`${dir}: not an exported Accrete model (expects one weights file)`);
  const bin = await readFile(join(dir, group.paths[0]));
  const found: Record<string, { shape: number[]; data: Float32Array }> = {};
  let offset = 0;
  for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new Error(`${dir}: weight ${w.name} is ${w.dtype}, expected float32`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.name.startsWith(`${HEAD_LAYER_NAME}/`)) {
      const data = new Float32Array(n);
      new Uint8Array(data.buffer).set(bin.subarray(offset, offset + n * 4));
      found[w.name.slice(HEAD_LAYER_NAME.length + 1)] = { shape: w.shape, data };
    }
    offset += n * 4;
  }
  if (offset !== bin.length)
    throw new Error(`${dir}: weights.bin has ${bin.length} bytes, model.json describes ${offset}`);
  const kernel = found.kernel;
  const bias = found.bias;
  if (!kernel || !bias) throw new Error(`${dir}: no ${HEAD_LAYER_NAME} kernel/bias in model.json`);
  return { inDim: kernel.shape[0], classes: kernel.shape[1], weights: kernel.data, bias: bias.data };
}

export async function loadClassifier(source: ClassifierSource): Promise<Classifier> {
  let backbone: Backbone;
  let head: Head;
  let labels: string[];
  let ownsBackbone = false;
  if ('artifactDir' in source) {
    const dir = source.artifactDir;
    const manifest = await readJson<ArtifactManifest>(join(dir, 'manifest.json'));
    if (manifest.format !== ARTIFACT_FORMAT)
      throw new Error(`${dir}: manifest format ${String(manifest.format)}, expected ${ARTIFACT_FORMAT}`);
    labels = await readJson<string[]>(join(dir, 'labels.json'));
    if (source.backbone && source.backbone.id === manifest.backboneId) {
      backbone = source.backbone;
      head = await readArtifactHead(dir);
    } else {
      // No compatible backbone at hand: the artifact is a complete model, load it as its own backbone.
      backbone = await loadBackbone(dir, source);
      ownsBackbone = true;
      head = backbone.baseHead;
    }
  } else {
    backbone = source.backbone;
    head = source.head ?? backbone.baseHead;
    labels = source.labels ?? backbone.labels;
  }
  checkHead(head, backbone.bottleneckDim, labels);

  const predictBottleneck = (x: Float32Array, k: number) => predictFromBottleneck(head, labels, x, k);
  return {
    labels,
    head,
    backbone,
    async predict(image, k) {
      const x = await preprocess(image, { size: backbone.inputSize });
      return predictBottleneck(await backbone.computeBottlenecks(x, 1), k);
    },
    predictBottleneck,
    async dispose() {
      if (ownsBackbone) await backbone.dispose();
    },
  };
}
