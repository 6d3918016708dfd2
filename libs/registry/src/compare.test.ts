import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShareMetric } from './compare.js';

test('shares of images are told apart from counts, points, seconds, losses and the knob', () => {
  for (const m of [
    'overall.top1',
    'new.top5',
    'retention.kept',
    'retention.childTop1',
    'sinceBase.baseTop1',
    'top1LeafOrDescendant',
    'details.knob.heldOut.heldOutAccuracy',
    'recall',
  ])
    assert.equal(isShareMetric(m), true, m);
  for (const m of [
    'overall.count',
    'retention.dropPoints',
    'details.rows.rehearsal',
    'details.curve.poolRows',
    'details.knob.biasShift',
    'details.knob.retentionKnob',
    'details.fit.loss',
    'timings.grow',
    'support',
  ])
    assert.equal(isShareMetric(m), false, m);
});
