import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imagenetTree, resolveNames, TaxonomySearchIndex, type IndexInput } from '../src/index.js';

function imagenetIndex(extra: IndexInput[] = []): TaxonomySearchIndex {
  const nodes: IndexInput[] = [...imagenetTree().nodes()].map((n) => ({
    id: n.id,
    name: n.name,
    synonyms: n.synonyms,
    isClass: n.classIndex !== null,
  }));
  return new TaxonomySearchIndex([...nodes, ...extra]);
}

test('search ranks exact names first, then synonyms, prefixes and words', () => {
  const idx = imagenetIndex();
  const hits = idx.search('shark', 5);
  assert.equal(hits[0].name, 'shark');
  assert.equal(hits[0].reason, 'exact');
  assert.ok(hits.slice(1).every((h) => h.score < hits[0].score));
  assert.ok(hits.some((h) => h.name === 'tiger shark' && h.reason === 'word prefix'));
  const panda = idx.search('panda', 3).map((h) => h.name);
  assert.deepEqual(panda.slice(0, 2).sort(), ['giant panda', 'lesser panda']); // via the synonym "panda"
  assert.equal(idx.search('flowers', 1)[0].name, 'flower');
  assert.equal(idx.search('Tinca', 1)[0].name, 'tench');
  assert.equal(idx.search('chihuahwa', 1)[0].name, 'Chihuahua');
  assert.deepEqual(idx.search('zzzzqqq'), []);
});

test('aliases are searchable', () => {
  const idx = imagenetIndex([{ id: 'u1', name: 'sunflower', aliases: ['Helianthus annuus'], isClass: true }]);
  const [hit] = idx.search('helianthus', 1);
  assert.equal(hit.id, 'u1');
  assert.equal(hit.field, 'alias');
});

test('resolving names: exact reuse, proposals for case/plural/typo, new otherwise', () => {
  const idx = imagenetIndex();
  const [daisy, Daisy, daisies, typo, sunflower, crane] = resolveNames(idx, [
    'daisy',
    'Daisy',
    'daisies',
    'daissy',
    'sunflower',
    'crane',
  ]);
  assert.deepEqual(daisy, { input: 'daisy', kind: 'exact', match: { id: 'n11939491', name: 'daisy', field: 'name' } });
  for (const [r, reason] of [
    [Daisy, 'same name ignoring case'],
    [daisies, 'plural/singular'],
    [typo, 'similar spelling'],
  ] as const) {
    assert.equal(r.kind, 'proposals', r.input);
    if (r.kind !== 'proposals') continue;
    assert.equal(r.proposals[0].id, 'n11939491', r.input);
    assert.equal(r.proposals[0].reason, reason, r.input);
  }
  assert.equal(sunflower.kind, 'new');
  // Two ImageNet classes are called "crane" (bird and machine): both are proposed, none is picked.
  assert.equal(crane.kind, 'proposals');
  if (crane.kind === 'proposals') {
    assert.deepEqual(
      crane.proposals
        .slice(0, 2)
        .map((p) => p.id)
        .sort(),
      ['n02012849', 'n03126707'],
    );
    assert.equal(crane.proposals[0].reason, 'same name (ambiguous)');
  }
  // Short names do not propose unrelated words one letter apart ("roses" is not "robe").
  assert.equal(resolveNames(idx, ['roses'])[0].kind, 'new');
  assert.throws(() => resolveNames(idx, ['  ']), /empty/);
});
