// Which requested classes are already output units of the parent. A new class whose name matches a parent label
// (any of its comma-separated synonyms, ignoring case, spaces/underscores/hyphens) is merged into that unit: its
// examples refine the unit instead of adding a duplicate. Callers that know WordNet ids (the taxonomy) pass
// explicit `mergeInto` entries, which take precedence.

export const nameKey = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

/** synonym key → every parent unit that has it as its label or as one of its synonyms. */
export function labelIndex(parentLabels: string[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  parentLabels.forEach((label, unit) => {
    for (const syn of [label, ...label.split(',')]) {
      const key = nameKey(syn.trim());
      if (!key) continue;
      const units = byKey.get(key) ?? [];
      if (!units.includes(unit)) units.push(unit);
      byKey.set(key, units);
    }
  });
  return byKey;
}

export interface ClassPlan {
  /** Classes that get a new output unit, in request order (unit = parent classes + index). */
  appended: string[];
  /** label → existing unit, for requested classes that merge into a parent unit. */
  merged: Record<string, number>;
  /** Unit of every label the request may use (appended, merged and the parent's own labels). */
  unitOf(label: string): number | undefined;
}

export function planClasses(
  parentLabels: string[],
  newClasses: string[],
  mergeInto: Record<string, number> = {},
  autoMerge = true,
): ClassPlan {
  const P = parentLabels.length;
  for (const [label, unit] of Object.entries(mergeInto)) {
    if (!Number.isInteger(unit) || unit < 0 || unit >= P)
      throw new Error(`mergeInto["${label}"] = ${unit} is not a unit of the parent (0..${P - 1})`);
  }
  const index = labelIndex(parentLabels);
  const merged: Record<string, number> = { ...mergeInto };
  const appended: string[] = [];
  const seen = new Set<string>();
  for (const c of newClasses) {
    const key = nameKey(c);
    if (!key) throw new Error(`class name "${c}" has no letters or digits`);
    if (seen.has(key)) throw new Error(`class "${c}" is requested twice`);
    seen.add(key);
    if (c in merged) continue;
    const units = autoMerge ? index.get(key) : undefined;
    if (units && units.length > 1) {
      throw new Error(
        `class "${c}" matches several parent units (${units.join(', ')}): say which one in mergeInto, or rename it`,
      );
    }
    if (units) merged[c] = units[0];
    else appended.push(c);
  }
  const exact = new Map(parentLabels.map((l, u) => [l, u]));
  return {
    appended,
    merged,
    unitOf(label: string) {
      if (label in merged) return merged[label];
      const j = appended.indexOf(label);
      if (j >= 0) return P + j;
      const units = index.get(nameKey(label));
      return exact.get(label) ?? (units?.length === 1 ? units[0] : undefined);
    },
  };
}
