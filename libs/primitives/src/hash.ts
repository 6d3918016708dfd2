// The one content hash: images, artifacts, manifests, migrations and token secrets are named by their sha256.
import { createHash } from 'node:crypto';

/** Lower-case hex sha256 of bytes, or of a string as UTF-8. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
