// Reads a TF.js layers model (model.json + weight shards) from a directory or an http(s) URL, hashing as it reads.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs';

export interface ModelFiles {
  /** Parsed model.json. */
  modelJson: ModelJson;
  /** Concatenated weight data in manifest order (what tf.io expects). */
  weightData: ArrayBuffer;
  weightSpecs: io.WeightsManifestEntry[];
  /** sha256 of model.json bytes followed by every weight file in manifest order. */
  filesSha256: string;
  /** Optional sidecar files beside model.json (labels). */
  sidecar(name: string): Promise<Uint8Array | undefined>;
}

export interface ModelJson {
  modelTopology: unknown;
  weightsManifest: io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Splits a source into a base location and the model.json name; a source may name model.json or its folder. */
function locate(source: string): { base: string; modelName: string } {
  const trimmed = source.replace(/\/+$/, '');
  if (/\.json$/i.test(trimmed)) {
    const i = trimmed.lastIndexOf('/');
    return { base: trimmed.slice(0, i), modelName: trimmed.slice(i + 1) };
  }
  return { base: trimmed, modelName: 'model.json' };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function readModelFiles(source: string): Promise<ModelFiles> {
  const { base, modelName } = locate(source);
  const url = isUrl(source);
  const get = (name: string) =>
    url ? fetchBytes(`${base}/${name}`) : readFile(join(base, name)).then((b) => new Uint8Array(b));
  let modelBytes: Uint8Array;
  try {
    modelBytes = await get(modelName);
  } catch (err) {
    throw new Error(`cannot read ${modelName} from ${source}: ${(err as Error).message}`);
  }
  let modelJson: ModelJson;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(modelBytes)) as ModelJson;
  } catch {
    throw new Error(`${source}: ${modelName} is not valid JSON`);
  }
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`${source}: ${modelName} is not a TF.js layers model (needs modelTopology and weightsManifest)`);
  }
  const hash = createHash('sha256').update(modelBytes);
  const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
  // Shards are fetched concurrently but hashed and concatenated in manifest order.
  const shards = await Promise.all(
    paths.map((p) =>
      get(p).catch((err: Error) => {
        throw new Error(`${source}: cannot read weight file ${p}: ${err.message}`);
      }),
    ),
  );
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const s of shards) {
    hash.update(s);
    weightData.set(s, off);
    off += s.byteLength;
  }
  return {
    modelJson,
    weightData: weightData.buffer,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    filesSha256: hash.digest('hex'),
    sidecar: async (name) => {
      try {
        return await get(name);
      } catch {
        return undefined;
      }
    },
  };
}
