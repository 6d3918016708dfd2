import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ImageRef } from '../types.js';

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** ImageRef of a file on disk (hashes its bytes). */
export async function imageRef(path: string): Promise<ImageRef> {
  return { path, sha256: sha256Hex(await readFile(path)) };
}
