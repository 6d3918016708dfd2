// Entry of the training process (forked by trainer-process.ts). Runs one compute spec at a time and talks to its
// parent over IPC only: { run } / { abort } in; { progress } / { estimating } / { log } / { done } / { failed } out.
// It lowers its own CPU priority first, so the API (or worker) thread that forked it wins the cores.
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { backboneInfo, computeBackbone, runCompute, scoreBase } from './train-compute.js';
import type { ChildMessage, ParentMessage } from './trainer-process.js';

if (!process.send) throw new Error('trainer-child.ts runs as a forked child process (see trainer-process.ts)');

lowerPriority(Number(process.argv[2] ?? '0')); // the nice value, from TrainerProcess

// The parent may be gone (killed, or stopped mid-job) while a progress message is on its way: a send on a closed
// channel fails with EPIPE / ERR_IPC_CHANNEL_CLOSED, which without a callback is an uncaught error. Such a message has
// no reader; 'disconnect' below ends this process.
const send = (m: ChildMessage) => {
  if (process.connected) process.send?.(m, undefined, undefined, () => undefined);
};
let current: { id: number; controller: AbortController } | null = null;

process.on('message', (m: ParentMessage) => {
  if (m.type === 'abort') {
    if (current?.id === m.id) current.controller.abort(new Error(m.reason));
    return;
  }
  if (m.type === 'describe') {
    computeBackbone(m.backbone, (message) => send({ type: 'log', id: m.id, message })).then(
      (b) => send({ type: 'described', id: m.id, info: backboneInfo(b) }),
      (err: unknown) => send({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) }),
    );
    return;
  }
  if (m.type === 'scoreBase') {
    scoreBase(m.spec, (message) => send({ type: 'log', id: m.id, message })).then(
      (score) => send({ type: 'scored', id: m.id, score }),
      (err: unknown) => send({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) }),
    );
    return;
  }
  if (m.type !== 'run') return;
  if (current) {
    send({ type: 'failed', id: m.id, message: 'the training process is busy with another job' });
    return;
  }
  const controller = new AbortController();
  current = { id: m.id, controller };
  runCompute(m.spec, {
    signal: controller.signal,
    log: (message) => send({ type: 'log', id: m.id, message }),
    onEstimating: () => send({ type: 'estimating', id: m.id }),
    onProgress: (phase, fraction, span, extra) => send({ type: 'progress', id: m.id, phase, fraction, span, extra }),
  }).then(
    (result) => {
      current = null;
      send({ type: 'done', id: m.id, result });
    },
    (err: unknown) => {
      current = null;
      send({
        type: 'failed',
        id: m.id,
        message: err instanceof Error ? err.message || err.name : String(err),
        name: err instanceof Error ? err.name : undefined,
      });
    },
  );
});
// The parent going away (crash, kill) closes the channel: nothing left to work for.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });

/**
 * setpriority() on Linux applies per thread: renice every thread that exists now (V8's platform workers);
 * threads started later (onnxruntime's pool, libuv's) inherit the main thread's value.
 */
function lowerPriority(value: number): void {
  if (!Number.isInteger(value) || value <= 0) return;
  let tids: number[] = [0];
  try {
    tids = readdirSync('/proc/self/task')
      .map(Number)
      .filter((t) => t > 0);
  } catch {
    // not Linux: the process-wide call below is all there is
  }
  for (const tid of tids) {
    try {
      setPriority(tid === process.pid ? 0 : tid, Math.min(19, value));
    } catch {
      // not allowed (e.g. a container without CAP_SYS_NICE cannot go back down, but going up is always allowed)
    }
  }
}
