// The one placement rule (placeName over the ImageNet hierarchy) and the committed WordNet placement table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadImagenetTaxonomy } from '../src/data.js';
import { parsePlacementData, placementFor } from '../src/placement.js';

const nameOf = new Map(loadImagenetTaxonomy().nodes.map((n) => [n.wnid, n.name]));

// The one placement rule, name by name: [name, relation, class matched, parent a new class is filed under, reason].
// Scene and flower names from the story (issue 10/13) and a few others; the parent is what `classPlacement` serves.
const TABLE: [string, 'is' | 'under' | null, string | null, string | null, string | null][] = [
  ['buildings', 'is', 'building', 'structure', 'plural/singular'],
  ['building', 'is', 'building', 'structure', 'same name'],
  ['mountain', 'is', 'mountain', 'natural elevation', 'same name'],
  ['mountains', 'is', 'mountain', 'natural elevation', 'plural/singular'],
  ['glacier', 'under', 'geological formation', 'geological formation', 'WordNet sense'],
  ['street', 'under', 'artifact', 'artifact', 'WordNet sense'],
  ['valley', 'is', 'valley', 'natural depression', 'same name'],
  ['alp', 'is', 'alp', 'mountain', 'same name'],
  // WordNet files "sea" under body of water < thing and "forest" under vegetation < group: above the hierarchy
  ['sea', null, null, null, null],
  ['forest', null, null, null, null],
  ['roses', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'], // WordNet: rose < shrub < woody plant
  ['rose', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ['tulips', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ['dandelion', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ['common dandelion', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ["colt's foot", 'under', 'vascular plant', 'vascular plant', 'WordNet sense'], // = coltsfoot
  ['bird of paradise', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'], // first sense: the shrub
  ['sunflower', 'under', 'flower', 'flower', 'WordNet sense'],
  ['Sunflowers', 'under', 'flower', 'flower', 'WordNet sense'],
  ['oxeye daisy', 'under', 'daisy', 'daisy', 'head noun'],
  ['daisies', 'is', 'daisy', 'flower', 'plural/singular'],
  ['tabby cat', 'is', 'tabby', 'domestic cat', 'synonym'],
  ['sea lions', 'is', 'sea lion', 'eared seal', 'plural/singular'],
  ['english marigold', 'under', 'flower', 'flower', 'head noun'],
  ['passion flower', 'under', 'flower', 'flower', 'head noun'],
  ['globe-flower', 'under', 'flower', 'flower', 'head noun'],
  ['giant white arum lily', 'under', 'flower', 'flower', 'head noun'], // WordNet knows "arum lily"
  ['thorn apple', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'], // the whole name beats "apple"
  ['sweet pea', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ['king protea', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ['cacti', 'under', 'vascular plant', 'vascular plant', 'WordNet sense'],
  ['croissant', 'under', 'bun', 'bun', 'WordNet sense'],
  ['baby corgi', 'under', 'corgi', 'corgi', 'head noun'],
  ['Eiffel Tower', 'under', 'tower', 'tower', 'head noun'],
  ['garden roses', 'under', 'vascular plant', 'vascular plant', 'head noun'],
  ['japanese anemone', 'under', 'flower', 'flower', 'head noun'], // the plant, not the sea anemone
  ['corgi', 'is', 'corgi', 'dog', 'same name'],
  ['xyzzy', null, null, null, null],
  ['bolero deep blue', null, null, null, null],
];

test(`the placement rule on ${TABLE.length} names`, () => {
  const got = TABLE.map(([name]) => {
    const p = placementFor(name);
    return [
      name,
      p?.relation ?? null,
      p ? nameOf.get(p.wnid)! : null,
      p?.parentWnid ? nameOf.get(p.parentWnid)! : null,
      p?.reason ?? null,
    ];
  });
  assert.deepEqual(got, TABLE);
  assert.equal(placementFor('   '), null);
});

test('the table is checked against the hierarchy when loaded', () => {
  const hierarchy = new Set(['n00000001']);
  const ok = { format: 'accrete-placement/1', counts: { parents: 1, lemmas: 2 }, parents: { n00000001: ['a', 'b'] } };
  assert.equal(parsePlacementData(ok, hierarchy).get('b'), 'n00000001');
  assert.throws(
    () => parsePlacementData({ ...ok, parents: { n00000002: ['a'] } }, hierarchy),
    /not in the ImageNet hierarchy/,
  );
  assert.throws(() => parsePlacementData({ ...ok, parents: { n00000001: ['a', 'a'] } }, hierarchy), /listed twice/);
  assert.throws(() => parsePlacementData({ ...ok, format: 'x' }, hierarchy), /format/);
});

test('a name that is several classes equally well is ambiguous: every one is a candidate', () => {
  const crane = placementFor('crane')!;
  assert.deepEqual(new Set(crane.candidateWnids), new Set(['n02012849', 'n03126707']), 'the bird and the machine');
  assert.equal(crane.relation, 'is');
  assert.ok(crane.parentWnid && !['wading bird', 'device'].includes(nameOf.get(crane.parentWnid)!), 'filed above both');
  assert.equal(placementFor('maillot')!.candidateWnids?.length, 2);
  // a class before an inner synset of the same name is not a tie ("monitor": the screen, not the lizard genus)
  assert.equal(placementFor('monitor')!.candidateWnids, undefined);
  assert.equal(placementFor('daisy')!.candidateWnids, undefined);
});
