// Taxonomy edits: create, rename, alias, move, merge, delete. Each runs in one transaction under the
// taxonomy lock and checks against a fresh read of the tree (never the cache), so a refused edit
// leaves nothing behind and two concurrent edits cannot combine into a cycle.
import type { ClassNode, Prisma } from '@accrete/db';
import { newClassNameProblems, normalizeName, validateClassName } from '@accrete/taxonomy';
import { isUniqueViolation } from '@accrete/errors';
import { refuse, withTaxonomyLock, type Db } from './db.js';
import { invalidateTaxonomyCache, loadSnapshot, type ClassRecord, type TaxonomySnapshot } from './snapshot.js';

type Tx = Prisma.TransactionClient;

/** "… › angiosperm › flower › daisy": enough of the path to tell two same-named classes apart. */
export function shortPath(snap: TaxonomySnapshot, id: string, levels = 4): string {
  const names = snap.tree.ancestors(id).map((n) => n.name);
  return (names.length > levels ? ['…', ...names.slice(-levels)] : names).join(' › ');
}

function describe(snap: TaxonomySnapshot, id: string): string {
  const n = snap.tree.get(id);
  return `"${n.name}" (${shortPath(snap, id)}${n.wnid ? `, ${n.wnid}` : ''})`;
}

function getNode(snap: TaxonomySnapshot, id: string, what = 'class'): ClassRecord {
  const n = snap.tree.find(id);
  if (!n) throw refuse('NOT_FOUND', `${what} ${id} does not exist`, { id });
  return n;
}

function requireUserClass(snap: TaxonomySnapshot, id: string, action: string, hint: string): ClassRecord {
  const n = getNode(snap, id);
  if (n.origin !== 'USER') {
    throw refuse('NOT_USER_CLASS', `cannot ${action} ${describe(snap, id)}: it is an ImageNet/WordNet class; ${hint}`, {
      id,
    });
  }
  return n;
}

/** Refuses a name that is already a name, synonym or alias of another class (ignoring case). */
function assertNameFree(snap: TaxonomySnapshot, name: string, exceptId?: string): void {
  const taken = snap.index.sameName(name).filter((m) => m.id !== exceptId);
  if (taken.length > 0) {
    const m = taken[0];
    const as = m.field === 'name' ? '' : ` (as ${m.field} "${m.term}")`;
    throw refuse(
      'DUPLICATE_NAME',
      `class "${name}" already exists: ${describe(snap, m.id)}${as}. Use that class, add "${name}" as its alias, ` +
        'or pass allowDuplicateName to create a separate class anyway',
      { name, existingIds: [...new Set(taken.map((t) => t.id))] },
    );
  }
}

async function versionsUsing(tx: Tx, classNodeId: string): Promise<string[]> {
  const rows = await tx.versionClass.findMany({
    where: { classNodeId },
    select: { version: { select: { number: true, model: { select: { name: true } } } } },
    orderBy: [{ versionId: 'asc' }],
    take: 6,
  });
  const published = rows.map((r) => `${r.version.model.name} v${r.version.number}`);
  // a version still being trained adds (or merges into) the class at publish: deleting it now would fail that
  // job at its very end on a foreign key, after all the training work
  const pending = await tx.modelVersion.findMany({
    where: { status: { in: ['PENDING', 'TRAINING'] } },
    select: { number: true, params: true, model: { select: { name: true } } },
  });
  const refers = (p: unknown) => {
    const params = p as { newClasses?: { classNodeId?: string }[]; merges?: { classNodeId?: string }[] } | null;
    return [...(params?.newClasses ?? []), ...(params?.merges ?? [])].some((c) => c?.classNodeId === classNodeId);
  };
  return [
    ...published,
    ...pending.filter((v) => refers(v.params)).map((v) => `${v.model.name} v${v.number} (being trained)`),
  ];
}

function listUses(uses: string[]): string {
  return uses.length > 5 ? `${uses.slice(0, 5).join(', ')} and more` : uses.join(', ');
}

/** Adds `delta` to the depth of everything below `id` (not `id` itself). */
async function shiftSubtreeDepth(tx: Tx, snap: TaxonomySnapshot, id: string, delta: number): Promise<void> {
  if (delta === 0) return;
  const below = snap.tree
    .descendants(id)
    .slice(1)
    .map((n) => n.id);
  for (let i = 0; i < below.length; i += 1000) {
    await tx.classNode.updateMany({
      where: { id: { in: below.slice(i, i + 1000) } },
      data: { depth: { increment: delta } },
    });
  }
}

export interface CreateClassInput {
  name: string;
  /** Parent node (any existing node, e.g. ImageNet's "flower"); null makes a top-level class. */
  parentId: string | null;
  aliases?: string[];
  synonyms?: string[];
  /** Create even when another class already has this name ignoring case (after the user rejected merging). */
  allowDuplicateName?: boolean;
  /**
   * Use a user class of this exact name that nothing uses (no version, pending growth, child, image, alias or synonym)
   * instead of creating another one, moved under `parentId`: a growth retried after a failed or cancelled one gets
   * the class that attempt made rather than a twin of it. Inputs with aliases or synonyms always create.
   */
  reuseUnused?: boolean;
}

export async function createClass(db: Db, input: CreateClassInput): Promise<ClassNode> {
  return (await createClasses(db, [input]))[0];
}

/** Creates several user classes in one transaction (all or none). */
export async function createClasses(db: Db, inputs: CreateClassInput[]): Promise<ClassNode[]> {
  const created = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    const batchAliases = new Map<string, string>();
    const nameProblems = newClassNameProblems(inputs);
    const reuse = new Map<number, ClassRecord>();
    for (const [i, input] of inputs.entries()) {
      if (!input.reuseUnused || nameProblems[i] || input.aliases?.length || input.synonyms?.length) continue;
      const name = validateClassName(input.name);
      for (const m of snap.index.sameName(name)) {
        const n = snap.tree.get(m.id);
        const taken = [...reuse.values()].includes(n);
        if (taken || n.origin !== 'USER' || n.name !== name || n.aliases.length || n.synonyms.length) continue;
        if (snap.tree.children(n.id).length || (await versionsUsing(tx, n.id)).length) continue;
        if (await tx.datasetImage.count({ where: { classNodeId: n.id } })) continue;
        reuse.set(i, n);
        break;
      }
    }
    const planned = inputs.map((input, i) => {
      const problem = nameProblems[i];
      if (problem) throw refuse(problem.code, problem.message, problem.details);
      const name = validateClassName(input.name);
      let depth = 0;
      if (input.parentId !== null && input.parentId !== undefined) {
        depth = getNode(snap, input.parentId, 'parent class').depth + 1;
      }
      if (!input.allowDuplicateName && !reuse.has(i)) assertNameFree(snap, name);
      const synonyms = [...new Set((input.synonyms ?? []).map((s) => validateClassName(s, 'synonym')))];
      const aliases = (input.aliases ?? []).map((a) => validateClassName(a, 'alias'));
      for (const a of aliases) {
        if (normalizeName(a) === normalizeName(name)) continue; // the name itself needs no alias
        checkAliasFree(snap, a, null);
        const twin = batchAliases.get(normalizeName(a));
        if (twin !== undefined)
          throw refuse('DUPLICATE_ALIAS', `alias "${a}" is given twice ("${twin}")`, { alias: a });
        batchAliases.set(normalizeName(a), a);
      }
      return {
        reuse: reuse.get(i),
        name,
        parentId: input.parentId ?? null,
        depth,
        synonyms,
        aliases: aliases.filter((a) => normalizeName(a) !== normalizeName(name)),
      };
    });
    const nodes: ClassNode[] = [];
    for (const p of planned) {
      if (p.reuse) {
        // it has no children, so moving it changes no depth below it
        nodes.push(
          await tx.classNode.update({ where: { id: p.reuse.id }, data: { parentId: p.parentId, depth: p.depth } }),
        );
        continue;
      }
      const node = await tx.classNode.create({
        data: { name: p.name, parentId: p.parentId, depth: p.depth, synonyms: p.synonyms, origin: 'USER' },
      });
      if (p.aliases.length) {
        await tx.classAlias.createMany({
          data: p.aliases.map((a) => ({ classNodeId: node.id, name: a, normalized: normalizeName(a) })),
        });
      }
      nodes.push(node);
    }
    return nodes;
  });
  invalidateTaxonomyCache();
  return created;
}

export async function renameClass(
  db: Db,
  id: string,
  newName: string,
  opts: { allowDuplicateName?: boolean } = {},
): Promise<ClassNode> {
  const node = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    requireUserClass(snap, id, 'rename', 'its name follows the base model; add an alias instead');
    const name = validateClassName(newName);
    if (!opts.allowDuplicateName) assertNameFree(snap, name, id);
    // An alias equal to the new name would now be redundant.
    await tx.classAlias.deleteMany({ where: { classNodeId: id, normalized: normalizeName(name) } });
    return tx.classNode.update({ where: { id }, data: { name } });
  });
  invalidateTaxonomyCache();
  return node;
}

function checkAliasFree(snap: TaxonomySnapshot, alias: string, ownerId: string | null): void {
  for (const m of snap.index.sameName(alias)) {
    if (m.id === ownerId) {
      throw refuse(
        'DUPLICATE_ALIAS',
        `"${alias}" is already ${m.field === 'alias' ? 'an alias' : `the ${m.field}`} of ${describe(snap, m.id)}`,
        {
          alias,
          classId: m.id,
        },
      );
    }
    if (m.field === 'alias') {
      throw refuse(
        'DUPLICATE_ALIAS',
        `alias "${alias}" already belongs to ${describe(snap, m.id)} (aliases are unique ignoring case)`,
        {
          alias,
          classId: m.id,
        },
      );
    }
    if (m.field === 'name') {
      throw refuse(
        'DUPLICATE_NAME',
        `"${alias}" is the name of another class, ${describe(snap, m.id)}; merge the classes instead`,
        {
          alias,
          classId: m.id,
        },
      );
    }
    // Another class's WordNet synonym is fine: an alias is how a user picks one of several "panda"s.
  }
}

/** Adds an alias (unique ignoring case across all classes); returns the class. */
export async function addClassAlias(db: Db, id: string, alias: string): Promise<ClassNode> {
  const node = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    const node = getNode(snap, id);
    const name = validateClassName(alias, 'alias');
    checkAliasFree(snap, name, id);
    try {
      await tx.classAlias.create({ data: { classNodeId: id, name, normalized: normalizeName(name) } });
    } catch (e) {
      if (isUniqueViolation(e))
        throw refuse('DUPLICATE_ALIAS', `alias "${name}" already exists (aliases are unique ignoring case)`, { alias });
      throw e;
    }
    const { aliases: _aliases, ...row } = node;
    return row;
  });
  invalidateTaxonomyCache();
  return node;
}

export async function removeClassAlias(db: Db, id: string, alias: string): Promise<ClassNode> {
  const node = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    const node = getNode(snap, id);
    const { count } = await tx.classAlias.deleteMany({ where: { classNodeId: id, normalized: normalizeName(alias) } });
    if (count === 0) throw refuse('NOT_FOUND', `${describe(snap, id)} has no alias "${alias}"`, { id, alias });
    const { aliases: _aliases, ...row } = node;
    return row;
  });
  invalidateTaxonomyCache();
  return node;
}

/** Moves a user class (with everything below it) under another node; null = top level. Refuses cycles. */
export async function moveClass(db: Db, id: string, newParentId: string | null): Promise<ClassNode> {
  const node = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    const node = requireUserClass(snap, id, 'move', 'the WordNet hierarchy is fixed');
    let depth = 0;
    if (newParentId !== null) {
      getNode(snap, newParentId, 'new parent class');
      snap.tree.assertCanMove(id, newParentId);
      depth = snap.tree.depth(newParentId) + 1;
    }
    await shiftSubtreeDepth(tx, snap, id, depth - node.depth);
    return tx.classNode.update({ where: { id }, data: { parentId: newParentId, depth } });
  });
  invalidateTaxonomyCache();
  return node;
}

export interface MergeSummary {
  sourceId: string;
  sourceName: string;
  targetId: string;
  movedImages: number;
  movedAliases: number;
  /** The source's name and synonyms, kept as aliases of the target so imports still find it. */
  addedAliases: string[];
  movedChildren: number;
}

/**
 * Merges a user class into an existing class: its dataset images, aliases and child classes move to
 * the target, its name becomes an alias of the target, and the source is deleted. Refused when a model
 * version uses the source (its output unit would lose its meaning).
 */
export async function mergeClasses(
  db: Db,
  sourceId: string,
  targetId: string,
): Promise<ClassNode & { merge: MergeSummary }> {
  const result = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    const source = requireUserClass(snap, sourceId, 'merge away', 'merge the other class into it instead');
    const target = getNode(snap, targetId, 'target class');
    if (sourceId === targetId)
      throw refuse('SAME_NODE', `cannot merge ${describe(snap, sourceId)} into itself`, { sourceId });
    if (snap.tree.isUnder(targetId, sourceId)) {
      throw refuse(
        'CYCLE',
        `cannot merge ${describe(snap, sourceId)} into ${describe(snap, targetId)}, which lies inside it; move it out first`,
        {
          sourceId,
          targetId,
        },
      );
    }
    const uses = await versionsUsing(tx, sourceId);
    if (uses.length > 0) {
      throw refuse(
        'IN_USE',
        `cannot merge ${describe(snap, sourceId)}: model versions use it as a class (${listUses(uses)})`,
        {
          sourceId,
          versions: uses,
        },
      );
    }
    const movedImages = (
      await tx.datasetImage.updateMany({ where: { classNodeId: sourceId }, data: { classNodeId: targetId } })
    ).count;
    const movedAliases = (
      await tx.classAlias.updateMany({ where: { classNodeId: sourceId }, data: { classNodeId: targetId } })
    ).count;

    const targetNames = new Set(
      [target.name, ...target.synonyms, ...target.aliases, ...source.aliases].map(normalizeName),
    );
    const addedAliases: string[] = [];
    for (const n of [source.name, ...source.synonyms]) {
      const key = normalizeName(n);
      if (targetNames.has(key)) continue;
      targetNames.add(key);
      addedAliases.push(n);
    }
    if (addedAliases.length) {
      await tx.classAlias.createMany({
        data: addedAliases.map((a) => ({ classNodeId: targetId, name: a, normalized: normalizeName(a) })),
        skipDuplicates: true,
      });
    }

    const children = snap.tree.children(sourceId);
    for (const c of children) await shiftSubtreeDepth(tx, snap, c.id, target.depth - source.depth);
    await tx.classNode.updateMany({
      where: { parentId: sourceId },
      data: { parentId: targetId, depth: target.depth + 1 },
    });
    await tx.classNode.delete({ where: { id: sourceId } });
    const merged = await tx.classNode.findUniqueOrThrow({ where: { id: targetId } });
    const merge: MergeSummary = {
      sourceId,
      sourceName: source.name,
      targetId,
      movedImages,
      movedAliases,
      addedAliases,
      movedChildren: children.length,
    };
    return { ...merged, merge };
  });
  invalidateTaxonomyCache();
  return result;
}

/**
 * Deletes a user class. Refused while a model version uses it, while it has child classes, and while
 * dataset images are labelled with it (merge it instead, or pass detachImages to unlink them).
 */
export async function deleteClass(db: Db, id: string, opts: { detachImages?: boolean } = {}): Promise<ClassNode> {
  const deleted = await withTaxonomyLock(db, async (tx) => {
    const snap = await loadSnapshot(tx);
    requireUserClass(snap, id, 'delete', 'ImageNet classes stay');
    const uses = await versionsUsing(tx, id);
    if (uses.length > 0) {
      throw refuse(
        'IN_USE',
        `cannot delete ${describe(snap, id)}: model versions use it as a class (${listUses(uses)})`,
        { id, versions: uses },
      );
    }
    const children = snap.tree.children(id);
    if (children.length > 0) {
      throw refuse(
        'HAS_CHILDREN',
        `cannot delete ${describe(snap, id)}: it has ${children.length} child class(es) (${children
          .slice(0, 5)
          .map((c) => `"${c.name}"`)
          .join(', ')}); move or delete them first`,
        { id, childIds: children.map((c) => c.id) },
      );
    }
    const images = await tx.datasetImage.count({ where: { classNodeId: id } });
    if (images > 0 && !opts.detachImages) {
      throw refuse(
        'HAS_IMAGES',
        `cannot delete ${describe(snap, id)}: ${images} dataset image(s) are labelled with it; merge it into another class to keep them`,
        {
          id,
          images,
        },
      );
    }
    if (images > 0) await tx.datasetImage.updateMany({ where: { classNodeId: id }, data: { classNodeId: null } });
    return tx.classNode.delete({ where: { id } }); // its aliases go with it (ON DELETE CASCADE)
  });
  invalidateTaxonomyCache();
  return deleted;
}
