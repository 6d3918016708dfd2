import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { modelDir } from '../testing/fixtures.js';
import { planClasses } from './merge.js';

const labels: string[] = JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8')).labels;

describe('planClasses (base MobileNet labels)', () => {
  it('merges daisy into ImageNet unit 985 and appends the other flowers in order', () => {
    const plan = planClasses(labels, ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']);
    assert.deepEqual(plan.merged, { daisy: 985 });
    assert.deepEqual(plan.appended, ['dandelion', 'roses', 'sunflowers', 'tulips']);
    assert.equal(plan.unitOf('daisy'), 985);
    assert.equal(plan.unitOf('tulips'), 1003);
    assert.equal(plan.unitOf('giant panda'), 388); // a synonym of "giant panda, panda, panda bear, …"
    assert.equal(plan.unitOf('bluebell'), undefined);
  });

  it('matches names regardless of case, spaces, underscores and hyphens', () => {
    assert.deepEqual(planClasses(labels, ['Great_White-Shark']).merged, { 'Great_White-Shark': 2 });
  });

  it('takes explicit merges first and can be told not to merge by name', () => {
    assert.deepEqual(planClasses(labels, ['marguerite'], { marguerite: 985 }).merged, { marguerite: 985 });
    const plan = planClasses(labels, ['daisy'], {}, false);
    assert.deepEqual(plan.appended, ['daisy']);
    assert.equal(plan.unitOf('daisy'), 1000);
  });

  it('refuses ambiguous names, duplicates and bad merge targets', () => {
    assert.throws(() => planClasses(labels, ['crane']), /several parent units \(134, 517\)/);
    assert.throws(() => planClasses(labels, ['roses', 'Roses']), /requested twice/);
    assert.throws(() => planClasses(labels, ['x'], { x: 1000 }), /not a unit of the parent/);
  });
});
