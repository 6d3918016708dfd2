import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyAtDepth,
  accuracyUnder,
  imagenetTree,
  mistakeSeverity,
  TaxonomyTree,
  type TreeInput,
} from '../src/index.js';

// ImageNet's tree with two user classes under "flower" (n11669921), as after adding a flower dataset.
const tree = new TaxonomyTree<TreeInput>([
  ...[...imagenetTree().nodes()].map((n) => ({ id: n.id, parentId: n.parentId, name: n.name })),
  { id: 'u-sunflower', parentId: 'n11669921', name: 'sunflower' },
  { id: 'u-tulip', parentId: 'n11669921', name: 'tulip' },
]);
const DAISY = 'n11939491';
const PANDA = 'n02510455';
const TRUCK = 'n03417042'; // garbage truck

const samples = [
  { trueNodeId: DAISY, predictedNodeId: DAISY },
  { trueNodeId: DAISY, predictedNodeId: 'u-sunflower' }, // wrong species, right "flower"
  { trueNodeId: 'u-tulip', predictedNodeId: TRUCK }, // wrong at every level below entity/physical/object/whole
  { trueNodeId: 'u-sunflower', predictedNodeId: 'u-sunflower' },
  { trueNodeId: PANDA, predictedNodeId: 'u-tulip' }, // false alarm for "flower"
];

test('accuracy at the "flower" level counts predictions that stay under flower', () => {
  const r = accuracyUnder(tree, samples, 'n11669921');
  assert.equal(r.ancestorName, 'flower');
  assert.equal(r.total, 4);
  assert.equal(r.correct, 3);
  assert.equal(r.accuracy, 0.75);
  assert.equal(r.exactCorrect, 2);
  assert.equal(r.exactAccuracy, 0.5);
  assert.equal(r.falsePositives, 1);
  const empty = accuracyUnder(tree, [{ trueNodeId: PANDA, predictedNodeId: PANDA }], 'n11669921');
  assert.equal(empty.total, 0);
  assert.equal(empty.accuracy, null);
});

test('accuracy at a depth cuts both sides back to that level', () => {
  assert.equal(accuracyAtDepth(tree, samples, 0).correct, 5); // everything is an entity
  const atPlant = accuracyAtDepth(tree, samples, 6); // depth 6 = plant / animal
  assert.equal(atPlant.correct, 3);
  assert.equal(accuracyAtDepth(tree, samples, 50).correct, 2); // deeper than any node = exact
  assert.throws(() => accuracyAtDepth(tree, samples, -1), /depth/);
});

test('mistake severity measures how far up the common ancestor is', () => {
  const m = mistakeSeverity(tree, samples);
  assert.equal(m.mistakes, 3);
  // daisy→sunflower: 1 level; tulip→truck: common "whole" (depth 3), tulip at 11 → 8; panda→tulip: "organism" (5), panda 13 → 8
  assert.equal(tree.depth('u-tulip'), 11);
  assert.equal(m.meanLevelsToCommonAncestor, (1 + 8 + (tree.depth(PANDA) - 5)) / 3);
  assert.throws(() => mistakeSeverity(tree, [{ trueNodeId: 'nope', predictedNodeId: DAISY }]), /true label node nope/);
});
