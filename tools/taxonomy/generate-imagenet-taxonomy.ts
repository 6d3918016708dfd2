// Generates libs/taxonomy/data/imagenet-wordnet.json from WordNet 3.0 and the ImageNet-1k class list.
//   npx tsx tools/taxonomy/generate-imagenet-taxonomy.ts [--wordnet DIR] [--shared DIR] [--out FILE] [--check]
// Needs the Debian package wordnet-base (apt-get install -y wordnet-base). --check compares instead of
// writing and exits 1 when the committed file is stale.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTaxonomyData, parseTaxonomyData } from '../../libs/taxonomy/src/data.js';
import { buildImagenetTaxonomy } from './build-taxonomy.js';
import { defaultSharedDir, readImagenetClasses } from './imagenet-classes.js';
import { parseDataNoun } from './wordnet.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_WORDNET_DIR = '/usr/share/wordnet';
export const DEFAULT_OUT = join(REPO_ROOT, 'libs/taxonomy/data/imagenet-wordnet.json');

export interface GenerateOptions {
  wordnetDir?: string;
  sharedDir?: string;
}

/** The data file's exact text for the given inputs (deterministic: same inputs, same bytes). */
export function generateTaxonomyText(opts: GenerateOptions = {}): string {
  const wordnetDir = opts.wordnetDir ?? DEFAULT_WORDNET_DIR;
  const sharedDir = opts.sharedDir ?? defaultSharedDir(REPO_ROOT);
  const db = parseDataNoun(readFileSync(join(wordnetDir, 'data.noun'), 'latin1'));
  const classes = readImagenetClasses(
    join(sharedDir, 'datasets/imagenet-sample/index.csv'),
    join(sharedDir, 'models/mobilenet_v1_0.75_224/metadata.json'),
  );
  const file = buildImagenetTaxonomy(db, classes);
  parseTaxonomyData(JSON.parse(JSON.stringify(file))); // the library must accept what we write
  return formatTaxonomyData(file);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      wordnet: { type: 'string' },
      shared: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  const out = resolve(values.out ?? DEFAULT_OUT);
  const text = generateTaxonomyText({ wordnetDir: values.wordnet, sharedDir: values.shared && resolve(values.shared) });
  if (values.check) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      console.error(`${out} is stale: run npx tsx tools/taxonomy/generate-imagenet-taxonomy.ts`);
      process.exit(1);
    }
    console.log(`${out} is up to date`);
    return;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, out);
  const { nodes } = parseTaxonomyData(JSON.parse(text));
  console.log(`wrote ${out}: ${nodes.length} nodes, ${nodes.filter((n) => n.classIndex !== null).length} classes, ${text.length} bytes`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
