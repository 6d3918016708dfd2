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

/**
 * What a version's roll-up rests on that never changes once it is READY: its units' classes, and the parents its
 * lineage's growth steps declared (units are stable from a parent to its children). The names and places of the
 * classes do change (renameClass, moveClass): those are read per use, see unitChain.
 */
export interface VersionRollUp {
  classes: { outputUnit: number; classNodeId: string }[];
  unitOf: Map<string, number>;
  nodeOfUnit: Map<number, string>;
  /** unit → the units a growth step declared above it (labelDecisions.descendants: `mountain` above `alp`). */
  declared: Map<number, number[]>;
}

export async function versionRollUp(
  prisma: PrismaClient,
  versionId: string,
  units?: { outputUnit: number; classNodeId: string }[],
): Promise<VersionRollUp> {
  const classes =
    units ??
    (await prisma.versionClass.findMany({
      where: { versionId },
      orderBy: { outputUnit: 'asc' },
      select: { outputUnit: true, classNodeId: true },
    }));
  const unitOf = new Map(classes.map((c) => [c.classNodeId, c.outputUnit]));
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
  return { classes, unitOf, nodeOfUnit: new Map(classes.map((c) => [c.outputUnit, c.classNodeId])), declared };
}

/**
 * One unit's chain from its class's taxonomy chain as it is now (root first, the class itself last): the version's
 * classes above it, nearest first, after the ones its lineage declared.
 */
export function unitChain(r: VersionRollUp, unit: number, chain: { id: string; name: string }[]): UnitChain {
  const above: number[] = [];
  for (let i = chain.length - 2; i >= 0; i--) {
    const u = r.unitOf.get(chain[i].id);
    if (u !== undefined && u !== unit) above.push(u);
  }
  const path = chain.map((n) => n.name);
  return { unit, name: path.at(-1) ?? '', path, rollsUpTo: [...new Set([...(r.declared.get(unit) ?? []), ...above])] };
}

/** Every unit's chain (what the export writes as taxonomy.json), from one read of the class nodes. */
export async function versionClassChains(
  prisma: PrismaClient,
  versionId: string,
  units?: { outputUnit: number; classNodeId: string }[],
): Promise<UnitChain[]> {
  const r = await versionRollUp(prisma, versionId, units);
  const nodes = new Map(
    (await prisma.classNode.findMany({ select: { id: true, parentId: true, name: true } })).map((n) => [n.id, n]),
  );
  return r.classes.map((c) => {
    const chain: { id: string; name: string }[] = [];
    for (
      let n = nodes.get(c.classNodeId), guard = 0;
      n && guard < 100;
      n = n.parentId ? nodes.get(n.parentId) : undefined, guard++
    )
      chain.unshift(n);
    return unitChain(r, c.outputUnit, chain);
  });
}
