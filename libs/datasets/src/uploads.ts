// Uploaded files (HTTP multipart): plain images with a form label, or zip archives laid out like an ImageFolder.
import type { PrismaClient, Split } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import type { Config } from '@accrete/config';
import { inspectImage, rejectionReason, type ImageInfo } from './images.js';
import { readZipEntries } from './zip.js';
import { isStorageFailure, recordImages, SPLIT_DIRS, StorageFullError, type IngestFile } from './datasets.js';

export const isZip = (b: Uint8Array) =>
  b.length >= 4 &&
  b[0] === 0x50 &&
  b[1] === 0x4b &&
  (b[2] === 0x03 || b[2] === 0x05) &&
  (b[3] === 0x04 || b[3] === 0x06);

/** Label and split of each archive path: {train,val}/<class>/…, <class>/…, or a file at the root taking `label`. */
export function layoutPaths(
  paths: string[],
  defaults: { label: string | null; split: Split | null },
): { path: string; label: string | null; split: Split | null; rejected?: string }[] {
  // "./cls/x.jpg" and "cls/x.jpg" are the same place: "." segments are no directory level (nor a label)
  let segs = paths.map((p) => p.split('/').filter((seg) => seg && seg !== '.'));
  // a zip of a folder ("flowers/train/daisy/x.jpg") has one common top directory: look inside it
  // (but "daisy/a.jpg, daisy/b.jpg" is one class folder, not a wrapper: only strip when something lies deeper)
  while (
    segs.length &&
    !SPLIT_DIRS[segs[0][0].toLowerCase()] &&
    segs.every((s) => s.length >= 2 && s[0] === segs[0][0]) &&
    segs.some((s) => s.length >= 3)
  )
    segs = segs.map((s) => s.slice(1));
  const splitLayout = segs.some((s) => s.length >= 3 && SPLIT_DIRS[s[0].toLowerCase()]);
  // train/ without val/: derive the split by content hash, as for folders (never a version without validation)
  const trainOnly = splitLayout && !segs.some((s) => s.length >= 3 && SPLIT_DIRS[s[0].toLowerCase()] === 'VAL');
  return paths.map((path, i) => {
    const s = segs[i];
    if (s.some((p) => p === '__MACOSX' || p.startsWith('._')))
      return { path, label: null, split: null, rejected: 'macOS metadata file, not an image' };
    if (splitLayout) {
      const split = SPLIT_DIRS[s[0].toLowerCase()];
      if (!split || s.length < 3)
        return { path, label: null, split: null, rejected: 'not inside train/<class>/ or val/<class>/' };
      return { path, label: s[1], split: trainOnly ? null : split };
    }
    if (s.length >= 2) return { path, label: s[0], split: defaults.split };
    if (defaults.label) return { path, label: defaults.label, split: defaults.split };
    return { path, label: null, split: null, rejected: 'not inside a class directory (and no label given)' };
  });
}

/**
 * `source`: the archive in memory or its path on disk (read lazily, entry by entry). `opened` collects the
 * archive's close(), for the caller to run once the files have been read.
 */
export async function filesFromZip(
  source: Buffer | string,
  opts: {
    name: string;
    label: string | null;
    split: Split | null;
    maxBytes: number;
    maxTotalBytes: number;
    opened?: (() => void)[];
  },
): Promise<IngestFile[]> {
  const entries = await readZipEntries(source, { maxTotalBytes: opts.maxTotalBytes });
  opts.opened?.push(entries.close);
  // paired by position, not by name: two entries may carry the same name, and each must be read
  return layoutPaths(
    entries.map((e) => e.path),
    opts,
  ).map((l, i) => {
    const e = entries[i];
    const tooBig = e.size > opts.maxBytes ? `file too large: ${e.size} bytes > limit ${opts.maxBytes}` : undefined;
    return {
      path: `${opts.name}:${l.path}`,
      label: l.label,
      split: l.split,
      rejected: l.rejected ?? tooBig,
      read: () => e.read(),
    };
  });
}

/** Stores images without a dataset (e.g. to predict them by id); returns Image rows and rejections. */
export async function storeImages(
  deps: { prisma: PrismaClient; storage: LocalStorage; config: Pick<Config, 'maxUploadBytes' | 'maxImagePixels'> },
  files: { path: string; read(): Promise<Uint8Array> }[],
) {
  const rejections: { path: string; reason: string }[] = [];
  const ok: { path: string; sha256: string; key: string; info: ImageInfo }[] = [];
  const created: string[] = [];
  for (const f of files) {
    try {
      const bytes = await f.read();
      const info = await inspectImage(
        bytes,
        { maxBytes: deps.config.maxUploadBytes, maxPixels: deps.config.maxImagePixels },
        f.path,
      );
      const { sha256, key, created: isNew } = await deps.storage.putImage(bytes);
      if (isNew) created.push(key);
      ok.push({ path: f.path, sha256, key, info });
    } catch (e) {
      if (isStorageFailure(e)) {
        await Promise.all(created.map((key) => deps.storage.removeImage(key).catch(() => undefined)));
        throw new StorageFullError(e as NodeJS.ErrnoException);
      }
      rejections.push({ path: f.path, reason: rejectionReason(e) });
    }
  }
  const bySha = await recordImages(deps.prisma, ok);
  return { images: ok.map((o) => ({ path: o.path, ...bySha.get(o.sha256)! })), rejections };
}
