// Each label's parent class in the taxonomy, for the evaluation's roll-up: a daisy taken for a sunflower is
// wrong as a species but right as a flower. Classes at the root have no parent and are left out of it.
// Two halves: the database lookup (class node → its name and its parent's name, in the job's parent process) and the
// join with the labels (pure, in the training process, which alone knows the parent's labels).
import type { PrismaClient } from '@accrete/db';

/** Each class node's name (what a version's labels.json, predictions and reports call its unit) and its parent
 *  class's name, for the nodes that have one: one read of the nodes, one of their parents. */
export async function namesOfNodes(
  prisma: PrismaClient,
  classNodeIds: string[],
): Promise<{ name: Map<string, string>; parentName: Map<string, string>; user: Set<string> }> {
  const nodes = await prisma.classNode.findMany({
    where: { id: { in: [...new Set(classNodeIds)] } },
    select: { id: true, name: true, parentId: true, origin: true },
  });
  const parentIds = [...new Set(nodes.map((n) => n.parentId).filter((id): id is string => !!id))];
  const parents = await prisma.classNode.findMany({
    where: { id: { in: parentIds } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(parents.map((p) => [p.id, p.name]));
  const parentName = new Map<string, string>();
  for (const n of nodes) {
    const name = n.parentId ? nameOf.get(n.parentId) : undefined;
    if (name !== undefined) parentName.set(n.id, name);
  }
  return {
    name: new Map(nodes.map((n) => [n.id, n.name])),
    parentName,
    user: new Set(nodes.filter((n) => n.origin === 'USER').map((n) => n.id)),
  };
}

/**
 * The parent's labels as the child trains and exports them: a user class's unit is called by the class's name today.
 * labels.json keeps the name a class had when that version was published, and a rename since (renameClass) would
 * otherwise reach the child's labels.json, the trainer's label space and the lineage's images under the old name,
 * beside a new class the registry let take that freed name: two units of one name. ImageNet units keep the
 * backbone's label (its whole synonym list); their names cannot change.
 */
export function currentParentLabels(
  labels: string[],
  classes: { outputUnit: number; classNodeId: string }[],
  names: { name: Map<string, string>; user: Set<string> },
): string[] {
  const out = [...labels];
  for (const c of classes) {
    const name = names.user.has(c.classNodeId) ? names.name.get(c.classNodeId) : undefined;
    if (name !== undefined && c.outputUnit < out.length) out[c.outputUnit] = name;
  }
  return out;
}

/** label → parent name; labels with no parent, or two different ones (ImageNet's two "crane"s), are left out. */
export function ancestorsByLabel(classes: { label: string; parent?: string | null }[]): Map<string, string> {
  const out = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const c of classes) {
    if (c.parent == null) continue;
    const seen = out.get(c.label);
    if (seen !== undefined && seen !== c.parent) ambiguous.add(c.label);
    out.set(c.label, c.parent);
  }
  for (const label of ambiguous) out.delete(label);
  return out;
}

export async function taxonomyParentNames(
  prisma: PrismaClient,
  classes: { label: string; classNodeId: string }[],
): Promise<Map<string, string>> {
  const { parentName: parentOf } = await namesOfNodes(
    prisma,
    classes.map((c) => c.classNodeId),
  );
  return ancestorsByLabel(classes.map((c) => ({ label: c.label, parent: parentOf.get(c.classNodeId) })));
}
