// exportModel: a standalone TF.js layers model (frozen backbone up to the bottleneck + the grown dense head with
// softmax over all classes) that plain tf.loadLayersModel loads, plus labels.json and manifest.json.
// Written into a temp directory that is renamed into place: an artifact directory is complete or absent.
import { redactPaths, sha256Hex as sha256 } from '@accrete/primitives';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SymbolicTensor, io } from '@tensorflow/tfjs';
import { tf } from '../backend/tf-runtime.js';
import { backboneInternals } from '../backbone/load-backbone.js';
import type { Backbone, Head } from '../types.js';

export const HEAD_LAYER_NAME = 'accrete_head';
export const ARTIFACT_FORMAT = 'accrete-model/1';

export interface ExportManifestInput {
  parentVersion?: string;
  strategy?: string;
  [k: string]: unknown;
}

export interface ArtifactManifest extends ExportManifestInput {
  format: typeof ARTIFACT_FORMAT;
  created: string;
  backboneId: string;
  backboneSource: string;
  bottleneckLayer: string;
  headLayer: string;
  inputSize: number;
  classes: number;
  /** sha256 of every other file in the directory. */
  files: Record<string, string>;
}

export function checkHead(head: Head, inDim: number, labels: string[]): void {
  if (head.inDim !== inDim) throw new Error(`head takes ${head.inDim}-d input, backbone gives ${inDim}-d bottlenecks`);
  if (head.weights.length !== head.inDim * head.classes)
    throw new Error(`head weights have ${head.weights.length} values, expected ${head.inDim}x${head.classes}`);
  if (head.bias.length !== head.classes)
    throw new Error(`head bias has ${head.bias.length} values, expected ${head.classes}`);
  if (labels.length !== head.classes) throw new Error(`${labels.length} labels for ${head.classes} output units`);
}

/** Serialises a layers model to model.json + weights.bin bytes (tfjs' file:// handler needs tfjs-node). */
async function serialise(model: tf.LayersModel): Promise<{ modelJson: Uint8Array; weights: Uint8Array }> {
  let artifacts: io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightSpecs || !artifacts.weightData) throw new Error('internal: model.save gave no weights');
  const weights = new Uint8Array(new tf.io.CompositeArrayBuffer(artifacts.weightData).slice());
  const json = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: 'accrete-trainer',
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  return { modelJson: new TextEncoder().encode(JSON.stringify(json)), weights };
}

export async function exportModel(
  backbone: Backbone,
  head: Head,
  labels: string[],
  outDir: string,
  manifest: ExportManifestInput = {},
  /** Written as taxonomy.json beside labels.json (class → parent chain per unit), so a plain TF.js client can roll up. */
  taxonomy?: unknown,
): Promise<{ files: Record<string, string> }> {
  checkHead(head, backbone.bottleneckDim, labels);
  if (existsSync(outDir)) throw new Error(`artifact directory ${outDir} already exists (versions are immutable)`);
  const { model, bottleneckOutput } = backboneInternals(backbone);

  const dense = tf.layers.dense({
    units: head.classes,
    activation: 'softmax',
    name: HEAD_LAYER_NAME,
    weights: [tf.tensor2d(head.weights, [head.inDim, head.classes]), tf.tensor1d(head.bias)],
  });
  const exported = tf.model({
    inputs: model.inputs,
    outputs: dense.apply(bottleneckOutput) as SymbolicTensor,
    name: 'accrete_classifier',
  });
  let bytes: { modelJson: Uint8Array; weights: Uint8Array };
  try {
    bytes = await serialise(exported);
  } finally {
    dense.dispose(); // frees the head weights; the backbone's layers stay with the backbone
  }

  const labelsBytes = new TextEncoder().encode(JSON.stringify(labels, null, 1));
  const files: Record<string, string> = {
    'model.json': sha256(bytes.modelJson),
    'weights.bin': sha256(bytes.weights),
    'labels.json': sha256(labelsBytes),
  };
  const taxonomyBytes = taxonomy === undefined ? null : new TextEncoder().encode(JSON.stringify(taxonomy) + '\n');
  if (taxonomyBytes) files['taxonomy.json'] = sha256(taxonomyBytes);
  const full: ArtifactManifest = {
    ...manifest,
    format: ARTIFACT_FORMAT,
    created: new Date().toISOString(),
    backboneId: backbone.id,
    // the export leaves the server: it names the backbone, not the server's directory layout
    backboneSource: redactPaths(backbone.source),
    bottleneckLayer: backbone.bottleneckLayer,
    headLayer: HEAD_LAYER_NAME,
    inputSize: backbone.inputSize,
    classes: head.classes,
    files,
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(full, null, 2) + '\n');

  await mkdir(dirname(outDir), { recursive: true });
  const tmp = join(dirname(outDir), `.${basename(outDir)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await mkdir(tmp);
    await writeFile(join(tmp, 'model.json'), bytes.modelJson);
    await writeFile(join(tmp, 'weights.bin'), bytes.weights);
    await writeFile(join(tmp, 'labels.json'), labelsBytes);
    if (taxonomyBytes) await writeFile(join(tmp, 'taxonomy.json'), taxonomyBytes);
    await writeFile(join(tmp, 'manifest.json'), manifestBytes);
    await rename(tmp, outDir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { files: { ...files, 'manifest.json': sha256(manifestBytes) } };
}
