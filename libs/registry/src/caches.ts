// Process-wide read caches for hot, (almost) immutable rows, so busy list/predict traffic costs few queries:
// - a READY version row is final, and so is its class list (VersionClass rows are written once, at publish);
// - class nodes change only through taxonomy edits: this process drops the cache on its own edits, and rows
//   edited by another process are picked up within CLASS_NODE_TTL_MS: once that has passed, the next read is
//   served from the cache while one background query re-reads every cached node (stale-while-revalidate), so
//   busy traffic never stampedes the database when the TTL runs out.
// Caches are kept per Prisma client (i.e. per database), so two databases in one process never mix.
import type { PrismaClient, ClassNode, ModelVersion, VersionClass } from '@accrete/db';

export const CLASS_NODE_TTL_MS = 10_000;

/** What the class-node cache reads the time from, and how long a node is fresh. */
export interface CacheTiming {
  ttlMs: number;
  /** Milliseconds; tests pass a clock they move by hand instead of sleeping past the TTL. */
  now: () => number;
}
let timing: CacheTiming = { ttlMs: CLASS_NODE_TTL_MS, now: () => Date.now() };

/** Replaces the class-node cache's TTL and/or clock; returns the previous setting (tests restore it). */
export function setClassNodeCacheTiming(next: Partial<CacheTiming>): CacheTiming {
  const previous = timing;
  timing = { ...timing, ...next };
  return previous;
}

class Lru<K, V> {
  private map = new Map<K, V>();
  constructor(private readonly size: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value as K);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
}

interface Store {
  readyClasses: Lru<string, Promise<VersionClass[]>>;
  readyVersions: Lru<string, ModelVersion>;
  nodes: Map<string, ClassNode>;
  nodesAt: number;
  generation: number;
  refreshing: Promise<void> | null;
}

let generation = 0;
const stores = new WeakMap<object, Store>();

function store(prisma: PrismaClient): Store {
  let s = stores.get(prisma);
  if (!s) {
    s = { readyClasses: new Lru(16), readyVersions: new Lru(512), nodes: new Map(), nodesAt: timing.now(), generation, refreshing: null };
    stores.set(prisma, s);
  }
  if (s.generation !== generation) {
    // this process edited the taxonomy: nothing cached may be served again
    s.nodes = new Map();
    s.nodesAt = timing.now();
    s.generation = generation;
  } else if (timing.now() - s.nodesAt > timing.ttlMs && !s.refreshing) {
    s.refreshing = refreshClassNodes(prisma, s).finally(() => (s.refreshing = null));
  }
  return s;
}

/** Rows per revalidation query: each read (and, on PGlite, its execution) holds the event loop for a few ms only. */
const REFRESH_CHUNK = 200;

/** Re-reads every cached class node, a chunk at a time; rows gone from the database drop out. */
async function refreshClassNodes(prisma: PrismaClient, s: Store): Promise<void> {
  const startedAt = timing.now();
  const startGeneration = s.generation;
  const ids = [...s.nodes.keys()];
  try {
    const rows: ClassNode[] = [];
    for (let i = 0; i < ids.length; i += REFRESH_CHUNK) {
      rows.push(...(await prisma.classNode.findMany({ where: { id: { in: ids.slice(i, i + REFRESH_CHUNK) } } })));
      await new Promise<void>((r) => setImmediate(r)); // let waiting requests run between chunks
    }
    // a local edit meanwhile cleared (or will clear) the cache: these rows may predate it
    if (s.generation !== startGeneration || generation !== startGeneration) return;
    const asked = new Set(ids);
    const fresh = new Map(rows.map((r) => [r.id, r]));
    for (const [id, n] of s.nodes) if (!asked.has(id)) fresh.set(id, n); // read (fresh) while we queried
    s.nodes = fresh;
  } catch {
    s.nodes = new Map(); // could not revalidate: read from the database again
  }
  s.nodesAt = startedAt;
}

/** Resolves when a background revalidation of this client's class-node cache (if any) has finished. */
export async function classNodeCacheSettled(prisma: PrismaClient): Promise<void> {
  await stores.get(prisma)?.refreshing;
}

/** All classes of a READY version in output-unit order (cached; do not call for versions still training). */
export function readyVersionClasses(prisma: PrismaClient, versionId: string): Promise<VersionClass[]> {
  const { readyClasses } = store(prisma);
  let p = readyClasses.get(versionId);
  if (!p) {
    p = prisma.versionClass.findMany({ where: { versionId }, orderBy: { outputUnit: 'asc' } });
    readyClasses.set(versionId, p);
    p.catch(() => readyClasses.delete(versionId));
  }
  return p;
}

/** Model versions by id; READY rows are final (nothing edits a published version) and are served from memory. */
export async function versionsById(prisma: PrismaClient, ids: readonly string[]): Promise<Map<string, ModelVersion>> {
  const { readyVersions } = store(prisma);
  const out = new Map<string, ModelVersion>();
  const missing: string[] = [];
  for (const id of ids) {
    const v = readyVersions.get(id);
    if (v) out.set(id, v);
    else missing.push(id);
  }
  if (missing.length) {
    for (const v of await prisma.modelVersion.findMany({ where: { id: { in: missing } } })) {
      out.set(v.id, v);
      if (v.status === 'READY') readyVersions.set(v.id, v);
    }
  }
  return out;
}

/** Class nodes by id, from the cache when fresh; missing ones are read in one query. */
export async function classNodesById(prisma: PrismaClient, ids: readonly string[]): Promise<Map<string, ClassNode>> {
  const s = store(prisma);
  const out = new Map<string, ClassNode>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const n = s.nodes.get(id);
    if (n) out.set(id, n);
    else missing.push(id);
  }
  if (missing.length) {
    const rows = await prisma.classNode.findMany({ where: { id: { in: missing } } });
    rememberClassNodes(prisma, rows);
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Puts rows read elsewhere (e.g. by a recursive query) into the class-node cache. */
export function rememberClassNodes(prisma: PrismaClient, rows: ClassNode[]): void {
  const { nodes } = store(prisma);
  for (const r of rows) nodes.set(r.id, r);
}

/** A cached class node, or undefined. */
export function cachedClassNode(prisma: PrismaClient, id: string): ClassNode | undefined {
  return store(prisma).nodes.get(id);
}

/** Call after any write to ClassNode rows (taxonomy edits); applies to every client in this process. */
export function invalidateClassNodeCache(): void {
  generation++;
}
