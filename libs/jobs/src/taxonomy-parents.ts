// Each label's parent class in the taxonomy, for the evaluation's roll-up: a daisy taken for a sunflower is
// wrong as a species but right as a flower. Classes at the root have no parent and are left out of it.
import type { PrismaClient } from '@accrete/db';

export async function taxonomyParentNames(prisma: PrismaClient, classes: { label: string; classNodeId: string }[]): Promise<Map<string, string>> {
  const nodes = await prisma.classNode.findMany({ where: { id: { in: classes.map((c) => c.classNodeId) } }, select: { id: true, parentId: true } });
  const parentIds = [...new Set(nodes.map((n) => n.parentId).filter((id): id is string => !!id))];
  const parents = await prisma.classNode.findMany({ where: { id: { in: parentIds } }, select: { id: true, name: true } });
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  const nameOf = new Map(parents.map((p) => [p.id, p.name]));
  const out = new Map<string, string>();
  const ambiguous = new Set<string>(); // ImageNet has two "crane"s (bird, machine): such labels are left out
  for (const c of classes) {
    const parentName = nameOf.get(parentOf.get(c.classNodeId) ?? '');
    if (parentName === undefined) continue;
    const seen = out.get(c.label);
    if (seen !== undefined && seen !== parentName) ambiguous.add(c.label);
    out.set(c.label, parentName);
  }
  for (const label of ambiguous) out.delete(label);
  return out;
}
