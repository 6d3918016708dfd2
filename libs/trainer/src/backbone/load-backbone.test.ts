import assert from 'node:assert/strict';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBackbone } from './load-backbone.js';
import { modelDir, sharedDir } from '../testing/fixtures.js';
import type { Backbone } from '../types.js';

describe('loadBackbone', () => {
  let cacheDir: string;
  let local: Backbone;
  let server: Server;
  let baseUrl: string;
  const requested: string[] = [];

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'accrete-bb-'));
    local = await loadBackbone(modelDir, { cacheDir });
    // Serves the shared dir like the public model host would.
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      requested.push(path);
      const file = join(sharedDir, path);
      if (!file.startsWith(sharedDir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await local?.dispose();
    server?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('splits MobileNet at the 768-d bottleneck and exposes conv_preds as a dense head', () => {
    assert.equal(local.inputSize, 224);
    assert.equal(local.bottleneckDim, 768);
    assert.equal(local.bottleneckLayer, 'global_average_pooling2d_1');
    assert.equal(local.headLayer, 'conv_preds');
    assert.equal(local.labels.length, 1000);
    assert.match(local.labels[985], /daisy/);
    assert.equal(local.baseHead.inDim, 768);
    assert.equal(local.baseHead.classes, 1000);
    assert.equal(local.baseHead.weights.length, 768 * 1000);
    assert.equal(local.baseHead.bias.length, 1000);
    assert.match(local.id, /^[0-9a-f]{64}$/);
    assert.match(local.filesSha256, /^[0-9a-f]{64}$/);
    assert.notEqual(local.id, local.filesSha256);
  });

  it('picks a compute backend and caches the ONNX form under the backbone id', () => {
    // Without native tfjs (optional deps, absent here) the fast CPU path must win over wasm.
    assert.notEqual(local.backend, 'wasm');
    if (local.backend === 'onnx') assert.deepEqual(readdirSync(cacheDir), [`${local.id}.v2.onnx`]);
  });

  it('loads the same model from an http(s) URL (model.json + shards + metadata.json labels)', async () => {
    const logs: string[] = [];
    const remote = await loadBackbone(`${baseUrl}/models/mobilenet_v1_0.75_224/model.json`, {
      cacheDir,
      log: (m) => logs.push(m),
    });
    try {
      assert.equal(remote.id, local.id);
      assert.equal(remote.filesSha256, local.filesSha256);
      assert.deepEqual(remote.labels, local.labels);
      assert.deepEqual(remote.baseHead.bias, local.baseHead.bias);
      assert.ok(requested.includes('/models/mobilenet_v1_0.75_224/group55-shard1of1'));
      assert.ok(requested.includes('/models/mobilenet_v1_0.75_224/metadata.json'));
      assert.ok(
        logs.some((m) => m.includes('backend onnx')),
        logs.join('\n'),
      );
      // The ONNX file was reused, not converted again.
      assert.ok(!logs.some((m) => m.includes('converted backbone')));
    } finally {
      await remote.dispose();
    }
  });

  it('names the problem when the source is not a model', async () => {
    await assert.rejects(loadBackbone(join(sharedDir, 'no-such-model'), { cacheDir }), /cannot read model.json/);
    await assert.rejects(loadBackbone(`${baseUrl}/nothing/model.json`, { cacheDir }), /HTTP 404/);
    await assert.rejects(loadBackbone(join(sharedDir, 'datasets'), { cacheDir }), /cannot read model.json/);
  });
});
