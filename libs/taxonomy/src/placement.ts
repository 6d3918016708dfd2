// Where a new user class goes when its creator names no parent: under the nearest synset of the ImageNet
// hierarchy that WordNet files its name under ("sunflowers" → flower, "tulips" → vascular plant). The table is
// libs/taxonomy/data/wordnet-placement.json, made with the hierarchy by tools/taxonomy/generate-imagenet-taxonomy.ts.
import { readFileSync } from 'node:fs';
import { TaxonomyError } from './errors.js';
import { loadImagenetTaxonomy } from './data.js';
import { normalizeName, singularWord } from './names.js';

export const PLACEMENT_DATA_FORMAT = 'accrete-placement/1';

export interface PlacementDataFile {
  format: typeof PLACEMENT_DATA_FORMAT;
  source: string;
  license: string;
  rule: string;
  generator: string;
  counts: { parents: number; lemmas: number };
  /** hierarchy wnid → one-word lemmas (lower case) that WordNet files under it */
  parents: Record<string, string[]>;
}

export const PLACEMENT_PATH = new URL('../data/wordnet-placement.json', import.meta.url);

export interface Placement {
  /** The hierarchy synset to file the class under. */
  parentWnid: string;
  /** The word that decided it (the name, its singular, or the head noun of a longer name). */
  via: string;
}

/** Checks the file against the hierarchy (every parent is one of its synsets); returns lemma → parent wnid. */
export function parsePlacementData(raw: unknown, hierarchyWnids: Set<string>): Map<string, string> {
  const bad = (why: string): never => {
    throw new TaxonomyError('INVALID_DATA', `placement data file is invalid: ${why}`);
  };
  const file = raw as PlacementDataFile;
  if (typeof raw !== 'object' || raw === null || file.format !== PLACEMENT_DATA_FORMAT) bad(`format is not ${PLACEMENT_DATA_FORMAT}`);
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

let cached: { byLemma: Map<string, string>; hierarchyByName: Map<string, string> } | undefined;

function load() {
  if (!cached) {
    const { nodes } = loadImagenetTaxonomy();
    const hierarchyByName = new Map<string, string>();
    for (const n of nodes) for (const name of [n.name, ...n.synonyms]) if (!hierarchyByName.has(normalizeName(name))) hierarchyByName.set(normalizeName(name), n.wnid);
    const byLemma = parsePlacementData(JSON.parse(readFileSync(PLACEMENT_PATH, 'utf8')), new Set(nodes.map((n) => n.wnid)));
    cached = { byLemma, hierarchyByName };
  }
  return cached;
}

/**
 * The hierarchy synset a new class called `name` belongs under, or null when WordNet does not say.
 * One word: the table, for the word or its singular. Several words: the last one is the head noun ("garden
 * roses" is a kind of rose), looked up in the hierarchy itself first ("baby corgi" → corgi), then in the table.
 */
export function placementFor(name: string): Placement | null {
  const { byLemma, hierarchyByName } = load();
  const words = normalizeName(name).split(/[\s-]+/).filter(Boolean);
  if (words.length === 0) return null;
  const head = words[words.length - 1];
  const forms = [...new Set([head, singularWord(head)])];
  if (words.length > 1) {
    for (const w of forms) {
      const wnid = hierarchyByName.get(w);
      if (wnid) return { parentWnid: wnid, via: w };
    }
  }
  for (const w of forms) {
    const wnid = byLemma.get(w);
    if (wnid) return { parentWnid: wnid, via: w };
  }
  return null;
}
