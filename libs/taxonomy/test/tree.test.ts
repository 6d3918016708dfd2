import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenSubtree, isTaxonomyError, TaxonomyTree } from '../src/index.js';

const rows = [
  { id: 'e', parentId: null, name: 'entity' },
  { id: 'p', parentId: 'e', name: 'plant' },
  { id: 'f', parentId: 'p', name: 'flower' },
  { id: 'd', parentId: 'f', name: 'daisy' },
  { id: 's', parentId: 'f', name: 'sunflower' },
  { id: 'a', parentId: 'e', name: 'animal' },
  { id: 'k', parentId: 'a', name: 'panda' },
];

test('ancestors, depth, lowest common ancestor, ancestor at depth', () => {
  const t = new TaxonomyTree(rows);
  assert.deepEqual(
    t.ancestors('d').map((n) => n.id),
    ['e', 'p', 'f', 'd'],
  );
  assert.equal(t.depth('d'), 3);
  assert.equal(t.lowestCommonAncestor('d', 's')?.id, 'f');
  assert.equal(t.lowestCommonAncestor('d', 'k')?.id, 'e');
  assert.equal(t.ancestorAtDepth('d', 1).id, 'p');
  assert.equal(t.ancestorAtDepth('p', 3).id, 'p');
  assert.ok(t.isUnder('d', 'p') && t.isUnder('d', 'd') && !t.isUnder('p', 'd'));
  assert.deepEqual(
    t.children('f').map((n) => n.name),
    ['daisy', 'sunflower'],
  );
});

test('subtree respects the depth limit and still reports child counts', () => {
  const t = new TaxonomyTree(rows);
  const [root] = t.subtree('e', 1);
  assert.equal(root.node.id, 'e');
  assert.deepEqual(
    root.children.map((c) => c.node.name),
    ['animal', 'plant'],
  );
  const plant = root.children[1];
  assert.equal(plant.childCount, 1);
  assert.deepEqual(plant.children, []);
  assert.equal(flattenSubtree(t.subtree(null)).length, rows.length);
  assert.deepEqual(
    flattenSubtree(t.subtree('f', 0)).map((s) => s.node.id),
    ['f'],
  );
});

test('moving a node into its own subtree is refused with a clear error', () => {
  const t = new TaxonomyTree(rows);
  assert.throws(
    () => t.assertCanMove('p', 'd'),
    (e: unknown) =>
      isTaxonomyError(e, 'CYCLE') && /"daisy" is inside "plant" \(plant → flower → daisy\)/.test(e.message),
  );
  assert.throws(
    () => t.assertCanMove('f', 'f'),
    (e: unknown) => isTaxonomyError(e, 'CYCLE'),
  );
  t.assertCanMove('s', 'a'); // sideways is fine
  assert.throws(
    () => t.get('nope'),
    (e: unknown) => isTaxonomyError(e, 'NOT_FOUND'),
  );
});

test('construction rejects cycles, unknown parents and duplicate ids', () => {
  assert.throws(
    () =>
      new TaxonomyTree([
        { id: 'x', parentId: 'y', name: 'x' },
        { id: 'y', parentId: 'x', name: 'y' },
      ]),
    /cycle/,
  );
  assert.throws(() => new TaxonomyTree([{ id: 'x', parentId: 'zz', name: 'x' }]), /unknown parent zz/);
  assert.throws(
    () =>
      new TaxonomyTree([
        { id: 'x', parentId: null, name: 'x' },
        { id: 'x', parentId: null, name: 'x' },
      ]),
    /duplicate/,
  );
});
