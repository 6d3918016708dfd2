// Stable ids for ImageNet/WordNet nodes: a name-based UUID (RFC 9562 v5) of the wnid, so that every
// install, seed run or concurrent seeder gives daisy the same ClassNode id without a lookup.
import { createHash } from 'node:crypto';

/** UUID namespace of Accrete's WordNet nodes (itself v5 of "accrete:wordnet-3.0" in the URL namespace). */
export const WORDNET_NAMESPACE = '3b3fbcac-1446-5fec-9015-cc70f85483f3';

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`bad UUID namespace ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The ClassNode id of an ImageNet/WordNet synset, e.g. imagenetNodeId('n11939491') for daisy. */
export function imagenetNodeId(wnid: string): string {
  return uuidV5(wnid, WORDNET_NAMESPACE);
}
