// Ranked name search over class names, synonyms and aliases, all in memory. Used for the search box
// and, with stricter rules, for finding existing classes before a duplicate is created (resolve.ts).
import { allowedTypos, editDistance, looseKey, normalizeName, singularKey } from './names.js';

export interface IndexInput {
  id: string;
  name: string;
  synonyms?: readonly string[];
  aliases?: readonly string[];
  /** ImageNet output unit or any marker that this is a trained class rather than an inner synset. */
  isClass?: boolean;
}

export type TermField = 'name' | 'synonym' | 'alias';

export type MatchReason =
  | 'exact'
  | 'same name ignoring case'
  | 'plural/singular'
  | 'same spelling ignoring punctuation'
  | 'prefix'
  | 'word prefix'
  | 'substring'
  | 'similar spelling';

export interface SearchHit {
  id: string;
  name: string;
  /** The name, synonym or alias that matched. */
  term: string;
  field: TermField;
  reason: MatchReason;
  /** 0..1, higher is better; comparable across queries (exact ≈ 0.99, case ≈ 0.97, plural ≈ 0.9). */
  score: number;
  /** Edit distance for "similar spelling". */
  distance?: number;
}

interface Term {
  nodeId: string;
  text: string;
  field: TermField;
  normalized: string;
  loose: string;
  singular: string;
}

const FIELD_RANK: Record<TermField, number> = { name: 0, alias: 0.005, synonym: 0.01 };

export class TaxonomySearchIndex {
  private readonly terms: Term[] = [];
  private readonly nodes = new Map<string, IndexInput>();
  private readonly byNormalized = new Map<string, Term[]>();
  private readonly byLoose = new Map<string, Term[]>();
  private readonly bySingular = new Map<string, Term[]>();

  constructor(nodes: Iterable<IndexInput>) {
    for (const n of nodes) {
      this.nodes.set(n.id, n);
      this.add(n.id, n.name, 'name');
      for (const s of n.synonyms ?? []) this.add(n.id, s, 'synonym');
      for (const a of n.aliases ?? []) this.add(n.id, a, 'alias');
    }
  }

  get termCount(): number {
    return this.terms.length;
  }

  node(id: string): IndexInput | undefined {
    return this.nodes.get(id);
  }

  private add(nodeId: string, text: string, field: TermField): void {
    const normalized = normalizeName(text);
    if (normalized === '') return;
    const t: Term = { nodeId, text, field, normalized, loose: looseKey(text), singular: singularKey(normalized) };
    this.terms.push(t);
    push(this.byNormalized, t.normalized, t);
    push(this.byLoose, t.loose, t);
    push(this.bySingular, t.singular, t);
  }

  /** Terms equal to `text` ignoring case, underscores and spacing (the "same name" of duplicate checks). */
  sameName(text: string): { id: string; term: string; field: TermField }[] {
    return (this.byNormalized.get(normalizeName(text)) ?? []).map((t) => ({
      id: t.nodeId,
      term: t.text,
      field: t.field,
    }));
  }

  /** Terms whose text equals `text` exactly (after trimming), e.g. for exact-match resolution. */
  verbatim(text: string): { id: string; term: string; field: TermField }[] {
    const key = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
    return (this.byNormalized.get(normalizeName(text)) ?? [])
      .filter((t) => t.text === key)
      .map((t) => ({ id: t.nodeId, term: t.text, field: t.field }));
  }

  /**
   * Classes whose name, alias or synonym is the same word as `text`: equal ignoring case and punctuation
   * ("globe-flower" = "globeflower"), or in singular/plural form ("buildings" = "building"). Names before aliases
   * before synonyms, classes before inner synsets; the placement rule's notion of "the same name".
   */
  sameWord(text: string): { id: string; term: string; field: TermField; plural: boolean }[] {
    const q = normalizeName(text);
    if (q === '') return [];
    const seen = new Set<string>();
    const out: { id: string; term: string; field: TermField; plural: boolean; rank: number }[] = [];
    const add = (terms: Term[] | undefined, plural: boolean) => {
      for (const t of terms ?? []) {
        if (seen.has(t.nodeId)) continue;
        seen.add(t.nodeId);
        const rank = (plural ? 1 : 0) + FIELD_RANK[t.field] * 10 + (this.nodes.get(t.nodeId)?.isClass ? 0 : 0.5);
        out.push({ id: t.nodeId, term: t.text, field: t.field, plural, rank });
      }
    };
    add(this.byLoose.get(looseKey(q)), false);
    add(this.bySingular.get(singularKey(q)), true);
    return out.sort((a, b) => a.rank - b.rank).map(({ rank: _rank, ...m }) => m);
  }

  /**
   * Candidates that could be the same class as `name`: same name ignoring case, plural/singular,
   * punctuation, or a small edit distance. No prefix/substring matches: those are not duplicates.
   */
  similar(name: string, limit = 5): SearchHit[] {
    return this.run(name, limit, false);
  }

  /** Ranked search for the search box: also prefixes, word prefixes and substrings. */
  search(query: string, limit = 20): SearchHit[] {
    return this.run(query, limit, true);
  }

  private run(query: string, limit: number, partial: boolean): SearchHit[] {
    const q = normalizeName(query);
    if (q === '' || limit <= 0) return [];
    const qLoose = looseKey(q);
    const qSingular = singularKey(q);
    const best = new Map<string, SearchHit>();
    const offer = (t: Term, reason: MatchReason, base: number, distance?: number) => {
      // Small nudges so that, at equal quality, names beat synonyms, classes beat inner synsets, short beats long.
      const node = this.nodes.get(t.nodeId) as IndexInput;
      const score =
        base - FIELD_RANK[t.field] + (node.isClass ? 0.004 : 0) - Math.min(t.normalized.length, 100) * 0.00001;
      const prev = best.get(t.nodeId);
      if (prev && prev.score >= score) return;
      const hit: SearchHit = { id: t.nodeId, name: node.name, term: t.text, field: t.field, reason, score };
      if (distance !== undefined) hit.distance = distance;
      best.set(t.nodeId, hit);
    };

    for (const t of this.byNormalized.get(q) ?? []) {
      const verbatim = t.text.trim() === query.trim();
      offer(t, verbatim ? 'exact' : 'same name ignoring case', verbatim ? 0.99 : 0.97);
    }
    for (const t of this.bySingular.get(qSingular) ?? []) if (t.normalized !== q) offer(t, 'plural/singular', 0.9);
    for (const t of this.byLoose.get(qLoose) ?? [])
      if (t.normalized !== q) offer(t, 'same spelling ignoring punctuation', 0.92);

    const typos = allowedTypos(qLoose.length, !partial);
    for (const t of this.terms) {
      if (partial && t.normalized !== q) {
        if (t.normalized.startsWith(q)) offer(t, 'prefix', 0.7 + 0.15 * (q.length / t.normalized.length));
        else if (t.normalized.includes(' ' + q)) offer(t, 'word prefix', 0.6 + 0.1 * (q.length / t.normalized.length));
        else if (q.length >= 3 && t.normalized.includes(q))
          offer(t, 'substring', 0.5 + 0.1 * (q.length / t.normalized.length));
      }
      if (
        typos > 0 &&
        Math.abs(t.loose.length - qLoose.length) <= typos &&
        t.loose !== qLoose &&
        t.singular !== qSingular
      ) {
        const d = editDistance(t.loose, qLoose);
        if (d <= typos) offer(t, 'similar spelling', 0.8 - 0.1 * d, d);
        else if (t.singular !== t.loose || qSingular !== qLoose) {
          const ds = editDistance(t.singular, qSingular);
          if (ds <= typos) offer(t, 'similar spelling', 0.78 - 0.1 * ds, ds);
        }
      }
    }
    return [...best.values()].sort(compareHits).slice(0, limit);
  }
}

function compareHits(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
