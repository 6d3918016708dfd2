// The committed ImageNet/WordNet hierarchy (libs/taxonomy/data/imagenet-wordnet.json), made by
// tools/taxonomy/generate-imagenet-taxonomy.ts. Rows are ordered parents-before-children so that
// seeding can insert them in one pass.
import { readFileSync } from 'node:fs';
import { TaxonomyError } from './errors.js';

export const TAXONOMY_DATA_FORMAT = 'accrete-taxonomy/1';
export const TAXONOMY_COLUMNS = ['wnid', 'name', 'synonyms', 'parent', 'classIndex'] as const;

/** One row of the data file: [wnid, name, synonyms, parent wnid | null, ImageNet class index | null]. */
export type TaxonomyRow = [string, string, string[], string | null, number | null];

export interface TaxonomyDataFile {
  format: typeof TAXONOMY_DATA_FORMAT;
  source: string;
  license: string;
  parentRule: string;
  generator: string;
  counts: { nodes: number; classes: number };
  columns: typeof TAXONOMY_COLUMNS;
  nodes: TaxonomyRow[];
}

/** A synset of the data file, with its depth (entity = 0) computed on load. */
export interface SynsetNode {
  wnid: string;
  name: string;
  synonyms: string[];
  parentWnid: string | null;
  /** ImageNet-1k output unit of the base model, null for internal synsets. */
  classIndex: number | null;
  depth: number;
}

export const IMAGENET_TAXONOMY_PATH = new URL('../data/imagenet-wordnet.json', import.meta.url);

/** Checks shape, unique wnids, parents-first order (hence no cycles) and one root; returns depths. */
export function parseTaxonomyData(raw: unknown): { file: TaxonomyDataFile; nodes: SynsetNode[] } {
  const bad = (why: string): never => {
    throw new TaxonomyError('INVALID_DATA', `taxonomy data file is invalid: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) bad('not an object');
  const file = raw as TaxonomyDataFile;
  if (file.format !== TAXONOMY_DATA_FORMAT) bad(`format is ${String(file.format)}, expected ${TAXONOMY_DATA_FORMAT}`);
  if (!Array.isArray(file.nodes)) bad('nodes is not an array');
  const depthOf = new Map<string, number>();
  const classIndexes = new Set<number>();
  const nodes: SynsetNode[] = [];
  let roots = 0;
  for (const [i, row] of file.nodes.entries()) {
    if (!Array.isArray(row) || row.length !== 5) bad(`row ${i} does not have 5 columns`);
    const [wnid, name, synonyms, parent, classIndex] = row;
    if (typeof wnid !== 'string' || !/^n\d{8}$/.test(wnid)) bad(`row ${i}: bad wnid ${String(wnid)}`);
    if (depthOf.has(wnid)) bad(`row ${i}: duplicate wnid ${wnid}`);
    if (typeof name !== 'string' || name.trim() === '') bad(`row ${i} (${wnid}): empty name`);
    if (!Array.isArray(synonyms) || synonyms.some((s) => typeof s !== 'string'))
      bad(`row ${i} (${wnid}): bad synonyms`);
    let depth = 0;
    if (parent === null) {
      roots += 1;
    } else {
      const pd = depthOf.get(parent);
      // Parents must come first: this also rules out cycles and dangling parents.
      if (pd === undefined) bad(`row ${i} (${wnid}): parent ${String(parent)} is not listed before it`);
      depth = (pd as number) + 1;
    }
    if (classIndex !== null) {
      if (!Number.isInteger(classIndex) || classIndex < 0) bad(`row ${i} (${wnid}): bad classIndex`);
      if (classIndexes.has(classIndex)) bad(`row ${i} (${wnid}): duplicate classIndex ${classIndex}`);
      classIndexes.add(classIndex);
    }
    depthOf.set(wnid, depth);
    nodes.push({ wnid, name, synonyms, parentWnid: parent, classIndex, depth });
  }
  if (roots !== 1) bad(`expected exactly one root, found ${roots}`);
  if (file.counts?.nodes !== nodes.length) bad(`counts.nodes ${file.counts?.nodes} != ${nodes.length} rows`);
  if (file.counts?.classes !== classIndexes.size) bad(`counts.classes ${file.counts?.classes} != ${classIndexes.size}`);
  return { file, nodes };
}

let cached: { file: TaxonomyDataFile; nodes: SynsetNode[] } | undefined;

/** The committed ImageNet hierarchy (parsed once per process). */
export function loadImagenetTaxonomy(): { file: TaxonomyDataFile; nodes: SynsetNode[] } {
  cached ??= parseTaxonomyData(JSON.parse(readFileSync(IMAGENET_TAXONOMY_PATH, 'utf8')));
  return cached;
}

/** Serialises the data file compactly but diff-friendly: one node per line. */
export function formatTaxonomyData(file: TaxonomyDataFile): string {
  const { nodes, ...head } = file;
  const headJson = JSON.stringify(head, null, 2);
  const rows = nodes.map((r) => '    ' + JSON.stringify(r)).join(',\n');
  return `${headJson.slice(0, -2)},\n  "nodes": [\n${rows}\n  ]\n}\n`;
}
