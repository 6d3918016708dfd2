// Content-addressed image store and version artifact directories on the local disk.
// Writes go to a temp file then rename, so a crash never leaves a half-written blob under its final name.
// With a remote object store (S3, for nodes that share no disk) the store holds every image and published artifact,
// and these local directories become this node's read-through cache of it: readers keep reading local paths.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile, rm, stat, readFile, copyFile, link } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { sha256Hex } from '@accrete/primitives';
import { BlobCache } from './blob-cache.js';
import { blobKey, writeVerified, type ObjectStore } from './object-store.js';
import { S3ObjectStore, type S3StoreOptions } from './s3-store.js';

export interface StoragePaths {
  images: string;
  artifacts: string;
  bottlenecks: string;
  uploads: string;
}

export class LocalStorage {
  private readonly cache: BlobCache | null;
  private readonly fetching = new Map<string, Promise<string>>();

  /** `remote`: the shared object store (ACCRETE_STORAGE_URL); `paths.blobCache` then holds fetched artifact blobs. */
  constructor(
    readonly paths: StoragePaths & { blobCache?: string },
    readonly remote: ObjectStore | null = null,
  ) {
    this.cache = remote ? new BlobCache(remote, paths.blobCache ?? join(dirname(paths.artifacts), 'blob-cache')) : null;
  }

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
    let created = false;
    if (!(await exists(path))) {
      await writeAtomically(path, bytes);
      created = true;
    }
    // Published (verified) in the shared store before the caller writes the image's row.
    if (this.remote) created = (await this.remote.put(blobKey('images', sha256), bytes)).created || created;
    return { sha256, key, created };
  }

  /** The local file of an image, fetched from the shared store into this node's images directory if missing. */
  async ensureImage(key: string): Promise<string> {
    const path = this.imagePath(key);
    if (!this.remote || (await exists(path))) return path;
    return this.once(path, async () => {
      const sha256 = key.slice(key.lastIndexOf('/') + 1);
      await writeVerified(
        path,
        await this.remote!.getStream(blobKey('images', sha256)),
        sha256,
        blobKey('images', sha256),
      );
      return path;
    });
  }

  /**
   * Removes this node's copy. A blob in the shared store stays: another node may have stored the same content for
   * its own row meanwhile, and an unreferenced content-addressed blob is harmless.
   */
  async removeImage(key: string): Promise<void> {
    await rm(this.imagePath(key), { force: true });
  }

  async readImage(key: string): Promise<Buffer> {
    return readFile(await this.ensureImage(key));
  }

  /**
   * Uploads a version's exported files, then its manifest (which names them by sha256): once the manifest blob
   * exists, the whole artifact does. The caller writes the version row (with the manifest's sha256) afterwards.
   */
  async publishArtifact(dir: string): Promise<void> {
    if (!this.remote) return;
    const manifestBytes = await readFile(join(dir, 'manifest.json'));
    for (const [name, sha256] of Object.entries(artifactFiles(manifestBytes))) {
      const path = join(dir, name);
      await this.remote.put(blobKey('artifacts', sha256), createReadStream(path), (await stat(path)).size);
    }
    await this.remote.put(blobKey('artifacts', sha256Hex(manifestBytes)), manifestBytes);
  }

  /**
   * The local directory of a version's artifact; on a node that did not train it, assembled from the shared store
   * (manifest by `artifactSha256`, then each file it names, all verified) and kept as this node's copy.
   */
  async ensureArtifact(versionId: string, artifactSha256: string | null): Promise<string> {
    const dir = this.artifactDir(versionId);
    if (!this.remote || !this.cache || !artifactSha256 || (await exists(join(dir, 'manifest.json')))) return dir;
    const cache = this.cache;
    return this.once(dir, async () => {
      const manifestPath = await cache.localPath(blobKey('artifacts', artifactSha256));
      const files = artifactFiles(await readFile(manifestPath));
      const scratch = await this.scratchDir(`fetch-${versionId}`);
      try {
        for (const [name, sha256] of Object.entries(files))
          await linkOrCopy(await cache.localPath(blobKey('artifacts', sha256)), join(scratch, name));
        await linkOrCopy(manifestPath, join(scratch, 'manifest.json'));
        await rm(dir, { recursive: true, force: true });
        await rename(scratch, dir);
        return dir;
      } catch (e) {
        await rm(scratch, { recursive: true, force: true });
        throw e;
      }
    });
  }

  /** One fetch per target at a time: concurrent readers of a missing blob share the download. */
  private once(target: string, fetch: () => Promise<string>): Promise<string> {
    let p = this.fetching.get(target);
    if (!p) {
      p = fetch().finally(() => this.fetching.delete(target));
      this.fetching.set(target, p);
    }
    return p;
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
    for (const [name, d] of Object.entries(this.paths))
      if (d && (name !== 'blobCache' || this.remote)) await mkdir(d, { recursive: true });
  }
}

/** The files an artifact manifest names (file name → sha256), checked to be plain names and hashes. */
function artifactFiles(manifestBytes: Buffer): Record<string, string> {
  const files = (JSON.parse(manifestBytes.toString('utf8')) as { files?: unknown }).files;
  if (!files || typeof files !== 'object') throw new Error('artifact manifest lists no files');
  const out: Record<string, string> = {};
  for (const [name, sha256] of Object.entries(files)) {
    if (
      !/^[\w.-]+$/.test(name) ||
      name === 'manifest.json' ||
      typeof sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(sha256)
    ) {
      throw new Error(`artifact manifest has a bad file entry: ${name}`);
    }
    out[name] = sha256;
  }
  return out;
}

/** A hard link shares the cached bytes without a copy; across filesystems it falls back to copying. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
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

/** Where blobs live, as the settings say: the local directories alone, or an S3 bucket they cache. */
export type StorageLocation = { kind: 'local' } | ({ kind: 's3' } & S3StoreOptions);

/** The node's storage: local directories, fronting the shared object store when one is configured. */
export function openStorage(paths: StoragePaths & { blobCache?: string }, location: StorageLocation): LocalStorage {
  return new LocalStorage(paths, location.kind === 's3' ? new S3ObjectStore(location) : null);
}
