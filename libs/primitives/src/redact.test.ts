import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactPaths } from './redact.js';

test('absolute paths and file:// URLs are cut to their last part; public URLs stay whole', () => {
  assert.equal(redactPaths('/srv/accrete/shared/models/mobilenet_v1'), '…/mobilenet_v1');
  assert.equal(redactPaths('cannot read /data/x/labels.json: gone'), 'cannot read …/labels.json: gone');
  assert.equal(redactPaths('file:///srv/models/m/model.json'), '…/model.json');
  const url = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.75_224/model.json';
  assert.equal(redactPaths(url), url);
  assert.equal(redactPaths(`from ${url} and /a/b/c`), `from ${url} and …/c`);
  assert.equal(redactPaths('relative/path and 3/4'), 'relative/path and 3/4');
});
