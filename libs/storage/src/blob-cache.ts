// A node-local read-through cache of a remote object store: the trainer, predict and export read plain files, and
// each blob is downloaded (streamed, sha256-verified) at most once per node. Blobs are immutable (content-addressed),
// so a cached file never goes stale.
import { resolve, sep } from 'node:path';
import { fileExists, keySha256, LocalObjectStore, writeVerified, type ObjectStore } from './object-store.js';

export class BlobCache {
  private readonly inflight = new Map<string, Promise<string>>();
  constructor(
    readonly store: ObjectStore,
    readonly dir: string,
  ) {}

  /** A local file holding the blob of `key`, downloading it first if this node has not yet. */
  async localPath(key: string): Promise<string> {
    // A local store already is a directory of files: reading in place is the embedded default's behaviour.
    if (this.store instanceof LocalObjectStore) {
      const p = this.store.pathOf(key);
      if (!(await fileExists(p))) await this.store.getStream(key); // throws BlobNotFoundError
      return p;
    }
    const path = this.cachePath(key);
    if (await fileExists(path)) return path;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          await writeVerified(path, await this.store.getStream(key), keySha256(key), key);
          return path;
        } finally {
          this.inflight.delete(key);
        }
      })();
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private cachePath(key: string): string {
    keySha256(key);
    const p = resolve(this.dir, key);
    if (!p.startsWith(resolve(this.dir) + sep)) throw new Error(`blob key escapes the cache: ${key}`);
    return p;
  }
}
