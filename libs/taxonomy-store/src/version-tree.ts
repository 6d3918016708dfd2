// A version's class tree in the flat shape the API serves (parentId links instead of nested children).
import type { PrismaClient, ClassNode } from '@accrete/db';
import { versionClassTree, type VersionTreeNode } from './queries.js';

export interface FlatVersionTreeNode {
  id: string;
  parentId: string | null;
  name: string;
  wnid: string | null;
  depth: number;
  outputUnit: number | null;
  added: boolean;
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
