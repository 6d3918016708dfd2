// Builds the ImageNet hierarchy from WordNet: every ImageNet class with its hypernym chain up to
// `entity`. Pure (no I/O) so that it is tested on small hand-made inputs as well as on WordNet.
import { TAXONOMY_COLUMNS, TAXONOMY_DATA_FORMAT, type TaxonomyDataFile, type TaxonomyRow } from '@accrete/taxonomy';
import type { ImagenetClass } from './imagenet-classes.js';
import type { NounDatabase, NounSynset } from './wordnet.js';

export const PARENT_RULE =
  'Tree parent = the first hypernym (@) listed for the synset in WordNet 3.0 data.noun; the first instance ' +
  'hypernym (@i) only when there is no @. WordNet lists the primary taxonomic parent first; the shortest-path ' +
  'rule was rejected because it files the 120 dog breeds under "domestic animal" instead of "canine" and ' +
  '"person" under "causal agent" instead of "organism".';

export const GENERATOR = 'tools/taxonomy/generate-imagenet-taxonomy.ts';

/** The single tree parent of a synset (see PARENT_RULE), or null for the root. */
export function treeParent(s: NounSynset): string | null {
  return s.hypernyms[0] ?? s.instanceHypernyms[0] ?? null;
}

const lemmaText = (l: string) => l.replace(/_/g, ' ');

/** Name first, then the other names in order, without case-insensitive repeats. */
function distinctNames(name: string, others: string[]): string[] {
  const seen = new Set([name.toLowerCase()]);
  const out: string[] = [];
  for (const o of others.map((s) => s.trim()).filter(Boolean)) {
    if (seen.has(o.toLowerCase())) continue;
    seen.add(o.toLowerCase());
    out.push(o);
  }
  return out;
}

export function buildImagenetTaxonomy(db: NounDatabase, classes: ImagenetClass[]): TaxonomyDataFile {
  const get = (offset: string, why: string): NounSynset => {
    const s = db.synsets.get(offset);
    if (!s) throw new Error(`WordNet has no noun synset ${offset} (${why})`);
    return s;
  };
  const classByOffset = new Map<string, ImagenetClass>();
  for (const c of classes) {
    const offset = c.wnid.slice(1);
    if (classByOffset.has(offset)) throw new Error(`ImageNet class ${c.wnid} is listed twice`);
    get(offset, `ImageNet class ${c.classIndex} "${c.label}"`);
    classByOffset.set(offset, c);
  }

  // Collect each class's chain up to the root, following the single tree parent.
  const parentOf = new Map<string, string | null>();
  for (const offset of classByOffset.keys()) {
    const chain = new Set<string>();
    let cur: string | null = offset;
    while (cur !== null && !parentOf.has(cur)) {
      if (chain.has(cur)) throw new Error(`hypernym cycle through ${cur}`);
      chain.add(cur);
      const p = treeParent(get(cur, `on the chain of ${offset}`));
      parentOf.set(cur, p);
      cur = p;
    }
  }

  const depth = new Map<string, number>();
  const depthOf = (o: string): number => {
    let d = depth.get(o);
    if (d === undefined) {
      const p = parentOf.get(o) ?? null;
      d = p === null ? 0 : depthOf(p) + 1;
      depth.set(o, d);
    }
    return d;
  };
  const offsets = [...parentOf.keys()].sort((a, b) => depthOf(a) - depthOf(b) || a.localeCompare(b));
  const roots = offsets.filter((o) => parentOf.get(o) === null);
  if (roots.length !== 1) throw new Error(`expected one root (entity), found ${roots.join(', ')}`);

  const nodes: TaxonomyRow[] = offsets.map((o) => {
    const s = get(o, 'row');
    const c = classByOffset.get(o);
    const lemmas = s.lemmas.map(lemmaText);
    // ImageNet classes are named as the base model names them; other synsets by their first lemma.
    const labelNames = c ? c.label.split(',').map((x) => x.trim()) : [];
    const name = c ? labelNames[0] : lemmas[0];
    const synonyms = distinctNames(name, [...labelNames.slice(1), ...lemmas]);
    const p = parentOf.get(o) ?? null;
    return ['n' + o, name, synonyms, p === null ? null : 'n' + p, c ? c.classIndex : null];
  });

  return {
    format: TAXONOMY_DATA_FORMAT,
    source:
      'WordNet 3.0 noun synsets (Princeton University; Debian package wordnet-base, /usr/share/wordnet/data.noun) ' +
      'and the ImageNet-1k class list of the base model (wnid = "n" + WordNet noun offset).',
    license: db.license,
    parentRule: PARENT_RULE,
    generator: GENERATOR,
    counts: { nodes: nodes.length, classes: classByOffset.size },
    columns: TAXONOMY_COLUMNS,
    nodes,
  };
}
