// Preloaded into the API process by bench/api-during-job.ts (`node --import ./bench/loop-probe.mjs`): once a second,
// appends the event loop's delay (max, p99), the GC pauses of that second and the JS heap in use to $BENCH_LOOP_PROBE_FILE as one JSON
// line, so the bench sees the server's stalls from inside (a client's latency also measures its neighbours').
// Plain JS, no imports from the app: it measures, it does not change what the API does.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_PROBE_FILE;
// the API process only: its training child inherits the --import (and the environment)
if (file && /apps[\\/]api[\\/]src[\\/]main\.ts$/.test(process.argv[1] ?? '')) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let gcMs = 0;
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const tick = setInterval(() => {
    const line = {
      t: Date.now(),
      maxMs: +(h.max / 1e6).toFixed(1),
      p99Ms: +(h.percentile(99) / 1e6).toFixed(1),
      gcMs: +gcMs.toFixed(1),
      gcMaxMs: +gcMaxMs.toFixed(1),
      heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    };
    h.reset();
    gcMs = gcMaxMs = 0;
    appendFileSync(file, JSON.stringify(line) + '\n');
  }, 1000);
  tick.unref();
}
