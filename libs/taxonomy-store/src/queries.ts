// Taxonomy reads from the cached snapshot: one class, ranked search, name resolution before adding
// classes to a version, and a version's classes as a tree with counts. (Ancestors and subtrees: ./classes.)
import type { ClassNode } from '@accrete/db';
import {
  imagenetNodeId,
  placeName,
  resolveNames,
  type NamePlacement,
  type PlacementView,
  type ClassNameResolution,
  type MatchReason,
  type TermField,
} from '@accrete/taxonomy';
import { refuse, translate, type Db } from './db.js';
import { getTaxonomySnapshot, type ClassRecord, type TaxonomySnapshot } from './snapshot.js';

function nodeOrFail(snap: TaxonomySnapshot, id: string): ClassRecord {
  const n = snap.tree.find(id);
  if (!n) throw refuse('NOT_FOUND', `class ${id} does not exist`, { id });
  return n;
}

const pathNames = (snap: TaxonomySnapshot, id: string) => snap.tree.ancestors(id).map((n) => n.name);

/** A class with its aliases and the names on its path from the root. */
export async function getClass(db: Db, id: string): Promise<ClassRecord & { path: string[] }> {
  const snap = await getTaxonomySnapshot(db);
  return { ...nodeOrFail(snap, id), path: pathNames(snap, id) };
}

export type ClassSearchHit = ClassRecord & {
  score: number;
  reason: MatchReason;
  /** The name, synonym or alias that matched. */
  term: string;
  field: TermField;
  path: string[];
};

/** Ranked search over names, synonyms and aliases (exact > case > plural > prefix > word > substring > typo). */
export async function searchClasses(db: Db, query: string, opts: { limit?: number } = {}): Promise<ClassSearchHit[]> {
  const snap = await getTaxonomySnapshot(db);
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 200);
  return snap.index.search(query, limit).map((h) => ({
    ...snap.tree.get(h.id),
    score: h.score,
    reason: h.reason,
    term: h.term,
    field: h.field,
    path: pathNames(snap, h.id),
  }));
}

export interface ResolvedClassRef {
  id: string;
  name: string;
  wnid: string | null;
  origin: ClassNode['origin'];
  path: string[];
}

export type ClassNameResolutionWithPath =
  | { input: string; kind: 'exact'; match: ResolvedClassRef & { field: TermField } }
  | {
      input: string;
      kind: 'proposals';
      proposals: (ResolvedClassRef & { term: string; field: TermField; score: number; reason: string })[];
    }
  | { input: string; kind: 'new' };

/**
 * For each name a user wants to add: the one class it already is (verbatim name or alias), merge
 * proposals (same name ignoring case, plural, punctuation, small typos; best first), or "new".
 */
export async function resolveClassNames(
  db: Db,
  names: readonly string[],
  opts: { maxProposals?: number } = {},
): Promise<ClassNameResolutionWithPath[]> {
  const snap = await getTaxonomySnapshot(db);
  let resolved: ClassNameResolution[];
  try {
    resolved = resolveNames(snap.index, names, opts.maxProposals ?? 5);
  } catch (e) {
    throw translate(e);
  }
  const ref = (id: string): ResolvedClassRef => {
    const n = snap.tree.get(id);
    return { id, name: n.name, wnid: n.wnid, origin: n.origin, path: pathNames(snap, id) };
  };
  return resolved.map((r) => {
    if (r.kind === 'exact')
      return { input: r.input, kind: 'exact', match: { ...ref(r.match.id), field: r.match.field } };
    if (r.kind === 'proposals') {
      return {
        input: r.input,
        kind: 'proposals',
        proposals: r.proposals.map((p) => ({
          ...ref(p.id),
          term: p.term,
          field: p.field,
          score: p.score,
          reason: p.reason,
        })),
      };
    }
    return r;
  });
}

export interface VersionTreeNode {
  id: string;
  name: string;
  wnid: string | null;
  origin: ClassNode['origin'];
  parentId: string | null;
  depth: number;
  /** Output unit when this node is one of the version's classes, else null (an ancestor on the path). */
  outputUnit: number | null;
  /** True for classes this version added (not inherited from its parent). */
  added: boolean;
  /** Dataset images labelled with exactly this class (all datasets). */
  imageCount: number;
  /** Model versions (of any model) that have this node as a class. */
  versionCount: number;
  /** The version's classes in this subtree, this node included. */
  subtreeClassCount: number;
  /** Images of the version's classes in this subtree. */
  subtreeImageCount: number;
  children: VersionTreeNode[];
}

/** The classes of a version with all their ancestors, as a tree (root(s) returned) with per-node counts. */
export async function versionClassTree(
  db: Db,
  versionId: string,
): Promise<{ versionId: string; classCount: number; roots: VersionTreeNode[] }> {
  const version = await db.modelVersion.findUnique({ where: { id: versionId }, select: { id: true } });
  if (!version) throw refuse('NOT_FOUND', `model version ${versionId} does not exist`, { versionId });
  const [classes, snap] = await Promise.all([
    db.versionClass.findMany({ where: { versionId }, select: { classNodeId: true, outputUnit: true, added: true } }),
    getTaxonomySnapshot(db),
  ]);
  const ids = classes.map((c) => c.classNodeId);
  const [images, versions] = await Promise.all([
    db.datasetImage.groupBy({ by: ['classNodeId'], where: { classNodeId: { in: ids } }, _count: { _all: true } }),
    db.versionClass.groupBy({ by: ['classNodeId'], where: { classNodeId: { in: ids } }, _count: { _all: true } }),
  ]);
  const imageCount = new Map(images.map((g) => [g.classNodeId as string, g._count._all]));
  const versionCount = new Map(versions.map((g) => [g.classNodeId, g._count._all]));
  const unitOf = new Map(classes.map((c) => [c.classNodeId, c]));

  const byId = new Map<string, VersionTreeNode>();
  const roots: VersionTreeNode[] = [];
  const make = (n: ClassRecord): VersionTreeNode => {
    let t = byId.get(n.id);
    if (t) return t;
    const vc = unitOf.get(n.id);
    t = {
      id: n.id,
      name: n.name,
      wnid: n.wnid,
      origin: n.origin,
      parentId: n.parentId,
      depth: n.depth,
      outputUnit: vc?.outputUnit ?? null,
      added: vc?.added ?? false,
      imageCount: imageCount.get(n.id) ?? 0,
      versionCount: versionCount.get(n.id) ?? 0,
      subtreeClassCount: 0,
      subtreeImageCount: 0,
      children: [],
    };
    byId.set(n.id, t);
    if (n.parentId === null) roots.push(t);
    else make(snap.tree.get(n.parentId)).children.push(t);
    return t;
  };
  for (const c of classes) {
    const leaf = make(nodeOrFail(snap, c.classNodeId));
    for (const a of snap.tree.ancestors(c.classNodeId)) {
      const t = byId.get(a.id) as VersionTreeNode;
      t.subtreeClassCount += 1;
      t.subtreeImageCount += leaf.imageCount;
    }
  }
  const sort = (list: VersionTreeNode[]) => {
    list.sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : 1));
    list.forEach((t) => sort(t.children));
  };
  sort(roots);
  return { versionId, classCount: classes.length, roots };
}

/** The taxonomy snapshot (hierarchy + user classes) as a placement view for `placeName`. */
export function snapshotPlacementView(snap: TaxonomySnapshot): PlacementView {
  return {
    index: snap.index,
    tree: snap.tree,
    idOfWnid: (wnid) => (snap.tree.has(imagenetNodeId(wnid)) ? imagenetNodeId(wnid) : null),
  };
}

export type ClassPlacement = NamePlacement & { name: string; path: string[] };

/** The placement rule (libs/taxonomy placeName) for each name, over the current taxonomy; null: the root. */
export async function placeClassNames(db: Db, names: readonly string[]): Promise<(ClassPlacement | null)[]> {
  const snap = await getTaxonomySnapshot(db);
  const view = snapshotPlacementView(snap);
  return names.map((n) => {
    const p = placeName(view, n);
    return p && { ...p, name: snap.tree.get(p.id).name, path: pathNames(snap, p.id) };
  });
}

/**
 * Best matches of a class name, the placement rule's class first (the class the name is, or the one it goes under:
 * "buildings" → building, "oxeye daisy" → daisy), then the ranked search; so resolveClassName, classPlacement and
 * createModelVersion answer from the same rule.
 */
export async function resolveClassName(db: Db, name: string, opts: { limit?: number } = {}): Promise<ClassRecord[]> {
  const snap = await getTaxonomySnapshot(db);
  const limit = Math.min(Math.max(opts.limit ?? 10, 1), 200);
  const placed = placeName(snapshotPlacementView(snap), name);
  const hits = snap.index.search(name, limit).map((h) => h.id);
  const ids = placed ? [placed.id, ...hits.filter((id) => id !== placed.id)] : hits;
  return ids.slice(0, limit).map((id) => snap.tree.get(id));
}
