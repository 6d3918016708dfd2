// A version's class tree in the flat shape the API serves (parentId links instead of nested children).
import type { PrismaClient, ClassNode } from '@accrete/db';
import { versionClassTree, type VersionTreeNode } from './queries.js';
import type { TreeNode } from './classes.js';

/** A subtree node plus what the version tree adds: origin and image counts. */
export interface FlatVersionTreeNode extends TreeNode {
  origin: ClassNode['origin'];
  imageCount: number;
  subtreeClassCount: number;
  subtreeImageCount: number;
  versionCount: number;
}

/** A version's classes and their ancestors as a flat list (parentId links), parents before children. */
export async function versionClassTreeNodes(prisma: PrismaClient, versionId: string): Promise<FlatVersionTreeNode[]> {
  const { roots } = await versionClassTree(prisma, versionId);
  const out: FlatVersionTreeNode[] = [];
  const walk = (nodes: VersionTreeNode[]) => {
    for (const { children, ...n } of nodes) {
      out.push(n);
      walk(children);
    }
  };
  walk(roots);
  return out;
}
