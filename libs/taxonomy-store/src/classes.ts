// The one read path for ancestors, paths and subtrees (predictions, API loaders, tests alike): from the class-node
// cache when it holds every link, else one recursive query each.
import type { PrismaClient, ClassNode } from '@accrete/db';
import { Prisma } from '@accrete/db';
import { notFound } from '@accrete/errors';
import { cachedClassNode, rememberClassNodes } from './node-cache.js';

type Row = Pick<ClassNode, 'id' | 'name' | 'wnid' | 'parentId' | 'depth'>;

/**
 * Each node's chain from the root down to the node itself, for many nodes at once: from the class-node cache when
 * it holds every link, else one recursive query for all of them. Unknown ids are absent from the result.
 */
export async function classChains(prisma: PrismaClient, ids: string[]): Promise<Map<string, ClassNode[]>> {
  let rows = new Map<string, ClassNode>();
  const complete = ids.every((id) => {
    for (
      let cur = cachedClassNode(prisma, id);
      cur;
      cur = cur.parentId ? cachedClassNode(prisma, cur.parentId) : undefined
    ) {
      rows.set(cur.id, cur);
      if (!cur.parentId) return true;
    }
    return false;
  });
  if (!complete && ids.length) {
    const full = await prisma.$queryRaw<ClassNode[]>(Prisma.sql`
      WITH RECURSIVE up AS (
        SELECT * FROM "ClassNode" WHERE "id" IN (${Prisma.join(ids)})
        UNION
        SELECT c.* FROM "ClassNode" c JOIN up ON c."id" = up."parentId"
      ) SELECT * FROM up`);
    rememberClassNodes(prisma, full);
    rows = new Map(full.map((r) => [r.id, r]));
  }
  const out = new Map<string, ClassNode[]>();
  for (const id of ids) {
    if (!rows.has(id)) continue;
    const chain: ClassNode[] = [];
    const seen = new Set<string>();
    for (let cur = rows.get(id); cur && !seen.has(cur.id); cur = cur.parentId ? rows.get(cur.parentId) : undefined) {
      seen.add(cur.id);
      chain.unshift(cur);
    }
    out.set(id, chain);
  }
  return out;
}

/** Names from the root down to each node, for many nodes at once. */
export async function classPaths(prisma: PrismaClient, ids: string[]): Promise<Map<string, string[]>> {
  const chains = await classChains(prisma, ids);
  return new Map(ids.map((id) => [id, (chains.get(id) ?? []).map((n) => n.name)]));
}

/** Ancestors of many nodes at once, root first (excluding each node); unknown ids are absent. */
export async function classAncestorsMany(prisma: PrismaClient, ids: string[]): Promise<Map<string, ClassNode[]>> {
  const chains = await classChains(prisma, ids);
  return new Map([...chains].map(([id, chain]) => [id, chain.slice(0, -1)]));
}

/** Ancestors of a node, root first (excluding the node). */
export async function classAncestors(prisma: PrismaClient, id: string): Promise<ClassNode[]> {
  const ancestors = (await classAncestorsMany(prisma, [id])).get(id);
  if (!ancestors) throw notFound('class', id);
  return ancestors;
}

export interface TreeNode {
  id: string;
  parentId: string | null;
  name: string;
  wnid: string | null;
  depth: number;
  outputUnit: number | null;
  added: boolean;
}

/** A node and its descendants down to maxDepth levels below it. One query. */
export async function classSubtreeNodes(prisma: PrismaClient, id: string, maxDepth: number): Promise<TreeNode[]> {
  const rows = await prisma.$queryRaw<(Row & { lvl: number })[]>(Prisma.sql`
    WITH RECURSIVE down AS (
      SELECT "id", "name", "wnid", "parentId", "depth", 0 AS lvl FROM "ClassNode" WHERE "id" = ${id}
      UNION ALL
      SELECT c."id", c."name", c."wnid", c."parentId", c."depth", down.lvl + 1 FROM "ClassNode" c JOIN down ON c."parentId" = down."id"
      WHERE down.lvl < ${maxDepth}
    ) SELECT * FROM down`);
  if (rows.length === 0) throw notFound('class', id);
  return rows
    .map((r) => ({
      id: r.id,
      parentId: r.parentId,
      name: r.name,
      wnid: r.wnid,
      depth: r.depth,
      outputUnit: null,
      added: false,
    }))
    .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
}
