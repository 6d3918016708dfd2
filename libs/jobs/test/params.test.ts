// The job's params cross a process boundary: what the trainer cannot take fails the job here, with a clear reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobInputError, growOptions } from '../src/params.js';

test('growOptions passes known view kinds to the trainer and fails the job on any other', () => {
  assert.deepEqual(growOptions({ seed: 3 }), { seed: 3 });
  assert.deepEqual(growOptions({ views: 'mirror-and-map', augmentations: 2 }), {
    views: 'mirror-and-map',
    augmentations: 2,
  });
  assert.throws(
    () => growOptions({ views: 'sideways' }),
    (e: Error) => e instanceof JobInputError && /options\.views: unknown view kind "sideways"/.test(e.message),
  );
});
