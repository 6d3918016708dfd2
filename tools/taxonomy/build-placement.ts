// Builds the placement table: for common WordNet nouns that are not in the ImageNet hierarchy, the nearest
// synset that is, so that a new user class named "sunflowers" is filed under "flower" instead of the root.
// Pure (no I/O), tested on hand-made lines and reproduced from WordNet by the generator's test.
import { PLACEMENT_DATA_FORMAT, type PlacementDataFile } from '@accrete/taxonomy';
import type { TaxonomyDataFile } from '@accrete/taxonomy';
import { PARENT_RULE, treeParent } from './build-taxonomy.js';
import type { NounDatabase } from './wordnet.js';

/** Parents this shallow (entity = 0, physical entity/abstraction = 1, …) say nothing useful about an image class. */
export const MIN_PARENT_DEPTH = 3;

export const PLACEMENT_RULE =
  `A lemma's synset is its first (most frequent) sense in index.noun; walking up tree parents (${PARENT_RULE.split(';')[0].replace('Tree parent = ', '')}), ` +
  `the first synset of the ImageNet hierarchy is its place. Lemmas of letters (words joined by space, hyphen or apostrophe; ` +
  `no digits), whose first sense is not itself in the hierarchy, ` +
  `whose place is at depth ${MIN_PARENT_DEPTH} or deeper.`;

export function buildPlacement(
  db: NounDatabase,
  senses: Map<string, string[]>,
  taxonomy: TaxonomyDataFile,
): PlacementDataFile {
  const depthOf = new Map<string, number>();
  for (const [wnid, , , parent] of taxonomy.nodes)
    depthOf.set(wnid.slice(1), parent === null ? 0 : depthOf.get(parent.slice(1))! + 1);

  const placeOf = new Map<string, string | null>(); // synset offset → nearest hierarchy offset (memoised walk)
  const place = (offset: string): string | null => {
    const path: string[] = [];
    let cur: string | null = offset;
    let found: string | null = null;
    while (cur !== null) {
      if (depthOf.has(cur)) {
        found = cur;
        break;
      }
      if (placeOf.has(cur)) {
        found = placeOf.get(cur)!;
        break;
      }
      if (path.includes(cur)) break; // a cycle would be a WordNet defect: no place
      path.push(cur);
      const s = db.synsets.get(cur);
      cur = s ? treeParent(s) : null;
    }
    for (const p of path) placeOf.set(p, found);
    return found;
  };

  const byParent = new Map<string, string[]>();
  for (const [lemma, offsets] of senses) {
    // multi-word lemmas too ("oxeye daisy", "bird of paradise"), written with spaces as users type them
    if (!/^[a-z]+(?:[_'-][a-z]+)*$/.test(lemma)) continue;
    // a lemma named like a hierarchy synset stays when its most frequent sense is another one ("anemone": the plant,
    // not the sea anemone), so a tail of a longer name ("japanese anemone") finds its own sense
    const text = lemma.replace(/_/g, ' ');
    const first = offsets[0];
    if (depthOf.has(first)) continue; // the synset itself is in the hierarchy (under another name)
    const parent = place(first);
    if (parent === null || depthOf.get(parent)! < MIN_PARENT_DEPTH) continue;
    const key = `n${parent}`;
    (byParent.get(key) ?? byParent.set(key, []).get(key)!).push(text);
  }
  const parents: Record<string, string[]> = {};
  for (const key of [...byParent.keys()].sort()) parents[key] = byParent.get(key)!.sort();
  return {
    format: PLACEMENT_DATA_FORMAT,
    source: 'WordNet 3.0 (index.noun, data.noun); the hierarchy of imagenet-wordnet.json',
    license: 'Derived from WordNet 3.0, under the WordNet licence (see README.md in this folder)',
    rule: PLACEMENT_RULE,
    generator: 'tools/taxonomy/generate-imagenet-taxonomy.ts',
    counts: { parents: Object.keys(parents).length, lemmas: [...byParent.values()].reduce((n, l) => n + l.length, 0) },
    parents,
  };
}
