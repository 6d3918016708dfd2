import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelFromPath, planBatches } from './upload';

const file = (name: string, size: number) => ({ name, size, webkitRelativePath: '' }) as unknown as File;

test('planBatches groups by label and cuts batches by size and count', () => {
  const MB = 1024 * 1024;
  const items = [
    { file: file('a.jpg', 30 * MB), label: 'daisy' },
    { file: file('b.jpg', 30 * MB), label: 'daisy' },
    { file: file('c.jpg', 1 * MB), label: 'roses' },
    { file: file('d.jpg', 1 * MB), label: 'daisy' },
  ];
  const batches = planBatches(items);
  assert.deepEqual(
    batches.map((b) => b.map((i) => i.file.name)),
    [['a.jpg'], ['b.jpg', 'd.jpg'], ['c.jpg']],
  );
  const many = Array.from({ length: 450 }, (_, i) => ({ file: file(`${i}.jpg`, 10), label: null }));
  assert.deepEqual(
    planBatches(many).map((b) => b.length),
    [200, 200, 50],
  );
});

test('labelFromPath takes the folder that holds the file', () => {
  assert.equal(labelFromPath('flowers/daisy/1.jpg'), 'daisy');
  assert.equal(labelFromPath('flowers/train/daisy/1.jpg'), 'daisy');
  assert.equal(labelFromPath('1.jpg'), null);
});
