// The serving form of the ONNX engine (session on a worker thread) answers exactly as the in-thread one, lets the
// event loop turn while it infers, and reports a failed session instead of hanging.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { loadBackbone } from '../backbone/load-backbone.js';
import { modelDir } from '../testing/fixtures.js';
import type { Backbone } from '../types.js';
import { startThreadSession } from './onnx-thread.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

describe('ONNX inference on a worker thread', () => {
  let cacheDir: string;
  let inline: Backbone;
  let threaded: Backbone;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'accrete-onnx-thread-'));
    inline = await loadBackbone(modelDir, { cacheDir, backend: 'onnx' });
    threaded = await loadBackbone(modelDir, { cacheDir, backend: 'onnx', inferenceThread: true });
  });
  after(async () => {
    await inline?.dispose();
    await threaded?.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('gives the same bottlenecks and feature maps as the in-thread session', async () => {
    const size = inline.inputSize;
    const n = 2;
    const input = new Float32Array(n * size * size * 3).map((_, i) => Math.sin(i * 0.001));
    const a = await inline.computeBottlenecks(input, n);
    const b = await threaded.computeBottlenecks(input, n);
    assert.equal(b.length, a.length);
    assert.deepEqual(Array.from(b), Array.from(a));
    if (inline.computeFeatureMaps) {
      const ma = await inline.computeFeatureMaps(input, n);
      const mb = await threaded.computeFeatureMaps!(input, n);
      assert.deepEqual(Array.from(mb.maps), Array.from(ma.maps));
      assert.equal(mb.side, ma.side);
    }
  });

  it('leaves the event loop free while it infers', async () => {
    const size = threaded.inputSize;
    const input = new Float32Array(8 * size * size * 3).fill(0.5);
    // CPU time, not wall time: the event loop's thread (the main thread, tid = pid) must spend a small share of the
    // process's CPU while the worker infers; in-thread, onnxruntime-node runs the pass on the calling thread (its
    // share is the whole pass, or half with two intra-op threads). Wall-clock measures (loop turns, event-loop
    // utilisation) also measure how the OS schedules a busy machine: 59 % utilisation with two CPU hogs beside CI.
    const process0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    for (let i = 0; i < 8; i++) await threaded.computeBottlenecks(input, 8);
    const mainMs = mainThreadCpuMs() - main0;
    const { user, system } = process.cpuUsage(process0);
    const processMs = (user + system) / 1000;
    assert.ok(processMs > 0);
    assert.ok(
      mainMs < 0.25 * processMs,
      `the event loop's thread used ${mainMs} of the process's ${processMs.toFixed(0)} CPU ms`,
    );
  });

  it('refuses a model it cannot load with the runtime error, not a hang', async () => {
    await assert.rejects(
      startThreadSession({ onnxPath: join(cacheDir, 'missing.onnx'), intraOpNumThreads: 1 }),
      /missing\.onnx|file|load/i,
    );
  });

  it('describes the backbone as the in-thread load does (id, labels, sizes, base head)', () => {
    for (const k of [
      'id',
      'filesSha256',
      'source',
      'inputSize',
      'bottleneckDim',
      'bottleneckLayer',
      'headLayer',
    ] as const)
      assert.equal(threaded[k], inline[k], k);
    assert.deepEqual(threaded.labels, inline.labels);
    assert.equal(threaded.backend, 'onnx');
    assert.deepEqual(Array.from(threaded.baseHead.weights), Array.from(inline.baseHead.weights));
    assert.deepEqual(Array.from(threaded.baseHead.bias), Array.from(inline.baseHead.bias));
  });

  it('never loads tfjs on the calling thread (a fresh process, a fresh cache: conversion included)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'accrete-onnx-thread-fresh-'));
    try {
      const script = `
        const { loadBackbone } = await import(${JSON.stringify(new URL('../backbone/load-backbone.ts', import.meta.url).href)});
        const { tf } = await import(${JSON.stringify(new URL('./tf-runtime.ts', import.meta.url).href)});
        const b = await loadBackbone(${JSON.stringify(modelDir)}, { cacheDir: ${JSON.stringify(dir)}, backend: 'onnx', inferenceThread: true });
        let tfLoaded = true;
        try { tf.getBackend(); } catch { tfLoaded = false; }
        const out = await b.computeBottlenecks(new Float32Array(b.inputSize * b.inputSize * 3), 1);
        console.log(JSON.stringify({ tfLoaded, backend: b.backend, values: out.length, dim: b.bottleneckDim }));
        await b.dispose();`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { encoding: 'utf8' },
      );
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      assert.deepEqual(r, { tfLoaded: false, backend: 'onnx', values: r.dim, dim: r.dim });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a backbone it cannot read with the reading error, not a hang', async () => {
    await assert.rejects(
      loadBackbone(join(cacheDir, 'no-such-model'), { cacheDir, backend: 'onnx', inferenceThread: true }),
      /no-such-model|ENOENT|model\.json/i,
    );
  });
});

/** CPU time (ms) of this process's main thread so far, from /proc (Linux; clock ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, USER_HZ = 100 on Linux
}
