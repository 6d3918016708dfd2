// The generator: small hand-made WordNet lines always; the full, byte-for-byte reproduction of the
// committed data file only where WordNet 3.0 is installed (apt-get install -y wordnet-base).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  DEFAULT_OUT,
  DEFAULT_PLACEMENT_OUT,
  DEFAULT_WORDNET_DIR,
  generateDataFiles,
} from './generate-imagenet-taxonomy.js';
import { buildPlacement, MIN_PARENT_DEPTH } from './build-placement.js';
import { buildImagenetTaxonomy, treeParent } from './build-taxonomy.js';
import { parseCsv } from '@accrete/primitives';
import { parseDataNoun, parseIndexNoun, parseSynsetLine } from './wordnet.js';

// Real data.noun lines (WordNet 3.0), shortened glosses; 09999999 is made up to test @i fallback.
const DATA_NOUN = [
  '  1 This software and database is being provided to you, the LICENSEE, by  ',
  '  2 Princeton University.  ',
  '00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 ~ 00002137 n 0000 ~ 04424418 n 0000 | that which is perceived',
  '00001930 03 n 01 physical_entity 0 001 @ 00001740 n 0000 | an entity that has physical existence',
  '00015388 03 n 03 animal 0 animate_being 0 beast 0 002 @ 00001930 n 0000 ~ 02084071 n 0000 | a living organism',
  '02083346 05 n 01 canine 0 002 @ 00015388 n 0000 ~ 02084071 n 0000 | any of various fissiped mammals',
  '01317541 05 n 01 domestic_animal 0 002 @ 00015388 n 0000 ~ 02084071 n 0000 | any of various animals',
  '02084071 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 003 @ 02083346 n 0000 @ 01317541 n 0000 #m 02083346 n 0000 | a member of the genus Canis',
  '02085620 05 n 01 Chihuahua 0 001 @ 02084071 n 0000 | an old breed of tiny short-haired dog',
  '09999999 18 n 01 Fido(p) 0 001 @i 02084071 n 0000 | a famous dog',
].join('\n');

test('parseSynsetLine reads lemmas and hypernyms in file order', () => {
  const s = parseSynsetLine(DATA_NOUN.split('\n')[7]);
  assert.equal(s.offset, '02084071');
  assert.deepEqual(s.lemmas, ['dog', 'domestic_dog', 'Canis_familiaris']);
  assert.deepEqual(s.hypernyms, ['02083346', '01317541']);
  assert.equal(treeParent(s), '02083346'); // first listed: canine, not domestic animal
  assert.equal(treeParent(parseSynsetLine(DATA_NOUN.split('\n')[9])), '02084071'); // @i when there is no @
  assert.deepEqual(parseSynsetLine(DATA_NOUN.split('\n')[9]).lemmas, ['Fido']);
  assert.throws(() => parseSynsetLine('xyz 03 n 01 a 0 000 | g'), /bad synset offset/);
  assert.throws(() => parseSynsetLine('00001740 03 v 01 a 0 000 | g'), /not a noun/);
});

test('buildImagenetTaxonomy keeps only the chains of the classes, parents first, with names and synonyms', () => {
  const db = parseDataNoun(DATA_NOUN);
  assert.match(
    db.license,
    /^This software and database is being provided to you, the LICENSEE, by\nPrinceton University\.\n$/,
  );
  const file = buildImagenetTaxonomy(db, [
    { classIndex: 0, wnid: 'n02085620', label: 'Chihuahua' },
    { classIndex: 1, wnid: 'n09999999', label: 'Fido, good dog' },
  ]);
  assert.deepEqual(file.nodes, [
    ['n00001740', 'entity', [], null, null],
    ['n00001930', 'physical entity', [], 'n00001740', null],
    ['n00015388', 'animal', ['animate being', 'beast'], 'n00001930', null],
    ['n02083346', 'canine', [], 'n00015388', null],
    ['n02084071', 'dog', ['domestic dog', 'Canis familiaris'], 'n02083346', null],
    ['n02085620', 'Chihuahua', [], 'n02084071', 0],
    ['n09999999', 'Fido', ['good dog'], 'n02084071', 1],
  ]);
  assert.deepEqual(file.counts, { nodes: 7, classes: 2 });
  assert.throws(
    () => buildImagenetTaxonomy(db, [{ classIndex: 0, wnid: 'n01234567', label: 'x' }]),
    /no noun synset 01234567/,
  );
});

test('index.csv rows: quoted labels with commas', () => {
  assert.deepEqual(parseCsv('n01440764_tench.jpg,0,n01440764,"tench, Tinca tinca"')[0], [
    'n01440764_tench.jpg',
    '0',
    'n01440764',
    'tench, Tinca tinca',
  ]);
  assert.deepEqual(parseCsv('a,"say ""hi""",b')[0], ['a', 'say "hi"', 'b']);
});

test('parseIndexNoun lists senses in order; buildPlacement files one-word nouns under their nearest hierarchy synset', () => {
  const senses = parseIndexNoun(
    [
      '  1 This software and database is being provided to you, the LICENSEE, by  ',
      'dog n 7 5 @ ~ #m #p %p 7 1 02084071 10114209 10023039 07676602 09886220 03901548 02710044  ',
      'chihuahua n 2 1 @ 2 0 02085620 08752974  ',
      'puppy n 1 1 @ 1 0 09999998  ',
      'pup n 1 1 @ 1 0 09999998  ',
      'mutt n 1 1 @ 1 0 09999997  ',
      'hot_dog n 1 1 @ 1 0 09999998  ',
    ].join('\n'),
  );
  assert.deepEqual(senses.get('dog')!.slice(0, 2), ['02084071', '10114209']);
  assert.deepEqual(senses.get('chihuahua'), ['02085620', '08752974']);
  assert.throws(() => parseIndexNoun('dog v 1 0 1 0 02084071'), /bad line/);

  // puppy (made up: a dog) sits under dog; mutt (made up: under animal) is too shallow to say anything
  const db = parseDataNoun(
    [
      DATA_NOUN,
      '09999998 05 n 02 puppy 0 pup 0 001 @ 02084071 n 0000 | a young dog',
      '09999997 05 n 01 mutt 0 001 @ 00015388 n 0000 | made up',
    ].join('\n'),
  );
  const taxonomy = buildImagenetTaxonomy(db, [{ classIndex: 0, wnid: 'n02085620', label: 'Chihuahua' }]);
  const placement = buildPlacement(db, senses, taxonomy);
  assert.deepEqual(
    placement.parents,
    { n02084071: ['hot dog', 'pup', 'puppy'] },
    `depth ≥ ${MIN_PARENT_DEPTH}; multi-word lemmas with spaces; hierarchy names left out`,
  );
  assert.deepEqual(placement.counts, { parents: 1, lemmas: 3 });
});

test(
  'regenerating from WordNet reproduces the committed data files byte for byte',
  {
    skip: existsSync(DEFAULT_WORDNET_DIR)
      ? false
      : `${DEFAULT_WORDNET_DIR} not installed (apt-get install -y wordnet-base)`,
  },
  () => {
    const texts = generateDataFiles();
    assert.ok(
      texts.taxonomy === readFileSync(DEFAULT_OUT, 'utf8'),
      'committed hierarchy is stale: run npx tsx tools/taxonomy/generate-imagenet-taxonomy.ts',
    );
    assert.ok(
      texts.placement === readFileSync(DEFAULT_PLACEMENT_OUT, 'utf8'),
      'committed placement table is stale: run the same generator',
    );
    assert.deepEqual(generateDataFiles(), texts, 'generator is not deterministic');
  },
);
