// THE rule for what a class name means in the taxonomy: which existing class it is, or which class it goes
// under when it is new. `classPlacement`, `resolveClassName` proposals, job-time filing and the growth overlap
// report all call `placeName`, so they cannot disagree. WordNet's side is libs/taxonomy/data/wordnet-placement.json,
// made with the hierarchy by tools/taxonomy/generate-imagenet-taxonomy.ts.
import { readFileSync } from 'node:fs';
import { TaxonomyError } from './errors.js';
import { loadImagenetTaxonomy } from './data.js';
import { looseKey, normalizeName, singularKey } from './names.js';
import { TaxonomySearchIndex } from './search.js';
import { TaxonomyTree } from './tree.js';

export const PLACEMENT_DATA_FORMAT = 'accrete-placement/1';

export interface PlacementDataFile {
  format: typeof PLACEMENT_DATA_FORMAT;
  source: string;
  license: string;
  rule: string;
  generator: string;
  counts: { parents: number; lemmas: number };
  /** hierarchy wnid → lemmas (lower case, words separated by spaces) that WordNet files under it */
  parents: Record<string, string[]>;
}

export const PLACEMENT_PATH = new URL('../data/wordnet-placement.json', import.meta.url);

/** Why a name was matched to a class; shown beside every proposal. */
export type PlacementReason = 'same name' | 'plural/singular' | 'synonym' | 'WordNet sense' | 'head noun';

/** Checks the file against the hierarchy (every parent is one of its synsets); returns lemma → parent wnid. */
export function parsePlacementData(raw: unknown, hierarchyWnids: Set<string>): Map<string, string> {
  const bad = (why: string): never => {
    throw new TaxonomyError('INVALID_DATA', `placement data file is invalid: ${why}`);
  };
  const file = raw as PlacementDataFile;
  if (typeof raw !== 'object' || raw === null || file.format !== PLACEMENT_DATA_FORMAT)
    bad(`format is not ${PLACEMENT_DATA_FORMAT}`);
  if (typeof file.parents !== 'object' || file.parents === null) bad('parents is not an object');
  const byLemma = new Map<string, string>();
  for (const [wnid, lemmas] of Object.entries(file.parents)) {
    if (!hierarchyWnids.has(wnid)) bad(`parent ${wnid} is not in the ImageNet hierarchy`);
    if (!Array.isArray(lemmas)) bad(`lemmas of ${wnid} are not a list`);
    for (const l of lemmas) {
      if (typeof l !== 'string' || byLemma.has(l)) bad(`lemma ${String(l)} is bad or listed twice`);
      byLemma.set(l, wnid);
    }
  }
  if (file.counts?.lemmas !== byLemma.size) bad(`counts.lemmas ${file.counts?.lemmas} != ${byLemma.size}`);
  return byLemma;
}

interface WordnetTable {
  /** loose key of a lemma ("coltsfoot", "oxeyedaisy") → the hierarchy wnid WordNet files its first sense under */
  byKey: Map<string, { wnid: string; lemma: string }>;
}

let table: WordnetTable | undefined;

function wordnetTable(): WordnetTable {
  if (!table) {
    const { nodes } = loadImagenetTaxonomy();
    const byLemma = parsePlacementData(
      JSON.parse(readFileSync(PLACEMENT_PATH, 'utf8')),
      new Set(nodes.map((n) => n.wnid)),
    );
    const byKey = new Map<string, { wnid: string; lemma: string }>();
    for (const [lemma, wnid] of byLemma) if (!byKey.has(looseKey(lemma))) byKey.set(looseKey(lemma), { wnid, lemma });
    table = { byKey };
  }
  return table;
}

/** WordNet's place for a name (as written, or its singular), or null. */
function wordnetPlace(name: string): { wnid: string; lemma: string } | null {
  const { byKey } = wordnetTable();
  return byKey.get(looseKey(name)) ?? byKey.get(singularKey(normalizeName(name))) ?? null;
}

/** The classes a name is matched against: the ImageNet hierarchy, plus user classes when read from a database. */
export interface PlacementView {
  index: TaxonomySearchIndex;
  tree: TaxonomyTree;
  /** The view's id of a hierarchy synset, or null when the view does not hold it. */
  idOfWnid(wnid: string): string | null;
}

export interface NamePlacement {
  /** 'is': the name is this class already (same word, plural, synonym); 'under': a new class goes under it. */
  relation: 'is' | 'under';
  /** The class matched. */
  id: string;
  /** Where a new class of this name is filed: `id` itself for 'under', the class's parent for 'is'. */
  parentId: string | null;
  /** The name, tail of the name or WordNet lemma that decided. */
  via: string;
  reason: PlacementReason;
  /**
   * Set when the whole name is, equally well, several classes ("crane": the bird 134 and the machine 517), `id`
   * first: the rule cannot tell which one is meant, so a caller that acts on it must ask (createModelVersion refuses
   * AMBIGUOUS_NAME without a decision). `parentId` is then their lowest common ancestor.
   */
  candidates?: { id: string; via: string; reason: PlacementReason }[];
}

/** Tails of a longer name, longest first: "giant white arum lily" → "white arum lily", "arum lily", "lily". */
function tails(name: string): string[] {
  const words = normalizeName(name)
    .split(/[\s-]+/)
    .filter(Boolean);
  return words.slice(1).map((_, i) => words.slice(i + 1).join(' '));
}

/**
 * What a class name means in the taxonomy (see libs/taxonomy/README.md, "Placement"):
 * 1. The same word as an existing class (case, punctuation, singular/plural, synonym or alias): it IS that class.
 * 2. Otherwise WordNet's place W for the whole name (its most frequent sense), or for the longest tail WordNet knows
 *    ("giant white arum lily" → arum lily's place), and the longest tail of the name that is an existing class (its
 *    head noun), H. H wins when W says nothing or H sits at or below W ("oxeye daisy" → daisy, "common dandelion" →
 *    a user class "dandelion" under vascular plant); otherwise W wins, since the whole name's sense beats a word of
 *    it ("thorn apple" is a shrub, not an apple; a "japanese anemone" is a plant, not a sea anemone).
 * null: nothing known; the class goes at the root unless its creator names a parent.
 */
export function placeName(view: PlacementView, name: string): NamePlacement | null {
  const firstMatch = (text: string) => view.index.sameWord(text)[0];
  const parentOf = (id: string) => view.tree.parent(id)?.id ?? null;
  const matches = view.index.sameWord(name);
  const whole = matches[0];
  if (whole) {
    const reasonOf = (m: typeof whole): PlacementReason =>
      m.field === 'synonym' ? 'synonym' : m.plural ? 'plural/singular' : 'same name';
    // sameWord's ranking: field, then singular before plural, then classes before inner synsets; a tie is ambiguous
    const isClass = (id: string) => !!view.index.node(id)?.isClass;
    const tied = matches.filter(
      (m) => m.field === whole.field && m.plural === whole.plural && isClass(m.id) === isClass(whole.id),
    );
    const placed: NamePlacement = {
      relation: 'is',
      id: whole.id,
      parentId: parentOf(whole.id),
      via: whole.term,
      reason: reasonOf(whole),
    };
    if (tied.length < 2) return placed;
    let parentId = placed.parentId;
    for (const m of tied.slice(1)) {
      const p = parentOf(m.id);
      parentId = parentId && p ? (view.tree.lowestCommonAncestor(parentId, p)?.id ?? null) : null;
    }
    return { ...placed, parentId, candidates: tied.map((m) => ({ id: m.id, via: m.term, reason: reasonOf(m) })) };
  }
  // WordNet's place: for the whole name, else for its longest tail WordNet knows ("japanese anemone" → anemone)
  let wn = wordnetPlace(name);
  let wnReason: PlacementReason = 'WordNet sense';
  for (const t of wn ? [] : tails(name)) {
    wn = wordnetPlace(t);
    if (wn) {
      wnReason = 'head noun';
      break;
    }
  }
  const wnId = wn ? view.idOfWnid(wn.wnid) : null;
  let head: { id: string; via: string } | null = null;
  for (const t of tails(name)) {
    const m = firstMatch(t);
    if (m) {
      head = { id: m.id, via: m.term };
      break;
    }
  }
  if (head && (!wnId || head.id === wnId || view.tree.isUnder(head.id, wnId))) {
    return { relation: 'under', id: head.id, parentId: head.id, via: head.via, reason: 'head noun' };
  }
  if (wn && wnId) return { relation: 'under', id: wnId, parentId: wnId, via: wn.lemma, reason: wnReason };
  return null;
}

let hierarchyView: PlacementView | undefined;

/** The ImageNet hierarchy alone as a placement view (ids are wnids): what the rule says before any user class exists. */
export function imagenetPlacementView(): PlacementView {
  if (!hierarchyView) {
    const { nodes } = loadImagenetTaxonomy();
    const tree = new TaxonomyTree(nodes.map((n) => ({ id: n.wnid, parentId: n.parentWnid, name: n.name })));
    const index = new TaxonomySearchIndex(
      nodes.map((n) => ({ id: n.wnid, name: n.name, synonyms: n.synonyms, isClass: n.classIndex !== null })),
    );
    hierarchyView = { index, tree, idOfWnid: (wnid) => (tree.has(wnid) ? wnid : null) };
  }
  return hierarchyView;
}

/** `placeName` over the ImageNet hierarchy alone, in wnids. */
export interface Placement {
  relation: 'is' | 'under';
  wnid: string;
  /** The hierarchy synset a new class of this name is filed under, or null (the root). */
  parentWnid: string | null;
  via: string;
  reason: PlacementReason;
  /** Several classes the name is equally (see NamePlacement.candidates), in wnids. */
  candidateWnids?: string[];
}

export function placementFor(name: string): Placement | null {
  const p = placeName(imagenetPlacementView(), name);
  return (
    p && {
      relation: p.relation,
      wnid: p.id,
      parentWnid: p.parentId,
      via: p.via,
      reason: p.reason,
      ...(p.candidates ? { candidateWnids: p.candidates.map((c) => c.id) } : {}),
    }
  );
}
