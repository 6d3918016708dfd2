// Where a job's work runs: the compute half (extraction, fit, evaluation, export) must not run on the event loop of
// the process that serves HTTP. A real small job on a cold bottleneck cache (so extraction really runs) with the
// real base model; the longest event-loop delay of this process is measured only while the job's compute phase runs
// (between the training process's start and end events). Run inline, the same job stalls this loop for hundreds
// of milliseconds at a time (backbone load and ONNX conversion, L-BFGS fit, head products); in the training process
// the loop only forwards progress and answers the database polling below. What is asserted is the CPU this process
// uses between two ticks of a 5 ms timer (< 150 ms: inline, one ONNX conversion or extraction batch alone takes
// several hundred): the loop's delay is reported beside it, but on a machine with
// a load of 20 (shared CI) the delay also counts waiting for a core, which says nothing about where work runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createJobRunner, type JobRunner } from '../src/runner.js';
import { createBaseModel, createFlowerDataset, createJob, createTestEnv, waitForJob } from './fixtures.js';
import type { TestEnv } from './fixtures.js';

/** Most CPU this process may use between two 5 ms ticks while a job computes (see the file's head). */
const CPU_PER_TICK_LIMIT_MS = 150;

let env: TestEnv;
let runner: JobRunner;
const logs: string[] = [];

before(async () => {
  env = await createTestEnv({ freshBottlenecks: true, rehearsalPerParity: 8 });
  runner = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage, log: (m) => logs.push(m) },
    { mode: 'inprocess', work: true, sweepMs: 0, trainer: { idleMs: 0 } },
  );
  await runner.start();
});
after(async () => {
  await runner?.stop();
  await env?.close();
});

test("a job's extraction and fit run in the training process, never on this process's event loop", async (t) => {
  const base = await createBaseModel(env.prisma, 'isolation-model');
  const ds = await createFlowerDataset(env, 'isolation-flowers', { dandelion: [5, 2], tulips: [5, 2] });
  const job = await createJob(env.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['dandelion', 'tulips'],
  });

  const delay = monitorEventLoopDelay({ resolution: 5 });
  // The most CPU this process used between two ticks of a 5 ms timer. A task blocking the loop shows up whole in one
  // gap (with onnxruntime's threads, more CPU than wall time); unlike the loop's delay, it does not grow when a
  // loaded machine is slow to schedule this process, because waiting for a core uses no CPU.
  let cpuMaxMs = 0;
  let samples = 0;
  let sampler: NodeJS.Timeout | null = null;
  const events: { event: string; pid: number; at: number }[] = [];
  const seenPhases = new Set<string>();
  const listener = (event: 'start' | 'end', pid: number) => {
    events.push({ event, pid, at: performance.now() });
    if (event === 'start') {
      delay.reset();
      delay.enable();
      let last = process.cpuUsage();
      sampler = setInterval(() => {
        const used = process.cpuUsage(last);
        last = process.cpuUsage();
        cpuMaxMs = Math.max(cpuMaxMs, (used.user + used.system) / 1000);
        samples++;
      }, 5);
    } else {
      delay.disable();
      if (sampler) clearInterval(sampler);
    }
  };
  runner.trainer.computeListeners.add(listener);
  const onPhase = (phase: string) => seenPhases.add(phase);
  runner.trainer.progressListeners.add(onPhase);
  await runner.submit(job.jobId);
  // Watch the row like the dashboard does, so this loop has real work (database reads) meanwhile.
  for (;;) {
    const row = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.jobId } });
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.status)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const row = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  runner.trainer.computeListeners.delete(listener);
  runner.trainer.progressListeners.delete(onPhase);
  assert.equal(row.status, 'SUCCEEDED', `${row.error}\n${logs.join('\n')}`);

  assert.deepEqual(
    events.map((e) => e.event),
    ['start', 'end'],
  );
  assert.notEqual(events[0]!.pid, process.pid, 'the compute half runs in another process');
  const computeSeconds = (events[1]!.at - events[0]!.at) / 1000;
  // The compute phase really extracted bottlenecks (cold cache) and fitted: progress came through from the child.
  assert.ok(
    [...seenPhases].some((p) => p.includes(':extract')),
    `phases seen: ${[...seenPhases].join(', ')}`,
  );
  const val = await env.prisma.evaluation.findFirstOrThrow({ where: { versionId: job.versionId, name: 'val' } });
  const timings = (val.metrics as { timings: Record<string, number> }).timings;
  assert.ok(timings.bottlenecks! > 0 && timings.grow! > 0, JSON.stringify(timings));

  const seen = `at most ${cpuMaxMs.toFixed(1)} ms of CPU between two ticks (${samples} ticks); loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; during a ${computeSeconds.toFixed(1)} s compute phase`;
  assert.ok(samples > 10 && delay.count > 0, `sampled during the compute phase: ${seen}`);
  // Not 50: at a load of 25–40 the process's other threads (GC, PGlite's polling queries queued behind a late
  // tick) put 50–80 ms into one gap even with the job elsewhere; a job on this loop still shows hundreds.
  assert.ok(cpuMaxMs < CPU_PER_TICK_LIMIT_MS, seen);
  t.diagnostic(seen);
});

test('a training process that dies mid-job fails that job with the reason; the next job gets a fresh one', async () => {
  const base = await createBaseModel(env.prisma, 'isolation-crash-model');
  const ds = await createFlowerDataset(env, 'isolation-crash-flowers', { roses: [3, 1] });
  const pids: number[] = [];
  const kill = (event: 'start' | 'end', pid: number) => {
    if (event !== 'start') return;
    pids.push(pid);
    if (pids.length === 1) process.kill(pid, 'SIGKILL'); // the first job's training process only
  };
  runner.trainer.computeListeners.add(kill);
  try {
    const first = await createJob(env.prisma, {
      parentVersionId: base.versionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: ['roses'],
    });
    await runner.submit(first.jobId);
    const failed = await waitForJob(env.prisma, first.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    assert.equal(failed.status, 'FAILED');
    assert.match(failed.error ?? '', /training process exited \(SIGKILL\)/);
    const version = await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: first.versionId } });
    assert.equal(version.status, 'FAILED');

    const second = await createJob(env.prisma, {
      parentVersionId: base.versionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: ['roses'],
    });
    await runner.submit(second.jobId);
    const ok = await waitForJob(env.prisma, second.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    assert.equal(ok.status, 'SUCCEEDED', `${ok.error}\n${logs.join('\n')}`);
    assert.equal(pids.length, 2);
    assert.notEqual(pids[1], pids[0], 'a new training process');
  } finally {
    runner.trainer.computeListeners.delete(kill);
  }
});
