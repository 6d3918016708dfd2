// The committed ImageNet/WordNet data file: always checked (no WordNet needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import {
  IMAGENET_TAXONOMY_PATH,
  imagenetClasses,
  imagenetTree,
  loadImagenetTaxonomy,
  parseTaxonomyData,
  TaxonomyTree,
} from '../src/index.js';

const sharedDir = resolve(
  fileURLToPath(new URL('../../../', import.meta.url)),
  process.env.ACCRETE_SHARED_DIR ?? '../shared',
);

test('daisy (n11939491) has a path through flower and angiosperm up to entity', () => {
  const path = imagenetTree()
    .ancestors('n11939491')
    .map((n) => n.name);
  assert.deepEqual(path, [
    'entity',
    'physical entity',
    'object',
    'whole',
    'living thing',
    'organism',
    'plant',
    'vascular plant',
    'spermatophyte',
    'angiosperm',
    'flower',
    'daisy',
  ]);
  assert.equal(imagenetTree().get('n11939491').classIndex, 985);
  assert.equal(imagenetTree().get('n11939491').depth, 11);
});

test('the data file holds all 1000 ImageNet classes at their output units, plus the inner synsets', () => {
  const { file, nodes } = loadImagenetTaxonomy();
  assert.equal(file.counts.classes, 1000);
  assert.equal(nodes.length, file.counts.nodes);
  assert.ok(nodes.length > 1500 && nodes.length < 2500, `unexpected node count ${nodes.length}`);
  const classes = imagenetClasses();
  assert.deepEqual(
    classes.map((c) => c.classIndex),
    [...Array(1000).keys()],
  );

  // Same wnids as the shared sample index, same names as the base model's labels.
  const csv = readFileSync(resolve(sharedDir, 'datasets/imagenet-sample/index.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const labels: string[] = JSON.parse(
    readFileSync(resolve(sharedDir, 'models/mobilenet_v1_0.75_224/metadata.json'), 'utf8'),
  ).labels;
  assert.equal(csv.length, 1000);
  for (const line of csv) {
    const [, idx, wnid] = line.split(',');
    const c = classes[Number(idx)];
    assert.equal(c.wnid, wnid, `class ${idx}`);
    assert.equal(c.name, labels[Number(idx)].split(',')[0].trim(), `class ${idx} name`);
  }
  // Inner synsets are not classes and have no output unit.
  const inner = nodes.filter((n) => n.classIndex === null);
  assert.equal(inner.length, nodes.length - 1000);
  assert.ok(inner.some((n) => n.name === 'flower'));
});

test('the tree has one root (entity), no cycles, and every node reaches the root', () => {
  const tree = imagenetTree();
  assert.deepEqual(
    tree.roots().map((r) => r.wnid),
    ['n00001740'],
  );
  for (const n of tree.nodes()) {
    const path = tree.ancestors(n.id);
    assert.equal(path[0].id, 'n00001740');
    assert.equal(path.length - 1, n.depth);
    assert.equal(new Set(path.map((p) => p.id)).size, path.length, `repeated node on the path of ${n.id}`);
  }
  // Every inner synset is there because some class lies below it.
  for (const n of tree.nodes()) {
    if (n.classIndex === null) assert.ok(tree.children(n.id).length > 0, `${n.wnid} ${n.name} is an empty inner node`);
  }
});

test('the parent rule keeps the dog breeds under canine and people under organism', () => {
  const tree = imagenetTree();
  const names = (wnid: string) => tree.ancestors(wnid).map((n) => n.name);
  assert.ok(names('n02085620').includes('canine'), 'Chihuahua under canine');
  assert.ok(!names('n02085620').includes('domestic animal'));
  assert.ok(names('n09835506').includes('organism'), 'ballplayer under organism');
  assert.ok(names('n02510455').includes('carnivore'), 'giant panda under carnivore');
});

test('the data file carries the WordNet licence notice and the parent rule', () => {
  const { file } = loadImagenetTaxonomy();
  assert.match(file.license, /WordNet 3\.0 Copyright 2006 by Princeton University/);
  assert.match(file.license, /THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS"/);
  assert.match(file.parentRule, /first hypernym/);
  assert.ok(readFileSync(IMAGENET_TAXONOMY_PATH).length < 200_000, 'data file should stay compact');
});

test('parseTaxonomyData rejects children before parents, duplicates and bad counts', () => {
  const base = loadImagenetTaxonomy().file;
  const withNodes = (nodes: unknown[], counts = { nodes: nodes.length, classes: 0 }) => ({ ...base, counts, nodes });
  assert.throws(
    () =>
      parseTaxonomyData(
        withNodes([
          ['n00000002', 'b', [], 'n00000001', null],
          ['n00000001', 'a', [], null, null],
        ]),
      ),
    /not listed before it/,
  );
  assert.throws(
    () =>
      parseTaxonomyData(
        withNodes([
          ['n00000001', 'a', [], null, null],
          ['n00000001', 'a', [], null, null],
        ]),
      ),
    /duplicate wnid/,
  );
  assert.throws(
    () =>
      parseTaxonomyData(
        withNodes([
          ['n00000001', 'a', [], null, null],
          ['n00000002', 'b', [], null, null],
        ]),
      ),
    /one root/,
  );
  assert.throws(() => parseTaxonomyData(withNodes([['n00000001', 'a', [], null, 3]])), /counts.classes/);
  assert.throws(() => parseTaxonomyData({ ...base, format: 'x' }), /format/);
  const ok = parseTaxonomyData(
    withNodes(
      [
        ['n00000001', 'a', [], null, null],
        ['n00000002', 'b', ['bee'], 'n00000001', 0],
      ],
      { nodes: 2, classes: 1 },
    ),
  );
  assert.equal(ok.nodes[1].depth, 1);
  assert.ok(
    new TaxonomyTree(ok.nodes.map((n) => ({ ...n, id: n.wnid, parentId: n.parentWnid }))).isUnder(
      'n00000002',
      'n00000001',
    ),
  );
});
