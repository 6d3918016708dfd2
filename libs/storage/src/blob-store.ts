// Content-addressed image store and version artifact directories on the local disk.
// Writes go to a temp file then rename, so a crash never leaves a half-written blob under its final name.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile, rm, stat, readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { sha256Hex } from '@accrete/primitives';

export interface StoragePaths {
  images: string;
  artifacts: string;
  bottlenecks: string;
  uploads: string;
}

export class LocalStorage {
  constructor(readonly paths: StoragePaths) {}

  /** Key of an image blob: images/<aa>/<sha256>. */
  imageKey(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return `${sha256.slice(0, 2)}/${sha256}`;
  }

  imagePath(key: string): string {
    const p = resolve(this.paths.images, key);
    if (!p.startsWith(resolve(this.paths.images) + sep)) throw new Error(`image key escapes the store: ${key}`);
    return p;
  }

  /** Stores bytes under their hash; a second put of the same content is a no-op. */
  async putImage(bytes: Uint8Array): Promise<{ sha256: string; key: string; created: boolean }> {
    const sha256 = sha256Hex(bytes);
    const key = this.imageKey(sha256);
    const path = this.imagePath(key);
    if (await exists(path)) return { sha256, key, created: false };
    await writeAtomically(path, bytes);
    return { sha256, key, created: true };
  }

  async removeImage(key: string): Promise<void> {
    await rm(this.imagePath(key), { force: true });
  }

  async readImage(key: string): Promise<Buffer> {
    return readFile(this.imagePath(key));
  }

  /** Final directory of a version's exported model. */
  artifactDir(versionId: string): string {
    if (!/^[\w-]+$/.test(versionId)) throw new Error(`bad version id: ${versionId}`);
    return join(this.paths.artifacts, versionId);
  }

  /** A fresh scratch directory beside the artifacts (same filesystem, so rename into place is atomic). */
  async scratchDir(prefix: string): Promise<string> {
    const dir = join(this.paths.artifacts, `.tmp-${prefix}-${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async removeDir(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  async ensure(): Promise<void> {
    for (const d of Object.values(this.paths)) await mkdir(d, { recursive: true });
  }
}

export async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }); // a full disk leaves no zero-byte temp file behind
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Text for someone who must not learn the server's layout: each absolute path (POSIX, file:// URL) becomes
 * "…/<last segment>". Used for job failure reasons and for server paths shown to anonymous readers.
 */
export function redactPaths(text: string): string {
  return text.replace(/(?:file:\/\/)?(?:\/[^\s/'"`,:;()]+){2,}\/?/g, (p) => `…/${p.replace(/\/$/, '').split('/').pop()}`);
}
