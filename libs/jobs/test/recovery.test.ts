// Who may be judged dead by its pid: only a worker provably in this process's PID namespace and boot. Everything else
// (other containers sharing the hostname, other machines, ids of older builds) waits for its heartbeat to go stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeadLocalWorker, newWorkerId, pidScope, type PidIdentity } from '../src/recovery.js';

const BOOT = '2bb86792-3f11-48e8-b39a-12af7c56d599';
const SCOPE = '4026531836.2bb867923f1148e8b39a12af7c56d599';
const self: PidIdentity = { pid: 100, scope: SCOPE };
const gone = () => false;
const alive = () => true;

test('pidScope is the PID namespace inode and the boot id, or null when either cannot be read', () => {
  const reader = (link: string, text: string) => ({ link: () => link, text: () => text });
  assert.equal(pidScope(reader('pid:[4026531836]', `${BOOT}\n`)), SCOPE);
  assert.equal(pidScope(reader('pid:[4026532285]', BOOT)), '4026532285.2bb867923f1148e8b39a12af7c56d599');
  assert.equal(pidScope(reader('garbage', BOOT)), null);
  assert.equal(pidScope(reader('pid:[4026531836]', 'not-a-boot-id')), null);
  const unreadable = {
    link: () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    text: () => BOOT,
  };
  assert.equal(pidScope(unreadable), null);
});

test('a missing pid means dead only in the same PID namespace and boot', () => {
  assert.equal(isDeadLocalWorker(`vm:25771:559e98f8:${SCOPE}`, self, gone), true);
  assert.equal(isDeadLocalWorker(`vm:25771:559e98f8:${SCOPE}`, self, alive), false);
  // the reported bug: same hostname, another PID namespace (unshare --pid, hostNetwork pods)
  assert.equal(isDeadLocalWorker('vm:25771:559e98f8:4026532285.2bb867923f1148e8b39a12af7c56d599', self, gone), false);
  // same namespace inode on another machine or an earlier boot
  assert.equal(isDeadLocalWorker('vm:25771:559e98f8:4026531836.00000000000000000000000000000000', self, gone), false);
  // ids of older builds (host:pid:random) prove nothing
  assert.equal(isDeadLocalWorker('vm:25771:559e98f8', self, gone), false);
  // our own pid (another runner of this process), nonsense pids
  assert.equal(isDeadLocalWorker(`vm:100:559e98f8:${SCOPE}`, self, gone), false);
  assert.equal(isDeadLocalWorker(`vm:0:559e98f8:${SCOPE}`, self, gone), false);
  assert.equal(isDeadLocalWorker(`vm:x:559e98f8:${SCOPE}`, self, gone), false);
  // a process that cannot read its own namespace never uses the shortcut
  assert.equal(isDeadLocalWorker(`vm:25771:559e98f8:${SCOPE}`, { pid: 100, scope: null }, gone), false);
  // no worker at all: nobody runs it
  assert.equal(isDeadLocalWorker(null, self, alive), true);
});

const CHILD = join(import.meta.dirname, 'print-worker-id.ts');

/** A node process (optionally behind a wrapper such as unshare) printing its worker id; it exits when stdin closes. */
async function workerIdChild(wrapper: string[] = []) {
  const node = [process.execPath, '--import', 'tsx', CHILD];
  const [cmd, ...args] = [...wrapper, ...node];
  const child = spawn(cmd!, args, { cwd: import.meta.dirname, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { id: line, end: () => (child.stdin!.end(), exited) };
}

test('on Linux: a worker of this namespace is alive while it runs and dead once it exited', async (t) => {
  if (!pidScope()) return t.skip('no /proc PID namespace here: every worker is judged by its heartbeat');
  const w = await workerIdChild();
  assert.equal(w.id.split(':')[3], pidScope());
  assert.equal(isDeadLocalWorker(w.id), false);
  await w.end();
  assert.equal(isDeadLocalWorker(w.id), true);
});

// How the bug was seen: `unshare --pid --fork --mount-proc` gives a worker its own PID namespace on the same host.
const unshare = ['unshare', '--pid', '--fork', '--mount-proc'];
const unshareWorks = () => (spawnSync(unshare[0]!, [...unshare.slice(1), 'true']).status === 0 ? unshare : null);

test('on Linux: a worker in another PID namespace of this host is never judged by its pid', async (t) => {
  const wrapper = pidScope() ? unshareWorks() : null;
  if (!wrapper) return t.skip('cannot create a PID namespace here (unshare needs root or user namespaces)');
  const w = await workerIdChild(wrapper);
  try {
    const [host, pid, , scope] = w.id.split(':');
    assert.equal(host, newWorkerId().split(':')[0]);
    assert.ok(scope && scope !== pidScope(), `scope ${scope} vs ours ${pidScope()}`);
    assert.equal(scope.split('.')[1], pidScope()!.split('.')[1], 'same boot');
    // whatever its pid means in our namespace (here it is 1, init), the id alone rules the shortcut out
    assert.equal(isDeadLocalWorker(w.id, { pid: process.pid, scope: pidScope() }, gone), false, `pid ${pid}`);
  } finally {
    await w.end();
  }
});
