// Which class each requested dataset label becomes in a new version, using the taxonomy's name resolution:
// - an exact name/alias match that the parent predicts → MERGE into its output unit (flowers' "daisy" → unit 985);
// - an exact match the parent does not predict (a WordNet synset, a user class) → NEW unit for that node;
// - close matches (case, plural, typo) to a parent class → refused unless the caller says MERGE or NEW,
//   because a silent wrong merge corrupts a class and a silent duplicate splits one;
// - otherwise → NEW unit for a new user class (created inside the version transaction), filed under the
//   parent class the caller names or, failing that, where WordNet puts the name in the ImageNet hierarchy
//   ("sunflowers" under flower); with neither, at the root.
import type { PrismaClient, ClassNode } from '@accrete/db';
import { badInput, notFound } from '@accrete/errors';
import { resolveClassNames } from '@accrete/taxonomy-store';
import { imagenetNodeId, placementFor } from '@accrete/taxonomy';
import type { ClassToAdd } from './versions.js';

export interface LabelResolution {
  label: string;
  resolution: 'NEW' | 'MERGE';
  classNode: ClassNode | null;
  outputUnit: number | null;
  /** set when a user class must be created (inside the version transaction) */
  create?: { name: string; parentId: string | null; allowDuplicateName: boolean };
}

/** The ClassNode id a new class called `name` is filed under when no parent is named (WordNet placement), or null. */
export function placedParentId(name: string): string | null {
  const p = placementFor(name.trim());
  return p ? imagenetNodeId(p.parentWnid) : null;
}

export async function resolveLabels(prisma: PrismaClient, parentVersionId: string, classes: ClassToAdd[]): Promise<LabelResolution[]> {
  const units = new Map(
    (await prisma.versionClass.findMany({ where: { versionId: parentVersionId }, select: { classNodeId: true, outputUnit: true } })).map((u) => [u.classNodeId, u.outputUnit]),
  );
  const byName = classes.filter((c) => !c.mergeIntoClassId);
  const resolutions = await resolveClassNames(prisma, byName.map((c) => (c.name ?? c.label).trim()));
  const resOf = new Map(byName.map((c, i) => [c, resolutions[i]]));
  const nodeIds = new Set<string>([...classes.map((c) => c.mergeIntoClassId).filter((x): x is string => !!x)]);
  // where WordNet would file each name, for the labels that may become new classes without a named parent
  const placed = new Map<string, string>();
  for (const c of classes) {
    const id = c.parentClassId || c.mergeIntoClassId ? null : placedParentId(c.name ?? c.label);
    if (id) placed.set((c.name ?? c.label).trim(), id);
  }
  for (const id of placed.values()) nodeIds.add(id);
  for (const r of resolutions) {
    if (r.kind === 'exact') nodeIds.add(r.match.id);
    if (r.kind === 'proposals') for (const p of r.proposals) nodeIds.add(p.id);
  }
  const nodes = new Map((await prisma.classNode.findMany({ where: { id: { in: [...nodeIds] } } })).map((n) => [n.id, n]));
  const node = (id: string) => {
    const n = nodes.get(id);
    if (!n) throw notFound('class', id);
    return n;
  };

  const out: LabelResolution[] = [];
  const used = new Map<string, string>();
  for (const c of classes) {
    const name = (c.name ?? c.label).trim();
    const merge = (n: ClassNode): LabelResolution => ({ label: c.label, resolution: 'MERGE', classNode: n, outputUnit: units.get(n.id)! });
    const placedId = placed.get(name);
    const parentId = c.parentClassId ?? (placedId && nodes.has(placedId) ? placedId : null); // a seeded hierarchy has it
    const fresh = (allowDuplicateName: boolean): LabelResolution => ({
      label: c.label, resolution: 'NEW', classNode: null, outputUnit: null, create: { name, parentId, allowDuplicateName },
    });
    let r: LabelResolution;
    if (c.mergeIntoClassId) {
      if (c.resolution === 'NEW') throw badInput(`label "${c.label}": mergeIntoClassId contradicts resolution NEW`);
      const n = node(c.mergeIntoClassId);
      if (!units.has(n.id)) throw badInput(`label "${c.label}": class "${n.name}" is not a class of the parent version, cannot merge into it`);
      r = merge(n);
    } else {
      const res = resOf.get(c)!;
      if (res.kind === 'exact') {
        const n = node(res.match.id);
        if (units.has(n.id)) r = c.resolution === 'NEW' ? fresh(true) : merge(n);
        else if (c.resolution === 'MERGE') throw badInput(`label "${c.label}": class "${n.name}" is not a class of the parent version, cannot merge into it`);
        else r = c.parentClassId ? fresh(true) : { label: c.label, resolution: 'NEW', classNode: n, outputUnit: null };
      } else if (res.kind === 'proposals') {
        const inParent = res.proposals.filter((p) => units.has(p.id));
        if (c.resolution === 'MERGE') {
          if (!inParent.length) throw badInput(`label "${c.label}": no class of the parent version matches "${name}"; pass mergeIntoClassId`);
          r = merge(node(inParent[0].id));
        } else if (c.resolution === 'NEW') {
          r = fresh(true);
        } else if (inParent.length && inParent[0].score >= 0.85) {
          const p = inParent[0];
          throw badInput(
            `label "${c.label}" is close to class "${p.name}" (${p.reason}) of the parent version; ` +
              'set resolution MERGE (or mergeIntoClassId) to merge into it, or NEW to add a separate class',
            { label: c.label, proposals: inParent.slice(0, 5).map((x) => ({ id: x.id, name: x.name, reason: x.reason, score: x.score })) },
          );
        } else {
          r = fresh(false);
        }
      } else {
        if (c.resolution === 'MERGE') throw badInput(`label "${c.label}": no class matches "${name}"; pass mergeIntoClassId`);
        r = fresh(false);
      }
    }
    if (r.classNode) {
      const prev = used.get(r.classNode.id);
      if (prev) throw badInput(`labels "${prev}" and "${c.label}" both resolve to class "${r.classNode.name}"`);
      used.set(r.classNode.id, c.label);
    }
    out.push(r);
  }
  return out;
}
