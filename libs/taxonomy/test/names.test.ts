import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTaxonomyError, looseKey, normalizeName, singularKey, validateClassName } from '../src/index.js';

test('normalizeName folds case, underscores and spaces', () => {
  assert.equal(normalizeName('  Great_White   Shark '), 'great white shark');
  assert.equal(normalizeName('Ｄａｉｓｙ'), 'daisy'); // NFKC folds full-width letters
  assert.equal(looseKey('half-track'), looseKey('Half Track'));
});

test('singularKey handles regular and irregular plurals without mangling singulars', () => {
  assert.equal(singularKey('daisies'), 'daisy');
  assert.equal(singularKey('sunflowers'), 'sunflower');
  assert.equal(singularKey('sea lions'), 'sealion');
  assert.equal(singularKey('geese'), 'goose');
  assert.equal(singularKey('axis'), 'axis');
  assert.equal(singularKey('iris'), 'iris');
});

test('validateClassName trims and rejects empty, over-long and control-character names', () => {
  assert.equal(validateClassName('  sun   flower '), 'sun flower');
  for (const bad of ['', '   ', 'a\u0007b', '---', 'x'.repeat(121)]) {
    assert.throws(
      () => validateClassName(bad),
      (e: unknown) => isTaxonomyError(e, 'INVALID_NAME'),
      JSON.stringify(bad),
    );
  }
  assert.throws(() => validateClassName(42), /must be a string/);
});
