// The rehearsal pool (unlabelled images the parent's soft outputs are replayed on) and the retention probe set.
// With an index.csv carrying class_index (the shared imagenet-sample), EVEN class indices rehearse and ODD ones are
// held out to measure retention, so the retention figure is never measured on images the head was trained on.
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { ImageRef } from '@accrete/trainer';
import { parseCsv, sha256Hex } from '@accrete/primitives';

export interface RetentionImage extends ImageRef {
  classIndex: number;
}

export interface RehearsalSets {
  /** Unlabelled images for rehearsal. */
  rehearsal: ImageRef[];
  /** Held-out labelled images (base output unit) for the retention evaluation; null without an index.csv. */
  retention: RetentionImage[] | null;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const cache = new Map<string, Promise<RehearsalSets>>();

/** Reads (once per process and directory) the rehearsal and retention sets of a directory. */
export function loadRehearsalSets(dir: string): Promise<RehearsalSets> {
  const key = resolve(dir);
  let p = cache.get(key);
  if (!p) {
    p = readRehearsalSets(key);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function readRehearsalSets(dir: string): Promise<RehearsalSets> {
  if (!(await isDir(dir))) return { rehearsal: [], retention: null };
  const indexPath = join(dir, 'index.csv');
  const index = (await isFile(indexPath)) ? parseIndex(await readFile(indexPath, 'utf8'), indexPath) : null;
  if (!index) {
    const files = (await readdir(dir)).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
    return { rehearsal: await hashAll(files.map((f) => join(dir, f))), retention: null };
  }
  const even = index.filter((r) => r.classIndex % 2 === 0);
  const odd = index.filter((r) => r.classIndex % 2 === 1);
  const rehearsal = await hashAll(even.map((r) => inside(dir, r.file)));
  const oddRefs = await hashAll(odd.map((r) => inside(dir, r.file)));
  return { rehearsal, retention: oddRefs.map((ref, i) => ({ ...ref, classIndex: odd[i]!.classIndex })) };
}

interface IndexRow {
  file: string;
  classIndex: number;
}

/** index.csv: header `file,class_index,...`; returns null when it has no class_index column. */
export function parseIndex(text: string, where = 'index.csv'): IndexRow[] | null {
  const rows = parseCsv(text).filter((r) => r.length > 1 || (r.length === 1 && r[0] !== ''));
  const header = rows.shift();
  if (!header) return null;
  const fileCol = header.indexOf('file');
  const classCol = header.indexOf('class_index');
  if (fileCol < 0 || classCol < 0) return null;
  return rows.map((r, i) => {
    const classIndex = Number(r[classCol]);
    const file = r[fileCol];
    if (!file || !Number.isInteger(classIndex) || classIndex < 0) {
      throw new Error(`${where}: row ${i + 2} has no valid file/class_index`);
    }
    return { file, classIndex };
  });
}

function inside(dir: string, file: string): string {
  const p = resolve(dir, file);
  if (!p.startsWith(dir + sep)) throw new Error(`index.csv entry escapes ${dir}: ${file}`);
  return p;
}

async function hashAll(paths: string[]): Promise<ImageRef[]> {
  const out: ImageRef[] = new Array(paths.length);
  let next = 0;
  // A few reads in flight: the files are small, the disk is the limit.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < paths.length) {
        const i = next++;
        const path = paths[i]!;
        out[i] = { path, sha256: sha256Hex(await readFile(path)) };
      }
    }),
  );
  return out;
}

async function isDir(p: string) {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
async function isFile(p: string) {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
