// The whole taxonomy in memory (a few thousand rows): tree + search index. Reads use a cached
// snapshot; writes through this lib drop it, and a cheap fingerprint query notices rows added or
// removed elsewhere (other processes, other code paths). Mutations always re-read inside their lock.
import type { ClassNode } from '@accrete/db';
import { imagenetClasses, TaxonomySearchIndex, TaxonomyTree } from '@accrete/taxonomy';
import type { Db } from './db.js';
import { cacheTiming, type CacheTiming } from '@accrete/primitives';

export interface ClassRecord extends ClassNode {
  aliases: string[];
}

export interface TaxonomySnapshot {
  tree: TaxonomyTree<ClassRecord>;
  index: TaxonomySearchIndex;
  loadedAt: number;
  fingerprint: string;
}

export async function loadSnapshot(db: Db): Promise<TaxonomySnapshot> {
  const [fingerprint, nodes, aliases] = await Promise.all([
    readFingerprint(db),
    db.classNode.findMany(),
    db.classAlias.findMany({ select: { classNodeId: true, name: true }, orderBy: { createdAt: 'asc' } }),
  ]);
  const aliasesOf = new Map<string, string[]>();
  for (const a of aliases) {
    const list = aliasesOf.get(a.classNodeId);
    if (list) list.push(a.name);
    else aliasesOf.set(a.classNodeId, [a.name]);
  }
  const records: ClassRecord[] = nodes.map((n) => ({ ...n, aliases: aliasesOf.get(n.id) ?? [] }));
  const tree = new TaxonomyTree(records);
  const index = new TaxonomySearchIndex(
    records.map((r) => ({ id: r.id, name: r.name, synonyms: r.synonyms, aliases: r.aliases, isClass: isClassLike(r) })),
  );
  return { tree, index, loadedAt: timing.current.now(), fingerprint };
}

/** ImageNet output classes and user classes rank above inner WordNet synsets at equal match quality. */
function isClassLike(r: ClassRecord): boolean {
  imagenetWnids ??= new Set(imagenetClasses().map((c) => c.wnid));
  return r.origin === 'USER' || (r.wnid !== null && imagenetWnids.has(r.wnid));
}
let imagenetWnids: Set<string> | undefined;

async function readFingerprint(db: Db): Promise<string> {
  const [row] = await db.$queryRaw<{ n: number; m: Date | null; a: number; am: Date | null }[]>`
    SELECT (SELECT count(*) FROM "ClassNode")::int AS n, (SELECT max("createdAt") FROM "ClassNode") AS m,
           (SELECT count(*) FROM "ClassAlias")::int AS a, (SELECT max("createdAt") FROM "ClassAlias") AS am`;
  return `${row.n}|${row.m ? new Date(row.m).getTime() : 0}|${row.a}|${row.am ? new Date(row.am).getTime() : 0}`;
}

/** Reload at least this often even when the fingerprint is unchanged (renames/moves by other processes). */
export const TAXONOMY_CACHE_TTL_MS = 60_000;

const timing = cacheTiming(TAXONOMY_CACHE_TTL_MS);
/** Replaces this cache's TTL and/or clock; returns the previous setting (tests restore it). */
export const setTaxonomyCacheTiming = (next: Partial<CacheTiming>): CacheTiming => timing.set(next);

let generation = 0;
const cache = new WeakMap<object, { generation: number; snapshot: Promise<TaxonomySnapshot> }>();

/**
 * The one invalidation of this process's taxonomy caches, the snapshot and the class-node rows (./node-cache):
 * every edit here calls it; call it after writing ClassNode or ClassAlias rows yourself.
 */
export function invalidateTaxonomyCache(): void {
  generation++;
}

/** Bumped by invalidateTaxonomyCache; a cache filled under an older generation must not be served. */
export const taxonomyGeneration = (): number => generation;

/** The cached snapshot for this client, reloaded when stale. */
export async function getTaxonomySnapshot(db: Db): Promise<TaxonomySnapshot> {
  const entry = cache.get(db);
  if (entry && entry.generation === generation) {
    try {
      const snap = await entry.snapshot;
      if (
        timing.current.now() - snap.loadedAt < timing.current.ttlMs &&
        (await readFingerprint(db)) === snap.fingerprint
      )
        return snap;
    } catch {
      /* a failed load is retried below */
    }
  }
  const snapshot = loadSnapshot(db);
  cache.set(db, { generation, snapshot });
  try {
    return await snapshot;
  } catch (e) {
    cache.delete(db);
    throw e;
  }
}
