// The class-node row cache, so busy list/predict traffic costs few queries. Class nodes change only through
// taxonomy edits: this process drops the cache on its own edits (invalidateTaxonomyCache, which also drops the
// snapshot), and rows edited by another process are picked up within CLASS_NODE_TTL_MS: once that has passed, the
// next read is served from the cache while one background query re-reads every cached node
// (stale-while-revalidate), so busy traffic never stampedes the database when the TTL runs out.
// Kept per Prisma client (i.e. per database), so two databases in one process never mix.
import type { PrismaClient, ClassNode } from '@accrete/db';
import { taxonomyGeneration } from './snapshot.js';
import { cacheTiming, type CacheTiming } from '@accrete/primitives';

export const CLASS_NODE_TTL_MS = 10_000;

const timing = cacheTiming(CLASS_NODE_TTL_MS);
/** Replaces this cache's TTL and/or clock; returns the previous setting (tests restore it). */
export const setClassNodeCacheTiming = (next: Partial<CacheTiming>): CacheTiming => timing.set(next);

interface Store {
  nodes: Map<string, ClassNode>;
  nodesAt: number;
  generation: number;
  refreshing: Promise<void> | null;
}

const stores = new WeakMap<object, Store>();

function store(prisma: PrismaClient): Store {
  let s = stores.get(prisma);
  if (!s) {
    s = { nodes: new Map(), nodesAt: timing.current.now(), generation: taxonomyGeneration(), refreshing: null };
    stores.set(prisma, s);
  }
  if (s.generation !== taxonomyGeneration()) {
    // this process edited the taxonomy: nothing cached may be served again
    s.nodes = new Map();
    s.nodesAt = timing.current.now();
    s.generation = taxonomyGeneration();
  } else if (timing.current.now() - s.nodesAt > timing.current.ttlMs && !s.refreshing) {
    s.refreshing = refreshClassNodes(prisma, s).finally(() => (s.refreshing = null));
  }
  return s;
}

/** Rows per revalidation query: each read (and, on PGlite, its execution) holds the event loop for a few ms only. */
const REFRESH_CHUNK = 200;

/** Re-reads every cached class node, a chunk at a time; rows gone from the database drop out. */
async function refreshClassNodes(prisma: PrismaClient, s: Store): Promise<void> {
  const startedAt = timing.current.now();
  const startGeneration = s.generation;
  const ids = [...s.nodes.keys()];
  try {
    const rows: ClassNode[] = [];
    for (let i = 0; i < ids.length; i += REFRESH_CHUNK) {
      rows.push(...(await prisma.classNode.findMany({ where: { id: { in: ids.slice(i, i + REFRESH_CHUNK) } } })));
      await new Promise<void>((r) => setImmediate(r)); // let waiting requests run between chunks
    }
    // a local edit meanwhile cleared (or will clear) the cache: these rows may predate it
    if (s.generation !== startGeneration || taxonomyGeneration() !== startGeneration) return;
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
