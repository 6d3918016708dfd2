// Process-wide read caches for immutable rows, so busy list/predict traffic costs few queries: a READY version
// row is final, and so is its class list (VersionClass rows are written once, at publish). Kept per Prisma
// client (i.e. per database), so two databases in one process never mix. (Class nodes: @accrete/taxonomy-store.)
import type { PrismaClient, ModelVersion, VersionClass } from '@accrete/db';

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
}
const stores = new WeakMap<object, Store>();

function store(prisma: PrismaClient): Store {
  let s = stores.get(prisma);
  if (!s) stores.set(prisma, (s = { readyClasses: new Lru(16), readyVersions: new Lru(512) }));
  return s;
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
