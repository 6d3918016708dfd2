// Which class each requested dataset label becomes in a new version. One rule decides what a name means: the
// taxonomy's placement rule (libs/taxonomy placeName, also behind classPlacement and the growth overlap report).
// Defaults when the caller says nothing (documented in apps/api/README.md, recorded per label in the version's
// growth record, params.growth):
// - the name IS several classes equally ("crane": the bird and the machine) → refused (AMBIGUOUS_NAME, listing them)
//   until the caller merges into one of them or asks for a NEW class;
// - the name IS a class the parent predicts (same word, plural/singular, synonym, alias) → MERGE into its unit;
// - the name IS another class (an inner WordNet synset such as "building", a user class not in the parent) → a NEW
//   unit for that class;
// - otherwise → NEW unit for a new user class (created inside the version transaction), filed where the rule puts it
//   (under its head noun or WordNet's place: "oxeye daisy" under daisy, "sunflower" under flower), else at the root.
// The caller can instead merge into a named class, make a new class under a named parent, declare the new class the
// taxonomy parent of old classes (`parentOfClassIds`) or have it taught to win over them (`winsOverClassIds`).
import type { PrismaClient, ClassNode } from '@accrete/db';
import { badInput, notFound } from '@accrete/errors';
import { getTaxonomySnapshot, snapshotPlacementView } from '@accrete/taxonomy-store';
import { placeName } from '@accrete/taxonomy';
import type { LabelDecisionRecord } from '@accrete/shapes';
export type { LabelDecisionRecord };
import type { ClassToAdd } from './versions.js';

export interface LabelResolution {
  label: string;
  resolution: 'NEW' | 'MERGE';
  classNode: ClassNode | null;
  outputUnit: number | null;
  /** set when a user class must be created (inside the version transaction) */
  create?: { name: string; parentId: string | null; allowDuplicateName: boolean };
  /** output units of the parent this label takes over (trainer contract: GrowRequest.labelDecisions) */
  takeOver?: { descendants?: number[]; winsOver?: number[] };
  record: LabelDecisionRecord;
}

export async function resolveLabels(
  prisma: PrismaClient,
  parentVersionId: string,
  classes: ClassToAdd[],
): Promise<LabelResolution[]> {
  const units = new Map(
    (
      await prisma.versionClass.findMany({
        where: { versionId: parentVersionId },
        select: { classNodeId: true, outputUnit: true },
      })
    ).map((u) => [u.classNodeId, u.outputUnit]),
  );
  const snap = await getTaxonomySnapshot(prisma);
  const view = snapshotPlacementView(snap);
  const nodeIds = new Set<string>();
  for (const c of classes) {
    for (const id of [
      c.mergeIntoClassId,
      c.parentClassId,
      ...(c.parentOfClassIds ?? []),
      ...(c.winsOverClassIds ?? []),
    ])
      if (id) nodeIds.add(id);
  }
  const placements = new Map(
    classes.map((c) => [c, c.mergeIntoClassId ? null : placeName(view, (c.name ?? c.label).trim())]),
  );
  for (const p of placements.values()) if (p) for (const id of [p.id, p.parentId]) if (id) nodeIds.add(id);
  const nodes = new Map(
    (await prisma.classNode.findMany({ where: { id: { in: [...nodeIds] } } })).map((n) => [n.id, n]),
  );
  const node = (id: string) => {
    const n = nodes.get(id);
    if (!n) throw notFound('class', id);
    return n;
  };
  const unitsOf = (label: string, ids: readonly string[] | null | undefined, what: string) =>
    (ids ?? []).map((id) => {
      const u = units.get(id);
      if (u === undefined)
        throw badInput(`label "${label}": ${what} class "${node(id).name}" is not a class of the parent version`);
      return u;
    });

  const out: LabelResolution[] = [];
  const used = new Map<string, string>();
  for (const c of classes) {
    const name = (c.name ?? c.label).trim();
    const p = placements.get(c) ?? null;
    const caller = !!(c.resolution || c.mergeIntoClassId || c.parentClassId);
    const reason = caller ? ('caller' as const) : (p?.reason ?? ('no match' as const));
    const merge = (n: ClassNode): LabelResolution => ({
      label: c.label,
      resolution: 'MERGE',
      classNode: n,
      outputUnit: units.get(n.id)!,
      record: { label: c.label, decision: 'merge', classId: n.id, reason, byDefault: !caller },
    });
    const fresh = (parentId: string | null, allowDuplicateName: boolean): LabelResolution => ({
      label: c.label,
      resolution: 'NEW',
      classNode: null,
      outputUnit: null,
      create: { name, parentId, allowDuplicateName },
      record: { label: c.label, decision: 'new', parentId, reason, byDefault: !caller },
    });
    const existing = (n: ClassNode): LabelResolution => ({
      label: c.label,
      resolution: 'NEW',
      classNode: n,
      outputUnit: null,
      record: { label: c.label, decision: 'new', classId: n.id, parentId: n.parentId, reason, byDefault: !caller },
    });
    let r: LabelResolution;
    if (c.mergeIntoClassId) {
      if (c.resolution === 'NEW') throw badInput(`label "${c.label}": mergeIntoClassId contradicts resolution NEW`);
      const n = node(c.mergeIntoClassId);
      if (!units.has(n.id))
        throw badInput(
          `label "${c.label}": class "${n.name}" is not a class of the parent version, cannot merge into it`,
        );
      r = merge(n);
    } else if (p?.candidates && c.resolution !== 'NEW') {
      // the name is several classes ("crane": bird or machine): picking the first would be a silent guess
      const candidates = p.candidates.map((m) => ({
        classId: m.id,
        name: snap.tree.get(m.id).name,
        outputUnit: units.get(m.id) ?? null,
      }));
      const described = candidates.map((m) => {
        const path = snap.tree
          .ancestors(m.classId)
          .slice(-3)
          .map((a) => a.name)
          .join(' › ');
        return `"${m.name}" (${path}${m.outputUnit === null ? ', not in the parent version' : `, unit ${m.outputUnit}`})`;
      });
      throw badInput(
        `label "${c.label}" is ambiguous: "${name}" is ${described.join(' and ')}; ` +
          'pass mergeIntoClassId with one of them, or resolution NEW for a class of its own',
        { reason: 'AMBIGUOUS_NAME', label: c.label, candidates },
      );
    } else if (p?.relation === 'is') {
      const n = node(p.id);
      if (units.has(n.id)) r = c.resolution === 'NEW' ? fresh(c.parentClassId ?? p.parentId, true) : merge(n);
      else if (c.resolution === 'MERGE')
        throw badInput(
          `label "${c.label}": class "${n.name}" is not a class of the parent version, cannot merge into it`,
        );
      else r = c.parentClassId ? fresh(c.parentClassId, true) : existing(n);
    } else if (c.resolution === 'MERGE') {
      // MERGE without a target: into the class the rule files the name under, when the parent predicts it
      if (!p || !units.has(p.id))
        throw badInput(`label "${c.label}": no class of the parent version matches "${name}"; pass mergeIntoClassId`);
      r = merge(node(p.id));
    } else {
      r = fresh(c.parentClassId ?? p?.parentId ?? null, false);
    }
    if (r.resolution === 'MERGE' && (c.parentOfClassIds?.length || c.winsOverClassIds?.length)) {
      throw badInput(
        `label "${c.label}" is merged into an existing class; parentOfClassIds/winsOverClassIds apply to new classes only`,
      );
    }
    if (r.resolution === 'NEW') {
      const descendants = unitsOf(c.label, c.parentOfClassIds, 'parentOf');
      const winsOver = unitsOf(c.label, c.winsOverClassIds, 'winsOver');
      // a class declared the parent of old classes is not filed below them: under their nearest common ancestor instead
      if (descendants.length && r.create && !c.parentClassId) {
        const below = (id: string | null) => !!id && c.parentOfClassIds!.some((d) => snap.tree.isUnder(id, d));
        if (below(r.create.parentId)) {
          let lca: string | null = snap.tree.get(c.parentOfClassIds![0]).parentId;
          for (const d of c.parentOfClassIds!.slice(1)) {
            const p2 = snap.tree.get(d).parentId;
            lca = lca && p2 ? (snap.tree.lowestCommonAncestor(lca, p2)?.id ?? null) : null;
          }
          r.create = { ...r.create, parentId: lca };
          r.record = { ...r.record, parentId: lca };
        }
      }
      if (descendants.length || winsOver.length) {
        r.takeOver = { ...(descendants.length ? { descendants } : {}), ...(winsOver.length ? { winsOver } : {}) };
        r.record = {
          ...r.record,
          byDefault: false,
          ...(descendants.length ? { parentOf: c.parentOfClassIds! } : {}),
          ...(winsOver.length ? { winsOver: c.winsOverClassIds! } : {}),
        };
      }
    }
    if (r.classNode) {
      const prev = used.get(r.classNode.id);
      if (prev)
        throw badInput(`labels "${prev}" and "${c.label}" both resolve to class "${r.classNode.name}"`, {
          reason: 'SAME_CLASS',
          labels: [prev, c.label],
        });
      used.set(r.classNode.id, c.label);
    }
    out.push(r);
  }
  return out;
}
