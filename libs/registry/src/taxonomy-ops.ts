// The taxonomy helper's DB operations (./taxonomy), in the shapes the API resolvers call.
import type { PrismaClient, ClassNode } from '@accrete/db';
import * as tax from './taxonomy/index.js';
import { invalidateClassNodeCache } from './caches.js';

/** Runs a taxonomy edit, then drops the process's class-node cache (renames, moves… must show at once). */
async function edit<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    invalidateClassNodeCache();
  }
}

export const taxonomyOps = {
  createClass: (prisma: PrismaClient, input: { name: string; parentId: string | null; aliases: string[] }): Promise<ClassNode> =>
    edit(() => tax.createClass(prisma, input)),
  renameClass: (prisma: PrismaClient, id: string, name: string): Promise<ClassNode> => edit(() => tax.renameClass(prisma, id, name)),
  addClassAlias: (prisma: PrismaClient, id: string, alias: string): Promise<ClassNode> => edit(() => tax.addClassAlias(prisma, id, alias)),
  moveClass: (prisma: PrismaClient, id: string, parentId: string | null): Promise<ClassNode> => edit(() => tax.moveClass(prisma, id, parentId)),
  mergeClasses: (prisma: PrismaClient, sourceId: string, targetId: string): Promise<ClassNode> =>
    edit(async () => {
      const { merge: _summary, ...target } = await tax.mergeClasses(prisma, sourceId, targetId);
      return target as ClassNode;
    }),
  deleteClass: (prisma: PrismaClient, id: string): Promise<void> => edit(async () => void (await tax.deleteClass(prisma, id))),
};

export async function searchClasses(prisma: PrismaClient, name: string, limit: number): Promise<ClassNode[]> {
  return tax.searchClasses(prisma, name, { limit });
}

export interface FlatVersionTreeNode {
  id: string; parentId: string | null; name: string; wnid: string | null; depth: number; outputUnit: number | null; added: boolean;
  origin: ClassNode['origin']; imageCount: number; subtreeClassCount: number; subtreeImageCount: number; versionCount: number;
}

/** A version's classes and their ancestors as a flat list (parentId links), parents before children. */
export async function versionClassTreeNodes(prisma: PrismaClient, versionId: string): Promise<FlatVersionTreeNode[]> {
  const { roots } = await tax.versionClassTree(prisma, versionId);
  const out: FlatVersionTreeNode[] = [];
  const walk = (nodes: tax.VersionTreeNode[]) => {
    for (const { children, ...n } of nodes) {
      out.push(n);
      walk(children);
    }
  };
  walk(roots);
  return out;
}
