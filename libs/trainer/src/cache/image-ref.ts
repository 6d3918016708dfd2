import { readFile } from 'node:fs/promises';
import { sha256Hex } from '@accrete/primitives';
import type { ImageRef } from '../types.js';

export { sha256Hex };

/** ImageRef of a file on disk (hashes its bytes). */
export async function imageRef(path: string): Promise<ImageRef> {
  return { path, sha256: sha256Hex(await readFile(path)) };
}
