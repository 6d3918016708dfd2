// Turns the class names a user wants in a new version into existing classes where possible, so that
// "daisy" from a flower dataset becomes ImageNet's daisy instead of a second, competing class.
import { normalizeName, validateClassName } from './names.js';
import type { MatchReason, SearchHit, TaxonomySearchIndex, TermField } from './search.js';

export interface MergeProposal {
  id: string;
  name: string;
  term: string;
  field: TermField;
  score: number;
  reason: MatchReason | 'same name (ambiguous)';
}

export type ClassNameResolution =
  /** The name is verbatim the name or an alias of exactly one class: use it. */
  | { input: string; kind: 'exact'; match: { id: string; name: string; field: TermField } }
  /** Close matches to confirm (merge into one of them) or reject (create a new class). */
  | { input: string; kind: 'proposals'; proposals: MergeProposal[] }
  /** Nothing similar exists. */
  | { input: string; kind: 'new' };

export function resolveNames(
  index: TaxonomySearchIndex,
  names: readonly string[],
  maxProposals = 5,
): ClassNameResolution[] {
  return names.map((input) => resolveName(index, input, maxProposals));
}

export function resolveName(index: TaxonomySearchIndex, input: string, maxProposals = 5): ClassNameResolution {
  const name = validateClassName(input);
  // Exact means the very same text as a name or alias (synonyms are WordNet's and may be loose).
  const exact = index.verbatim(name).filter((v) => v.field !== 'synonym');
  const exactIds = [...new Set(exact.map((v) => v.id))];
  if (exactIds.length === 1) {
    const node = index.node(exactIds[0]);
    return { input, kind: 'exact', match: { id: exactIds[0], name: node?.name ?? name, field: exact[0].field } };
  }
  const hits: MergeProposal[] = index.similar(name, maxProposals + exactIds.length).map((h: SearchHit) => ({
    id: h.id,
    name: h.name,
    term: h.term,
    field: h.field,
    score: h.score,
    reason: exactIds.length > 1 && exactIds.includes(h.id) ? 'same name (ambiguous)' : h.reason,
  }));
  if (hits.length === 0) return { input, kind: 'new' };
  return { input, kind: 'proposals', proposals: hits.slice(0, Math.max(maxProposals, exactIds.length)) };
}

/** Normalized names that occur more than once in `names` (a request to add "Daisy" and "daisy"). */
export function duplicateNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const n of names) seen.set(normalizeName(n), (seen.get(normalizeName(n)) ?? 0) + 1);
  return [...seen].filter(([, c]) => c > 1).map(([n]) => n);
}
