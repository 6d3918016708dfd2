// Content-addressed bottleneck store on disk: one small file per (backbone id, image sha256) holding the vectors of
// augmentations 0..count-1 (ids are always requested as a prefix 0..k). Computed once, shared by every dataset and
// version that uses the same image on the same backbone. Writes are temp file + rename: readers never see half a file.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MAGIC = 0x314e4241; // 'ABN1' little-endian
const HEADER = 16; // magic, dim, count, reserved (u32 each)

const HEX64 = /^[0-9a-f]{64}$/;

export class BottleneckCache {
  private readonly dirs = new Set<string>();
  constructor(readonly dir: string) {}

  private file(backboneId: string, sha256: string): string {
    if (!HEX64.test(sha256)) throw new Error(`image sha256 must be 64 lowercase hex digits, got "${sha256}"`);
    if (!/^[0-9a-zA-Z_-]+$/.test(backboneId)) throw new Error(`bad backbone id "${backboneId}"`);
    return join(this.dir, backboneId, sha256.slice(0, 2), `${sha256}.bn`);
  }

  /** All cached vectors of one image, index = augmentation id (empty when none). */
  async read(backboneId: string, sha256: string, dim: number): Promise<Float32Array[]> {
    let buf: Buffer;
    try {
      buf = await readFile(this.file(backboneId, sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return decode(buf, dim);
  }

  /**
   * Cached vectors of many images. Small files read synchronously in chunks are ~2x faster than one async read
   * per file (no thread-pool round trips); yielding between chunks keeps the event loop responsive.
   */
  async readMany(
    backboneId: string,
    sha256s: string[],
    dim: number,
    onChunk?: (done: number) => void,
  ): Promise<Float32Array[][]> {
    const out: Float32Array[][] = new Array(sha256s.length);
    const CHUNK = 256;
    for (let start = 0; start < sha256s.length; start += CHUNK) {
      const end = Math.min(start + CHUNK, sha256s.length);
      for (let i = start; i < end; i++) {
        try {
          out[i] = decode(readFileSync(this.file(backboneId, sha256s[i])), dim);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          out[i] = [];
        }
      }
      onChunk?.(end);
      if (end < sha256s.length) await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  /** One vector, if cached. */
  async get(backboneId: string, sha256: string, augmentation: number, dim: number): Promise<Float32Array | undefined> {
    return (await this.read(backboneId, sha256, dim))[augmentation];
  }

  /**
   * Stores vectors for augmentation ids 0..vectors.length-1; never replaces a longer cached prefix.
   * `cachedCount`: how many vectors the caller read from the cache just before (the extractor does), which spares
   * re-reading the file; a longer prefix written meanwhile by another process may then be shortened, which only
   * costs a recomputation later.
   */
  async write(backboneId: string, sha256: string, vectors: Float32Array[], cachedCount?: number): Promise<void> {
    if (vectors.length === 0) return;
    const dim = vectors[0].length;
    const existing = cachedCount ?? (await this.read(backboneId, sha256, dim)).length;
    if (existing >= vectors.length) return;
    const path = this.file(backboneId, sha256);
    const buf = Buffer.allocUnsafe(HEADER + vectors.length * dim * 4); // every byte is written below
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(dim, 4);
    buf.writeUInt32LE(vectors.length, 8);
    buf.writeUInt32LE(0, 12);
    vectors.forEach((v, a) => {
      if (v.length !== dim) throw new Error(`bottleneck ${a} has ${v.length} values, expected ${dim}`);
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(buf, HEADER + a * dim * 4);
    });
    // 256 shard dirs per backbone: one mkdir each per instance, not one per image (again if the dir went away)
    const dir = join(path, '..');
    const ensureDir = async () => {
      await mkdir(dir, { recursive: true });
      this.dirs.add(dir);
    };
    if (!this.dirs.has(dir)) await ensureDir();
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      try {
        await writeFile(tmp, buf);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await ensureDir();
        await writeFile(tmp, buf);
      }
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

function decode(buf: Buffer, dim: number): Float32Array[] {
  if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC) return []; // foreign or damaged: recompute
  const fileDim = buf.readUInt32LE(4);
  const count = buf.readUInt32LE(8);
  if (fileDim !== dim || buf.length !== HEADER + count * dim * 4) return [];
  // Copy once into an aligned buffer; vectors are views into it.
  const all = new Float32Array(count * dim);
  new Uint8Array(all.buffer).set(buf.subarray(HEADER));
  return Array.from({ length: count }, (_, a) => all.subarray(a * dim, (a + 1) * dim));
}
