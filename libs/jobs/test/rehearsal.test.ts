// Rehearsal pool and retention probe selection, and the head maths of the retention evaluation.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRehearsalSets } from '../src/rehearsal.js';

/** Every temp dir of this file, removed after it. */
const scratch = await mkdtemp(join(tmpdir(), 'accrete-rehearsal-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

test('with index.csv, even class indices rehearse and odd ones are held out for retention', async () => {
  const dir = await mkdtemp(join(scratch, 'rehearsal-'));
  const rows = [0, 1, 2, 3, 985].map((i) => [`img${i}.jpg`, i]);
  for (const [f, i] of rows) await writeFile(join(dir, f as string), `bytes ${i}`);
  await writeFile(join(dir, 'extra.jpg'), 'not in the index');
  await writeFile(
    join(dir, 'index.csv'),
    'file,class_index,wnid,label\n' + rows.map(([f, i]) => `${f},${i},n${i},"name ${i}, other"`).join('\n') + '\n',
  );
  const sets = await loadRehearsalSets(dir);
  assert.deepEqual(
    sets.rehearsal.map((r) => r.path.split('/').pop()),
    ['img0.jpg', 'img2.jpg'],
  );
  assert.deepEqual(
    sets.retention?.map((r) => [r.path.split('/').pop(), r.classIndex]),
    [
      ['img1.jpg', 1],
      ['img3.jpg', 3],
      ['img985.jpg', 985],
    ],
  );
  assert.match(sets.rehearsal[0]!.sha256, /^[0-9a-f]{64}$/);
});

test('without index.csv every image in the directory rehearses and there is no retention probe', async () => {
  const dir = await mkdtemp(join(scratch, 'rehearsal-'));
  for (const f of ['b.jpg', 'a.png', 'notes.txt']) await writeFile(join(dir, f), f);
  const sets = await loadRehearsalSets(dir);
  assert.deepEqual(
    sets.rehearsal.map((r) => r.path.split('/').pop()),
    ['a.png', 'b.jpg'],
  );
  assert.equal(sets.retention, null);
  assert.deepEqual(await loadRehearsalSets(join(dir, 'missing')), { rehearsal: [], retention: null });
});
