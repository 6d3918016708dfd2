// The PGlite data-dir lock: a second opener is refused with the holder's name, a crashed holder's socket is taken
// over, and the holder answers requests sent to its socket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { once } from 'node:events';
import { askDataDirHolder, DatabaseLockedError, lockDataDir, lockSocketPath } from './data-dir-lock.js';
import { openDatabase } from './database.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'accrete-lock-'));

test('a second open of the same PGlite directory is refused and names the holder', async () => {
  const dir = scratch();
  try {
    const db = await openDatabase({ dataDir: join(dir, 'db'), migrate: false, program: 'first-opener' });
    await assert.rejects(openDatabase({ dataDir: join(dir, 'db'), migrate: false }), (e: unknown) => {
      assert.ok(e instanceof DatabaseLockedError);
      assert.equal(e.holder?.program, 'first-opener');
      assert.equal(e.holder?.pid, process.pid);
      return true;
    });
    await db.close();
    assert.equal(existsSync(lockSocketPath(join(dir, 'db'))), false, 'close() removes the socket');
    const again = await openDatabase({ dataDir: join(dir, 'db'), migrate: false });
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the socket of a holder that was killed is taken over', async () => {
  const dir = scratch();
  try {
    // a child takes the lock, says so, and is killed without any chance to clean up
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${new URL('./data-dir-lock.ts', import.meta.url).pathname}').then(async (m) => { const l = await m.lockDataDir(${JSON.stringify(dir)}, 'doomed'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.match(line.toString(), /locked/);
    await assert.rejects(
      lockDataDir(dir, 'test'),
      (e: unknown) => e instanceof DatabaseLockedError && e.holder?.program === 'doomed',
    );
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok(existsSync(lockSocketPath(dir)), 'the dead holder left its socket file');
    const lock = await lockDataDir(dir, 'survivor');
    await lock.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the holder answers the requests it registered, and reports handler errors', async () => {
  const dir = scratch();
  const lock = await lockDataDir(dir, 'api');
  try {
    lock.handle('double', async (r) => Number(r.n) * 2);
    lock.handle('fail', async () => {
      throw new Error('no such thing');
    });
    lock.setInfo('url', 'http://127.0.0.1:1');
    const hello = (await askDataDirHolder(dir, { op: 'hello' })) as { ops: string[]; info: Record<string, string> };
    assert.deepEqual(hello.ops.sort(), ['double', 'fail']);
    assert.equal(hello.info.url, 'http://127.0.0.1:1');
    assert.equal(await askDataDirHolder(dir, { op: 'double', n: 21 }), 42);
    await assert.rejects(askDataDirHolder(dir, { op: 'fail' }), /no such thing/);
    await assert.rejects(askDataDirHolder(dir, { op: 'nope' }), /unknown request nope/);
  } finally {
    await lock.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
