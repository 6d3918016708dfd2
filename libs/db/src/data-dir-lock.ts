// One process at a time may open a PGlite data directory: two would each load it into memory and the last to write
// back would silently drop the other's rows. PGlite itself does not lock, so the holder binds a Unix socket beside
// the data. The kernel frees the socket when the holder dies, so "can I connect?" is an exact liveness test (no pid
// files, no reused pids); a socket file left by a crash refuses connections and is taken over.
// The socket also lets the holder answer a few requests from the same user (e.g. "create an API token" from
// tools/create-token.ts while the API runs): it is created 0600, so only the owner of the data, who could open the
// database anyway, can connect.
import { createHash } from 'node:crypto';
import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Who holds a data directory, as it describes itself. */
export interface LockHolder {
  pid: number;
  /** e.g. "api", "create-token", "test" */
  program: string;
  since: string;
  /** Requests the holder answers besides "hello". */
  ops: string[];
  /** Extra facts (e.g. the API's URL). */
  info: Record<string, string>;
}

export class DatabaseLockedError extends Error {
  readonly code = 'DB_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder
        ? `the database in ${dataDir} is open in another process (${holder.program}, pid ${holder.pid}, since ${holder.since})`
        : `the database in ${dataDir} is open in another process (it does not answer)`,
    );
  }
}

export type LockRequestHandler = (request: Record<string, unknown>) => Promise<unknown>;

export interface DataDirLock {
  readonly socketPath: string;
  /** Answers requests {op, …} from other processes of the same user. */
  handle(op: string, handler: LockRequestHandler): void;
  setInfo(key: string, value: string): void;
  release(): Promise<void>;
}

/** Sun paths are limited to ~107 bytes: a long data dir gets its socket in the temp dir, named by the dir's hash. */
export function lockSocketPath(dataDir: string): string {
  const dir = resolve(dataDir);
  const beside = join(dir, '.lock.sock');
  if (Buffer.byteLength(beside) <= 100) return beside;
  return join(tmpdir(), `accrete-${createHash('sha256').update(dir).digest('hex').slice(0, 20)}.sock`);
}

const MAX_LINE = 64 * 1024;

/** Takes the lock of dataDir or throws DatabaseLockedError naming the live holder. */
export async function lockDataDir(dataDir: string, program: string): Promise<DataDirLock> {
  const socketPath = lockSocketPath(dataDir);
  const handlers = new Map<string, LockRequestHandler>();
  const info: Record<string, string> = {};
  const since = new Date().toISOString();
  const hello = (): LockHolder => ({ pid: process.pid, program, since, ops: [...handlers.keys()], info: { ...info } });
  const server = net.createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (d: string) => {
      buf += d;
      if (buf.length > MAX_LINE) return void socket.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = '';
      void answer(line).then((reply) => socket.end(JSON.stringify(reply) + '\n'));
    });
  });
  const answer = async (line: string): Promise<unknown> => {
    let req: Record<string, unknown>;
    try {
      req = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { error: 'not JSON' };
    }
    if (req.op === 'hello') return { ok: hello() };
    const h = typeof req.op === 'string' ? handlers.get(req.op) : undefined;
    if (!h) return { error: `unknown request ${String(req.op)}` };
    try {
      return { ok: await h(req) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  server.unref(); // the lock never keeps a process alive by itself

  for (let attempt = 0; ; attempt++) {
    const bound = await new Promise<NodeJS.ErrnoException | null>((res) => {
      server.once('error', (e) => res(e));
      server.listen(socketPath, () => res(null));
    });
    if (!bound) break;
    if (bound.code !== 'EADDRINUSE' || attempt > 0)
      throw new Error(`cannot lock ${dataDir} (${socketPath}): ${bound.message}`);
    const holder = await askLockHolder(socketPath, { op: 'hello' }).then(
      (h) => ({ holder: h as LockHolder, error: null }),
      (e: NodeJS.ErrnoException) => ({ holder: null, error: e }),
    );
    if (holder.holder) throw new DatabaseLockedError(dataDir, holder.holder);
    if (holder.error?.code !== 'ECONNREFUSED' && holder.error?.code !== 'ENOENT')
      throw new DatabaseLockedError(dataDir, null);
    // left by a process that died: nobody listens on it any more
    try {
      unlinkSync(socketPath);
    } catch {
      /* another process took it over first: the next listen tells */
    }
  }
  chmodSync(socketPath, 0o600);
  let released: Promise<void> | undefined;
  return {
    socketPath,
    handle: (op, handler) => void handlers.set(op, handler),
    setInfo: (key, value) => void (info[key] = value),
    release: () => (released ??= new Promise<void>((res) => server.close(() => res()))), // close() unlinks the socket file
  };
}

/** Sends one request to the holder of a lock socket; rejects with the socket error (ECONNREFUSED when stale). */
export function askLockHolder(
  socketPath: string,
  request: Record<string, unknown>,
  timeoutMs = 60_000,
): Promise<unknown> {
  return new Promise((res, rej) => {
    const socket = net.connect(socketPath);
    let buf = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error('the database holder did not answer'), { code: 'ETIMEDOUT' })),
    );
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (d: string) => (buf += d));
    socket.on('error', rej);
    socket.on('close', () => {
      if (!buf)
        return rej(Object.assign(new Error('the database holder closed the connection'), { code: 'ECONNRESET' }));
      try {
        const reply = JSON.parse(buf) as { ok?: unknown; error?: string };
        if (reply.error !== undefined) rej(Object.assign(new Error(reply.error), { code: 'EHOLDER' }));
        else res(reply.ok);
      } catch {
        rej(new Error('the database holder sent a malformed reply'));
      }
    });
  });
}

/** Asks whoever holds dataDir to do `op`; DatabaseLockedError-like info when it cannot. */
export async function askDataDirHolder(dataDir: string, request: Record<string, unknown>): Promise<unknown> {
  return askLockHolder(lockSocketPath(dataDir), request);
}
