// Generates libs/taxonomy/data/imagenet-wordnet.json (the hierarchy) and wordnet-placement.json (where other
// WordNet nouns go in it) from WordNet 3.0 and the ImageNet-1k class list.
//   npx tsx tools/taxonomy/generate-imagenet-taxonomy.ts [--wordnet DIR] [--shared DIR] [--out FILE]
//     [--placement-out FILE] [--check]
// Needs the Debian package wordnet-base (apt-get install -y wordnet-base). --check compares instead of
// writing and exits 1 when a committed file is stale.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTaxonomyData, parseTaxonomyData } from '@accrete/taxonomy';
import { buildImagenetTaxonomy } from './build-taxonomy.js';
import { buildPlacement } from './build-placement.js';
import { parsePlacementData, type PlacementDataFile } from '@accrete/taxonomy';
import { defaultSharedDir, readImagenetClasses } from './imagenet-classes.js';
import { parseDataNoun, parseIndexNoun } from './wordnet.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_WORDNET_DIR = '/usr/share/wordnet';
export const DEFAULT_OUT = join(REPO_ROOT, 'libs/taxonomy/data/imagenet-wordnet.json');
export const DEFAULT_PLACEMENT_OUT = join(REPO_ROOT, 'libs/taxonomy/data/wordnet-placement.json');

export interface GenerateOptions {
  wordnetDir?: string;
  sharedDir?: string;
}

/** Serialises the placement table diff-friendly: one parent synset per line. */
export function formatPlacementData(file: PlacementDataFile): string {
  const { parents, ...head } = file;
  const headJson = JSON.stringify(head, null, 2);
  const rows = Object.entries(parents)
    .map(([wnid, lemmas]) => `    ${JSON.stringify(wnid)}: ${JSON.stringify(lemmas)}`)
    .join(',\n');
  return `${headJson.slice(0, -2)},\n  "parents": {\n${rows}\n  }\n}\n`;
}

/** Both data files' exact text for the given inputs (deterministic: same inputs, same bytes). */
export function generateDataFiles(opts: GenerateOptions = {}): { taxonomy: string; placement: string } {
  const wordnetDir = opts.wordnetDir ?? DEFAULT_WORDNET_DIR;
  const sharedDir = opts.sharedDir ?? defaultSharedDir(REPO_ROOT);
  const db = parseDataNoun(readFileSync(join(wordnetDir, 'data.noun'), 'latin1'));
  const classes = readImagenetClasses(
    join(sharedDir, 'datasets/imagenet-sample/index.csv'),
    join(sharedDir, 'models/mobilenet_v1_0.75_224/metadata.json'),
  );
  const file = buildImagenetTaxonomy(db, classes);
  const { nodes } = parseTaxonomyData(JSON.parse(JSON.stringify(file))); // the library must accept what we write
  const placement = buildPlacement(db, parseIndexNoun(readFileSync(join(wordnetDir, 'index.noun'), 'latin1')), file);
  parsePlacementData(JSON.parse(JSON.stringify(placement)), new Set(nodes.map((n) => n.wnid)));
  return { taxonomy: formatTaxonomyData(file), placement: formatPlacementData(placement) };
}

/** The hierarchy file's exact text. */
export function generateTaxonomyText(opts: GenerateOptions = {}): string {
  return generateDataFiles(opts).taxonomy;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      wordnet: { type: 'string' },
      shared: { type: 'string' },
      out: { type: 'string' },
      'placement-out': { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  const texts = generateDataFiles({ wordnetDir: values.wordnet, sharedDir: values.shared && resolve(values.shared) });
  const files = [
    { path: resolve(values.out ?? DEFAULT_OUT), text: texts.taxonomy },
    { path: resolve(values['placement-out'] ?? DEFAULT_PLACEMENT_OUT), text: texts.placement },
  ];
  if (values.check) {
    let stale = false;
    for (const f of files) {
      let current = '';
      try {
        current = readFileSync(f.path, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (current !== f.text) {
        console.error(`${f.path} is stale: run npx tsx tools/taxonomy/generate-imagenet-taxonomy.ts`);
        stale = true;
      } else console.log(`${f.path} is up to date`);
    }
    if (stale) process.exit(1);
    return;
  }
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.text);
    renameSync(tmp, f.path);
    console.log(`wrote ${f.path}: ${f.text.length} bytes`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
