// Where new user classes go by default, read from the committed placement table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadImagenetTaxonomy } from '../src/data.js';
import { parsePlacementData, placementFor } from '../src/placement.js';

const nameOf = new Map(loadImagenetTaxonomy().nodes.map((n) => [n.wnid, n.name]));
const placedName = (label: string) => {
  const p = placementFor(label);
  return p ? nameOf.get(p.parentWnid) : null;
};

test('flower species, foods and buildings go where WordNet files them in the ImageNet hierarchy', () => {
  assert.equal(placedName('sunflowers'), 'flower');
  assert.equal(placedName('Sunflower'), 'flower');
  assert.equal(placedName('tulips'), 'vascular plant');
  assert.equal(placedName('cacti'), 'vascular plant', 'irregular plural');
  assert.equal(placedName('croissant'), 'bun');
  assert.deepEqual(placementFor('roses'), { parentWnid: 'n13083586', via: 'rose' });
});

test('a longer name goes under its head noun, which may be a class of the hierarchy itself', () => {
  assert.equal(placedName('baby corgi'), 'corgi');
  assert.equal(placedName('Eiffel Tower'), 'tower');
  assert.equal(placedName('garden roses'), 'vascular plant');
});

test('unknown words, and words that are hierarchy classes already, get no placement', () => {
  assert.equal(placementFor('xyzzy'), null);
  assert.equal(placementFor('   '), null);
  assert.equal(placementFor('corgi'), null, 'name resolution, not placement, handles existing classes');
});

test('the table is checked against the hierarchy when loaded', () => {
  const hierarchy = new Set(['n00000001']);
  const ok = { format: 'accrete-placement/1', counts: { parents: 1, lemmas: 2 }, parents: { n00000001: ['a', 'b'] } };
  assert.equal(parsePlacementData(ok, hierarchy).get('b'), 'n00000001');
  assert.throws(() => parsePlacementData({ ...ok, parents: { n00000002: ['a'] } }, hierarchy), /not in the ImageNet hierarchy/);
  assert.throws(() => parsePlacementData({ ...ok, parents: { n00000001: ['a', 'a'] } }, hierarchy), /listed twice/);
  assert.throws(() => parsePlacementData({ ...ok, format: 'x' }, hierarchy), /format/);
});
