import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv.js';

test('csv fields may be quoted with commas and doubled quotes', () => {
  assert.deepEqual(parseCsv('a,"b, c","d ""e"""\r\n1,2,3\n'), [
    ['a', 'b, c', 'd "e"'],
    ['1', '2', '3'],
  ]);
});
