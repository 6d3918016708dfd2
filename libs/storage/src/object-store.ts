// Where blobs live: one interface, two homes (a local directory, the embedded default; an S3-compatible bucket for
// scale-out). Keys are content-addressed ("<kind>/<aa>/<sha256>"); a put verifies the sha256 of what was written
// before the key becomes visible, so a caller that writes its DB row after `put` never points at a wrong blob.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type BlobKind = 'images' | 'bottlenecks' | 'backbones' | 'artifacts';

/** Content-addressed key of a blob: "<kind>/<aa>/<sha256>". */
export function blobKey(kind: BlobKind, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return `${kind}/${sha256.slice(0, 2)}/${sha256}`;
}

/** The sha256 a content-addressed key names. */
export function keySha256(key: string): string {
  const m = /^(?:images|bottlenecks|backbones|artifacts)\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key);
  if (!m) throw new Error(`not a blob key: ${key}`);
  return m[1]!;
}

/** The bytes did not hash to the sha256 their key names; nothing was published. */
export class BlobIntegrityError extends Error {
  readonly code = 'BAD_INPUT';
  constructor(
    readonly key: string,
    readonly actual: string,
  ) {
    super(`blob content does not match its key ${key} (sha256 ${actual})`);
  }
}

export class BlobNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
  }
}

export type BlobBody = Uint8Array | Readable;

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Publishes `body` under the content-addressed `key` after checking its sha256; a present key is left as is. */
  put(key: string, body: BlobBody, size?: number): Promise<{ created: boolean; size: number }>;
  has(key: string): Promise<boolean>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
}

/** Passes bytes through while hashing and counting them. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

export function toStream(body: BlobBody): Readable {
  return body instanceof Readable ? body : Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
}

/** Blobs as files under one root directory: `<root>/<key>`. */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  constructor(readonly root: string) {}

  /** The file of a key (the trainer reads it in place; no cache needed). */
  pathOf(key: string): string {
    keySha256(key);
    const p = resolve(this.root, key);
    if (!p.startsWith(resolve(this.root) + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return p;
  }

  async put(key: string, body: BlobBody, _size?: number): Promise<{ created: boolean; size: number }> {
    const path = this.pathOf(key);
    if (await fileExists(path)) {
      if (body instanceof Readable) body.resume(); // drain: the caller's stream must not stall
      return { created: false, size: (await stat(path)).size };
    }
    const size = await writeVerified(path, toStream(body), keySha256(key), key);
    return { created: true, size };
  }

  async has(key: string): Promise<boolean> {
    return fileExists(this.pathOf(key));
  }

  async get(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.getStream(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    if (!(await fileExists(path))) throw new BlobNotFoundError(key);
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/**
 * Streams `source` to a temp file beside `path`, checks its sha256, then renames it into place: the final name
 * only ever holds verified, complete bytes. Returns the byte count.
 */
export async function writeVerified(path: string, source: Readable, sha256: string, key: string): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  const hashing = new HashingStream();
  try {
    await pipeline(source, hashing, createWriteStream(tmp));
    const actual = hashing.digest();
    if (actual !== sha256) throw new BlobIntegrityError(key, actual);
    await rename(tmp, path);
    return hashing.bytes;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
