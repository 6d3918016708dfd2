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
import { RegistryError, badInput, notFound } from '@accrete/errors';
import { getTaxonomySnapshot, refuse, snapshotPlacementView } from '@accrete/taxonomy-store';
import { newClassNameProblems, placeName } from '@accrete/taxonomy';
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

/** A label's resolution, or the refusal createModelVersion gives for it (alone, or with the request's other labels). */
export interface LabelOutcome {
  label: string;
  resolution?: LabelResolution;
  /** details.reason is the stable code (AMBIGUOUS_NAME, SAME_CLASS, DUPLICATE_NAME, INVALID_NAME, …) when known. */
  error?: RegistryError;
}

/** Every label's outcome: the growth overlap report shows them all, createModelVersion refuses the first problem. */
export async function resolveEachLabel(
  prisma: PrismaClient,
  parentVersionId: string,
  classes: ClassToAdd[],
): Promise<LabelOutcome[]> {
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

  const resolveOne = (c: ClassToAdd): LabelResolution => {
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
      // a second unit of the same name in one version would be told apart by nobody (labels.json, predictions,
      // comparisons): a new class needs a name of its own
      if (units.has(n.id) && c.resolution === 'NEW')
        throw refuse(
          'DUPLICATE_NAME',
          `label "${c.label}": the parent version already has a class "${n.name}" (unit ${units.get(n.id)}); ` +
            'merge into it, or give the new class a name of its own (name)',
          { label: c.label, classId: n.id },
        );
      if (units.has(n.id)) r = merge(n);
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
    return r;
  };

  const out: LabelOutcome[] = classes.map((c) => {
    try {
      return { label: c.label, resolution: resolveOne(c) };
    } catch (e) {
      if (e instanceof RegistryError) return { label: c.label, error: e };
      throw e;
    }
  });
  // rules across labels, on every label they concern (so the overlap report shows each one)
  const byClass = new Map<string, LabelOutcome[]>();
  for (const o of out) {
    const id = o.resolution?.classNode?.id;
    if (id) byClass.set(id, [...(byClass.get(id) ?? []), o]);
  }
  for (const [id, same] of byClass) {
    if (same.length < 2) continue;
    for (const o of same) {
      const others = same.filter((x) => x !== o).map((x) => `"${x.label}"`);
      o.error = badInput(
        `label "${o.label}" resolves to the same class as ${others.join(', ')} (class "${snap.tree.get(id).name}"): ` +
          'choose for one of them',
        { reason: 'SAME_CLASS', labels: same.map((x) => x.label) },
      );
    }
  }
  // the names of the classes the version creates, by the rules createClasses enforces (one home: libs/taxonomy)
  const creating = out.filter((o) => !o.error && o.resolution?.create);
  newClassNameProblems(creating.map((o) => o.resolution!.create!)).forEach((p, i) => {
    if (!p) return;
    const o = creating[i];
    const fix = p.code === 'INVALID_NAME' ? 'give its class a name' : 'give one of them another name';
    o.error = refuse(p.code, `label "${o.label}": ${p.message}; ${fix}`, { ...p.details, label: o.label });
  });
  return out;
}

/** Which class each label becomes; refuses with the first label's problem (see resolveEachLabel). */
export async function resolveLabels(
  prisma: PrismaClient,
  parentVersionId: string,
  classes: ClassToAdd[],
): Promise<LabelResolution[]> {
  const out = await resolveEachLabel(prisma, parentVersionId, classes);
  const refused = out.find((o) => o.error);
  if (refused) throw refused.error;
  return out.map((o) => o.resolution!);
}
