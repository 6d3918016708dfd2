// Zip archives for uploads, read with yauzl. An archive with an entry that escapes its root (../, absolute path,
// drive letter) is refused as a whole: it is hostile or broken, and half-importing it helps nobody.
import yauzl from 'yauzl';

export class ZipRejectedError extends Error {}

export interface ZipEntry {
  path: string;
  size: number;
  read(): Promise<Buffer>;
}

/** Unsafe or weird entry names; yauzl also validates names (validateEntrySizes, no absolute paths) itself. */
export function unsafeEntryName(name: string): string | null {
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').some((p) => p === '..')) return 'contains ".." (escapes the archive)';
  return null;
}

/**
 * Lists the file entries of a zip held in memory, refusing the archive if any name is unsafe, the total
 * uncompressed size exceeds maxTotalBytes, or it has more than maxEntries files.
 */
/** Lists the file entries of a zip (in memory or a file path); `close()` releases the archive after the reads. */
export async function readZipEntries(
  source: Buffer | string,
  limits: { maxTotalBytes: number; maxEntries?: number },
): Promise<ZipEntry[] & { close(): void }> {
  const options = { lazyEntries: true, validateEntrySizes: true, decodeStrings: false, autoClose: false };
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => {
    const done = (err: Error | null, z?: yauzl.ZipFile) =>
      err ? rej(new ZipRejectedError(`not a valid zip archive: ${err.message}`)) : res(z!);
    if (typeof source === 'string') yauzl.open(source, options, done);
    else yauzl.fromBuffer(source, options, done);
  });
  const entries: yauzl.Entry[] = [];
  let total = 0;
  const maxEntries = limits.maxEntries ?? 100_000;
  const close = () => zip.close();
  await new Promise<void>((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      // decodeStrings: false so that unsafe names get our clear message, not yauzl's error; yauzl still decodes
      // them per the spec (Info-ZIP Unicode Path field, else UTF-8 if bit 11 is set, else CP437 as Windows
      // Explorer writes them); strict keeps backslashes for unsafeEntryName to refuse
      const name = yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, e.fileNameRaw, e.extraFields, true);
      const bad = unsafeEntryName(name);
      if (bad) return rej(new ZipRejectedError(`zip entry "${name}" ${bad}; archive refused`));
      if (!name.endsWith('/')) {
        entries.push(Object.assign(e, { decodedName: name }));
        total += e.uncompressedSize;
        if (total > limits.maxTotalBytes)
          return rej(new ZipRejectedError(`zip expands to more than ${limits.maxTotalBytes} bytes; archive refused`));
        if (entries.length > maxEntries)
          return rej(new ZipRejectedError(`zip has more than ${maxEntries} files; archive refused`));
      }
      zip.readEntry();
    });
    zip.on('end', () => res());
    zip.on('error', (err: Error) => rej(new ZipRejectedError(`corrupt zip archive: ${err.message}`)));
    zip.readEntry();
  }).catch((e) => {
    close();
    throw e;
  });
  const list = (entries as (yauzl.Entry & { decodedName: string })[]).map((e) => ({
    path: e.decodedName,
    size: e.uncompressedSize,
    read: () =>
      new Promise<Buffer>((res, rej) =>
        zip.openReadStream(e, (err, stream) => {
          if (err || !stream) return rej(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => res(Buffer.concat(chunks)));
          stream.on('error', rej);
        }),
      ),
  }));
  // a zip read from a file keeps its descriptor open for the lazy reads above: the caller closes it when done
  return Object.assign(list, { close });
}
