// Predictions: resolve the version (alias looked up per request, so a rollback takes effect at once), take its
// classifier from a small LRU of warm ones, map output units to classes and taxonomy paths.
import type { PrismaClient, ModelVersion } from '@accrete/db';
import type { Config } from '@accrete/config';
import type { LocalStorage } from '@accrete/storage';
import { ImageRejectedError, type Classifier } from '@accrete/trainer';
import { badInput, conflict, notFound } from '@accrete/errors';
import { checkImageHeader } from '@accrete/datasets';
import { classChains, classNodesById } from '@accrete/taxonomy-store';
import { unitChain, versionRollUp, type VersionRollUp } from '@accrete/jobs';
import { readyVersionClasses, versionsById } from './caches.js';
import { sha256Hex } from '@accrete/primitives';

/** Keeps up to `size` classifiers loaded, least recently used evicted (and disposed). */
export class ClassifierCache {
  private entries = new Map<string, Promise<Classifier>>();
  loads = 0;

  constructor(
    private readonly size: number,
    private readonly load: (version: ModelVersion) => Promise<Classifier>,
  ) {}

  get(version: ModelVersion): Promise<Classifier> {
    const hit = this.entries.get(version.id);
    if (hit) {
      this.entries.delete(version.id); // re-insert: Map order is the recency order
      this.entries.set(version.id, hit);
      return hit;
    }
    this.loads++;
    const p = this.load(version);
    this.entries.set(version.id, p);
    p.catch(() => this.entries.get(version.id) === p && this.entries.delete(version.id)); // a failed load is retried next time
    while (this.entries.size > this.size) {
      const [oldest, victim] = this.entries.entries().next().value as [string, Promise<Classifier>];
      this.entries.delete(oldest);
      victim.then((c) => c.dispose()).catch(() => undefined);
    }
    return p;
  }

  has(versionId: string): boolean {
    return this.entries.has(versionId);
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((p) => p.then((c) => c.dispose()).catch(() => undefined)));
  }
}

export interface PredictDeps {
  prisma: PrismaClient;
  storage: LocalStorage;
  config: Pick<Config, 'maxUploadBytes' | 'maxImagePixels' | 'baseModelName'>;
  classifiers: ClassifierCache;
}

export interface PredictInput {
  imageBase64?: string | null;
  imageBytes?: Uint8Array | null;
  imageId?: string | null;
  versionId?: string | null;
  modelId?: string | null;
  alias?: string | null;
  topK?: number;
}

async function imageBytes(deps: PredictDeps, input: PredictInput): Promise<Uint8Array> {
  const given = [input.imageBase64, input.imageBytes, input.imageId].filter((x) => x != null).length;
  if (given !== 1) throw badInput('give exactly one image: imageBase64 or imageId');
  if (input.imageId) {
    const img = await deps.prisma.image.findUnique({ where: { id: input.imageId } });
    if (!img) throw notFound('image', input.imageId);
    return deps.storage.readImage(img.storageKey);
  }
  if (input.imageBase64 != null && input.imageBase64.length > (deps.config.maxUploadBytes * 4) / 3 + 4) {
    throw badInput(`image too large: more than ${deps.config.maxUploadBytes} bytes`);
  }
  const bytes = input.imageBytes ?? Buffer.from(input.imageBase64!, 'base64');
  if (bytes.length === 0) throw badInput('image is empty');
  if (bytes.length > deps.config.maxUploadBytes)
    throw badInput(`image too large: ${bytes.length} bytes > limit ${deps.config.maxUploadBytes}`);
  return bytes;
}

/** The same rejection text for a header check and a decode: "image rejected: <reason> (<detail>)". */
function rejected(e: ImageRejectedError) {
  return badInput(`image rejected: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`);
}

/** Header-only check (cheap, synchronous): format and pixel count, before the classifier decodes. */
function checkHeader(bytes: Uint8Array, maxPixels: number): void {
  try {
    checkImageHeader(bytes, maxPixels);
  } catch (e) {
    if (e instanceof ImageRejectedError) throw rejected(e);
    throw e;
  }
}

/** The version a request names: versionId, else alias (default "production") of modelId (default: the base model). */
export async function resolvePredictVersion(
  prisma: PrismaClient,
  input: PredictInput,
  baseModelName: string,
): Promise<{ version: ModelVersion; alias: string | null }> {
  if (input.versionId) {
    if (input.alias) throw badInput('give versionId or alias, not both');
    const v = await prisma.modelVersion.findUnique({ where: { id: input.versionId } });
    if (!v) throw notFound('model version', input.versionId);
    return { version: v, alias: null };
  }
  const name = input.alias ?? 'production';
  // the alias is read on every request (a rollback applies to the next one); the READY version row is cached
  const alias = input.modelId
    ? await prisma.alias.findUnique({
        where: { modelId_name: { modelId: input.modelId, name } },
        select: { versionId: true },
      })
    : await prisma.alias.findFirst({ where: { name, model: { name: baseModelName } }, select: { versionId: true } });
  if (!alias) throw notFound(`alias "${name}" of model`, input.modelId ?? baseModelName);
  const version = (await versionsById(prisma, [alias.versionId])).get(alias.versionId);
  if (!version) throw notFound('model version', alias.versionId);
  return { version, alias: name };
}

export async function predict(deps: PredictDeps, input: PredictInput) {
  const topK = input.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1 || topK > 50) throw badInput('topK must be an integer in 1..50');
  const bytes = await imageBytes(deps, input);
  const { version, alias } = await resolvePredictVersion(deps.prisma, input, deps.config.baseModelName);
  if (version.status !== 'READY')
    throw conflict(`version ${version.number} is ${version.status}; only READY versions predict`);
  checkHeader(bytes, deps.config.maxImagePixels);
  const clf = await deps.classifiers.get(version);
  const t0 = performance.now();
  let top: { label: string; unit: number; probability: number }[];
  try {
    top = await clf.predict(bytes, topK);
  } catch (e) {
    if (e instanceof ImageRejectedError) throw rejected(e);
    throw e;
  }
  const inferenceMs = performance.now() - t0;
  // names, paths and roll-ups from the class-node cache, as they are now (renames and moves, this process's or
  // another's: the cache's own TTL), over the version's immutable units and declared parents
  const rollUp = await rollUpOf(deps.prisma, version.id);
  const nodeOf = new Map(top.map((t) => [t.unit, rollUp.nodeOfUnit.get(t.unit)]));
  const chains = await classChains(
    deps.prisma,
    [...nodeOf.values()].filter((x): x is string => !!x),
  );
  const rolled = new Map(
    top.map((t) => {
      const id = nodeOf.get(t.unit);
      const chain = id ? chains.get(id) : undefined;
      return [t.unit, chain ? unitChain(rollUp, t.unit, chain).rollsUpTo : []];
    }),
  );
  const rolledNodes = await classNodesById(
    deps.prisma,
    [...new Set([...rolled.values()].flat())].flatMap((u) => rollUp.nodeOfUnit.get(u) ?? []),
  );
  return {
    alias,
    versionId: version.id,
    imageSha256: sha256Hex(bytes),
    inferenceMs,
    classes: top.map((t) => {
      const id = nodeOf.get(t.unit);
      if (!id) throw new Error(`version ${version.number} has no class for output unit ${t.unit}`);
      const path = chains.get(id)?.map((n) => n.name) ?? [t.label];
      const rollsUpTo = (rolled.get(t.unit) ?? []).map(
        (u) => rolledNodes.get(rollUp.nodeOfUnit.get(u) ?? '')?.name ?? String(u),
      );
      return {
        outputUnit: t.unit,
        label: path.at(-1) ?? t.label,
        probability: t.probability,
        taxonomyPath: path,
        rollsUpTo,
        classNodeId: id,
      };
    }),
  };
}

// What a READY version's roll-up rests on never changes (versionRollUp over its cached class list): kept for a few
// versions.
const rollUpCache = new Map<string, Promise<VersionRollUp>>();
function rollUpOf(prisma: PrismaClient, versionId: string): Promise<VersionRollUp> {
  let r = rollUpCache.get(versionId);
  if (!r) {
    r = readyVersionClasses(prisma, versionId).then((units) => versionRollUp(prisma, versionId, units));
    r.catch(() => rollUpCache.delete(versionId));
    if (rollUpCache.size >= 8) rollUpCache.delete(rollUpCache.keys().next().value!);
    rollUpCache.set(versionId, r);
  }
  return r;
}
