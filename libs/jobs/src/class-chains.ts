// The class → parent chain of a version's output units, for roll-up by clients: what `predict` serves beside the
// top-k leaves and what the export writes as taxonomy.json beside labels.json. One home, so both agree.
// A unit rolls up to the version's classes above it in the taxonomy (nearest first) and to the new classes a
// growth step declared its parent (labelDecisions.descendants: `mountain` above `alp`).
import type { PrismaClient } from '@accrete/db';
import { tryParseTrainingParams } from './params.js';

export interface UnitChain {
  unit: number;
  name: string;
  /** Class names from the taxonomy root down to this class. */
  path: string[];
  /** Output units of the version this class rolls up to, nearest first. */
  rollsUpTo: number[];
}

export const TAXONOMY_FILE_FORMAT = 'accrete-taxonomy/1';

export async function versionClassChains(
  prisma: PrismaClient,
  versionId: string,
  units?: { outputUnit: number; classNodeId: string }[],
): Promise<UnitChain[]> {
  const classes =
    units ??
    (await prisma.versionClass.findMany({
      where: { versionId },
      orderBy: { outputUnit: 'asc' },
      select: { outputUnit: true, classNodeId: true },
    }));
  const nodes = new Map(
    (await prisma.classNode.findMany({ select: { id: true, parentId: true, name: true } })).map((n) => [n.id, n]),
  );
  const unitOf = new Map(classes.map((c) => [c.classNodeId, c.outputUnit]));
  // declared parents along the lineage (units are stable from a parent to its children)
  const declared = new Map<number, number[]>();
  const seen = new Set<string>();
  for (let id: string | null = versionId; id && !seen.has(id);) {
    seen.add(id);
    const v: { parentId: string | null; params: unknown } | null = await prisma.modelVersion.findUnique({
      where: { id },
      select: { parentId: true, params: true },
    });
    if (!v) break;
    const p = tryParseTrainingParams(v.params);
    for (const [label, d] of Object.entries(p?.labelDecisions ?? {})) {
      const node = p!.newClasses.find((c) => c.label === label)?.classNodeId;
      const above = node ? unitOf.get(node) : undefined;
      if (above === undefined) continue;
      for (const u of d.descendants ?? []) declared.set(u, [...(declared.get(u) ?? []), above]);
    }
    id = v.parentId;
  }
  return classes.map((c) => {
    const path: string[] = [];
    const above: number[] = [];
    for (
      let n = nodes.get(c.classNodeId), guard = 0;
      n && guard < 100;
      n = n.parentId ? nodes.get(n.parentId) : undefined, guard++
    ) {
      path.unshift(n.name);
      const u = unitOf.get(n.id);
      if (n.id !== c.classNodeId && u !== undefined) above.push(u);
    }
    const rollsUpTo = [...new Set([...(declared.get(c.outputUnit) ?? []), ...above])];
    return { unit: c.outputUnit, name: path.at(-1) ?? '', path, rollsUpTo };
  });
}
