// Datasets: ingest files (folder, zip, upload, base64) with validation and dedupe, then freeze versions.
// Every file ends accepted, duplicate, or rejected with a reason (ImportRejection rows). Blobs are
// content-addressed, so storing them (file and Image row) before the transaction is harmless; the dataset's rows are
// written in one transaction, kept short: on embedded PGlite it holds the only connection, so every other request
// (even /health) waits for it.
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PrismaClient, Dataset, DatasetImport, Image, ImportRejection, Split, DatasetVersion } from '@accrete/db';
import type { Config } from '@accrete/config';
import type { LocalStorage } from '@accrete/storage';
import { sha256Hex } from '@accrete/primitives';
import { badInput, conflict, isUniqueViolation, notFound } from '@accrete/errors';
import { inspectImage, rejectionReason, type ImageInfo } from './images.js';

export interface IngestDeps {
  prisma: PrismaClient;
  storage: LocalStorage;
  config: Pick<Config, 'maxUploadBytes' | 'maxImagePixels' | 'importRoots'>;
}

export interface IngestFile {
  /** Where it came from (relative path, zip entry, upload name): shown in rejections. */
  path: string;
  label: string | null;
  split: Split | null;
  read(): Promise<Uint8Array>;
  /** Already refused by the caller (layout, size…): recorded as is. */
  rejected?: string;
}

export interface ImportOutcome {
  import: DatasetImport;
  dataset: Dataset;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejections: ImportRejection[];
}

export const DEFAULT_VAL_FRACTION = 0.2;
const TX = { timeout: 300_000, maxWait: 30_000 };

/** Deterministic split from the content hash: an image keeps its split when others are added. */
export function splitForHash(sha256: string, valFraction = DEFAULT_VAL_FRACTION): Split {
  return parseInt(sha256.slice(0, 8), 16) / 2 ** 32 < valFraction ? 'VAL' : 'TRAIN';
}

export async function createDataset(
  prisma: PrismaClient,
  input: { name: string; description?: string },
): Promise<Dataset> {
  const name = input.name.trim();
  if (!name) throw badInput('dataset name is empty');
  try {
    return await prisma.dataset.create({ data: { name, description: input.description ?? '' } });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`a dataset named "${name}" already exists`);
    throw e;
  }
}

export async function getDataset(
  prisma: PrismaClient,
  by: { id?: string | null; name?: string | null },
): Promise<Dataset> {
  if (!by.id === !by.name) throw badInput('pass exactly one of id or name');
  const row = by.id
    ? await prisma.dataset.findUnique({ where: { id: by.id } })
    : await prisma.dataset.findUnique({ where: { name: by.name! } });
  if (!row) throw notFound('dataset', (by.id ?? by.name)!);
  return row;
}

function labelProblem(label: string | null): string | null {
  if (label == null || label.trim() === '')
    return 'no class label (put images in <class>/ directories or give a label)';
  if (label.length > 200) return 'class label longer than 200 characters';
  if (/[\u0000-\u001f]/.test(label)) return 'class label contains control characters';
  return null;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const chunks = <T>(xs: T[], n = 1000) =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);
export const isStorageFailure = (e: unknown) => STORAGE_ERRNOS.has(String((e as NodeJS.ErrnoException)?.code));

/** The server could not store the files (a full disk…): nothing of the import was kept. No path in the message. */
export class StorageFullError extends Error {
  readonly code: string;
  constructor(cause: NodeJS.ErrnoException) {
    super(
      `the server could not store the images (${cause.code === 'ENOSPC' ? 'its disk is full' : cause.code}); nothing was imported`,
      { cause },
    );
    this.name = 'StorageFullError';
    this.code = cause.code ?? 'EIO';
  }
}

/**
 * Image rows for stored blobs, outside any transaction: content-addressed like the blobs (one row per sha256, an
 * existing row reused), so a row whose import fails later is as harmless as its file. A statement per 1000 rows, each
 * its own short transaction. Returns the rows by sha256.
 */
export async function recordImages(
  prisma: Pick<PrismaClient, 'image'>,
  images: { sha256: string; key: string; info: ImageInfo }[],
): Promise<Map<string, Image>> {
  const rows = new Map<string, Image>();
  const unique = [...new Map(images.map((o) => [o.sha256, o])).values()];
  for (const part of chunks(unique)) {
    await prisma.image.createMany({
      data: part.map((o) => ({
        sha256: o.sha256,
        width: o.info.width,
        height: o.info.height,
        format: o.info.format,
        bytes: o.info.bytes,
        storageKey: o.key,
      })),
      skipDuplicates: true,
    });
    for (const r of await prisma.image.findMany({ where: { sha256: { in: part.map((o) => o.sha256) } } }))
      rows.set(r.sha256, r);
  }
  return rows;
}

/** Validates, stores and records a batch of files as one DatasetImport. */
export async function ingestFiles(
  deps: IngestDeps,
  req: { datasetId: string; source: string; files: IngestFile[]; valFraction?: number },
): Promise<ImportOutcome> {
  const { prisma, storage, config } = deps;
  const dataset = await prisma.dataset.findUnique({ where: { id: req.datasetId } });
  if (!dataset) throw notFound('dataset', req.datasetId);
  const limits = { maxBytes: config.maxUploadBytes, maxPixels: config.maxImagePixels };
  type Stored = { key: string; info: ImageInfo };
  const rejections: Rejection[] = [];
  // a full disk (or another storage failure) fails the whole import: its files are not the problem
  let storageError: NodeJS.ErrnoException | null = null;
  const created: string[] = [];
  const checked = await mapLimit(req.files, 4, async (f) => {
    if (storageError) return null;
    const r = await checkFile(f, limits, req.valFraction, async (bytes, info) => {
      const put = await storage.putImage(bytes);
      if (put.created) created.push(put.key);
      return { sha256: put.sha256, extra: { key: put.key, info } satisfies Stored };
    });
    if (r.kind === 'failed' && isStorageFailure(r.error)) storageError ??= r.error as NodeJS.ErrnoException;
    else if (r.kind !== 'ok') rejections.push(r.rejection);
    return r.kind === 'ok' ? r.candidate : null;
  });
  if (storageError) {
    await Promise.all(created.map((key) => storage.removeImage(key).catch(() => undefined)));
    throw new StorageFullError(storageError);
  }

  const ids = await recordImages(
    prisma,
    checked.flatMap((c) => (c ? [{ sha256: c.sha256, key: c.extra.key, info: c.extra.info }] : [])),
  );
  let fresh: Candidate<Stored>[] = [];
  let duplicates = 0;
  const result = await prisma.$transaction(async (tx) => {
    // imports into one dataset are serialized on its row: the second one sees the first one's images as
    // duplicates instead of failing on the unique key
    await tx.$executeRaw`SELECT 1 FROM "Dataset" WHERE id = ${dataset.id} FOR UPDATE`;
    const sorted = await sortOutDuplicates(tx, dataset.id, checked, rejections);
    fresh = sorted.fresh;
    duplicates = sorted.duplicates.length;
    for (const part of chunks(fresh)) {
      await tx.datasetImage.createMany({
        data: part.map((o) => ({
          datasetId: dataset.id,
          imageId: ids.get(o.sha256)!.id,
          label: o.label,
          split: o.split,
          sourcePath: o.path,
        })),
      });
    }
    const imp = await tx.datasetImport.create({
      data: { datasetId: dataset.id, source: req.source, accepted: fresh.length, duplicates },
    });
    for (const part of chunks(rejections)) {
      await tx.importRejection.createMany({
        data: part.map((r) => ({ importId: imp.id, path: r.path, reason: r.reason })),
      });
    }
    const rows = await tx.importRejection.findMany({
      where: { importId: imp.id },
      orderBy: [{ path: 'asc' }, { id: 'asc' }],
    });
    return { imp, rows };
  }, TX);
  return {
    import: result.imp,
    dataset,
    accepted: fresh.length,
    duplicates,
    rejected: rejections.length,
    rejections: result.rows,
  };
}

/** Resolves a user path to a real directory inside an allowed import root (symlinks resolved, no escape). */
export async function resolveImportPath(
  importRoots: string[],
  path: string,
): Promise<{ dir: string; roots: string[] }> {
  const roots = (await Promise.all(importRoots.map((r) => realpath(r).catch(() => null)))).filter(
    (r): r is string => !!r,
  );
  if (roots.length === 0) throw badInput('no import root exists on the server (config.importRoots)');
  const candidates = isAbsolute(path) ? [path] : importRoots.map((r) => resolve(r, path));
  for (const c of candidates) {
    const real = await realpath(c).catch(() => null);
    if (!real) continue;
    if (!roots.some((r) => real === r || real.startsWith(r + sep))) {
      throw badInput(`${path} is outside the allowed import roots (${importRoots.join(', ')})`);
    }
    if (!(await stat(real)).isDirectory()) throw badInput(`${path} is not a directory`);
    return { dir: real, roots };
  }
  throw badInput(`${path} does not exist under the allowed import roots (${importRoots.join(', ')})`);
}

/** Folder names (an ImageFolder's, or a zip's laid out like one) that decide the split. */
export const SPLIT_DIRS: Record<string, Split> = {
  train: 'TRAIN',
  training: 'TRAIN',
  val: 'VAL',
  valid: 'VAL',
  validation: 'VAL',
};

/**
 * How a folder is laid out, which decides the split of its images:
 * - `train-val`: train/<class>/… and val/<class>/… — the folders decide;
 * - `train-only`: train/<class>/… with no val/ — validation is derived like `class-folders` (never none);
 * - `class-folders`: <class>/… — each image's split is derived from its content hash (valFraction to VAL).
 */
export type FolderLayout = 'train-val' | 'train-only' | 'class-folders';

/** Lists an ImageFolder (see FolderLayout); every file becomes an IngestFile (maybe pre-rejected). */
export async function scanImageFolder(
  dir: string,
  roots: string[],
  maxBytes: number,
): Promise<{ files: IngestFile[]; layout: FolderLayout }> {
  const top = await readdir(dir, { withFileTypes: true });
  const splitDirs = top
    .filter((e) => e.isDirectory() && SPLIT_DIRS[e.name.toLowerCase()])
    .map((e) => SPLIT_DIRS[e.name.toLowerCase()]);
  const layout: FolderLayout =
    splitDirs.length === 0 ? 'class-folders' : splitDirs.includes('VAL') ? 'train-val' : 'train-only';
  const files: IngestFile[] = [];
  const rel = (p: string) => relative(dir, p).split(sep).join('/');
  const addFile = async (full: string, label: string | null, split: Split | null, why?: string) => {
    const path = rel(full);
    let rejected = why;
    if (!rejected) {
      const real = await realpath(full).catch(() => null);
      if (!real) rejected = 'broken symbolic link';
      else if (!roots.some((r) => real.startsWith(r + sep)))
        rejected = 'symbolic link to a file outside the import roots';
      else {
        const st = await stat(real);
        if (!st.isFile()) rejected = 'not a regular file';
        else if (st.size > maxBytes) rejected = `file too large: ${st.size} bytes > limit ${maxBytes}`;
      }
    }
    files.push({ path, label, split, rejected, read: () => readFile(full) });
  };
  const walkClass = async (classDir: string, label: string, split: Split | null) => {
    for (const e of await readdir(classDir, { withFileTypes: true })) {
      const full = join(classDir, e.name);
      if (e.isDirectory())
        await walkClass(full, label, split); // nested folders keep the class of their top folder
      else await addFile(full, label, split);
    }
  };
  const walkClasses = async (root: string, split: Split | null) => {
    for (const e of await readdir(root, { withFileTypes: true })) {
      const full = join(root, e.name);
      if (e.isDirectory()) await walkClass(full, e.name, split);
      else await addFile(full, null, split, 'not inside a class directory');
    }
  };
  const rejectAll = async (d: string, why: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await rejectAll(full, why);
      else await addFile(full, null, null, why);
    }
  };
  if (layout !== 'class-folders') {
    for (const e of top) {
      const full = join(dir, e.name);
      const split = e.isDirectory() ? SPLIT_DIRS[e.name.toLowerCase()] : undefined;
      // train/ alone: its images get a derived split (null), so the version still has validation images
      if (split) await walkClasses(full, layout === 'train-only' ? null : split);
      // files beside train/ and val/ (e.g. test/, README) are reported, not silently skipped
      else if (e.isDirectory()) await rejectAll(full, 'not inside train/ or val/');
      else await addFile(full, null, null, 'not inside train/ or val/');
    }
  } else {
    await walkClasses(dir, null);
  }
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), layout };
}

type Rejection = { path: string; label: string | null; reason: string };
/** A file that passed the per-file checks; `extra` is what the caller kept of it (the stored blob, or nothing). */
type Candidate<E = undefined> = { path: string; label: string; split: Split; sha256: string; extra: E };
type FileCheck<E> =
  | { kind: 'ok'; candidate: Candidate<E> }
  | { kind: 'rejected'; rejection: Rejection }
  | { kind: 'failed'; error: unknown; rejection: Rejection };

/**
 * The per-file checks of an import, shared by ingestFiles and its dry run: refusal by the caller (layout, size) or
 * the label, then a decodable image within the limits; `keep` stores the bytes or only hashes them. A thrown error
 * comes back as 'failed' (with the rejection it would be), so ingest can tell a full disk from a bad file.
 */
async function checkFile<E>(
  f: IngestFile,
  limits: { maxBytes: number; maxPixels: number },
  valFraction: number | undefined,
  keep: (bytes: Uint8Array, info: ImageInfo) => Promise<{ sha256: string; extra: E }>,
): Promise<FileCheck<E>> {
  const pre = f.rejected ?? labelProblem(f.label);
  if (pre) return { kind: 'rejected', rejection: { path: f.path, label: f.label?.trim() || null, reason: pre } };
  try {
    const bytes = await f.read();
    const info = await inspectImage(bytes, limits, f.path);
    const { sha256, extra } = await keep(bytes, info);
    const split = f.split ?? splitForHash(sha256, valFraction);
    return { kind: 'ok', candidate: { path: f.path, label: f.label!.trim(), split, sha256, extra } };
  } catch (error) {
    return { kind: 'failed', error, rejection: { path: f.path, label: f.label, reason: rejectionReason(error) } };
  }
}

/**
 * One rule for repeated images, in the batch and against the dataset: the same image under the same label is a
 * duplicate (skipped), under another label a rejection. `db` is the import's transaction, or the client for a
 * dry run. Pushes rejections; returns the images to add and the duplicates.
 */
async function sortOutDuplicates<E>(
  db: Pick<PrismaClient, 'datasetImage'>,
  datasetId: string,
  checked: (Candidate<E> | null)[],
  rejections: Rejection[],
): Promise<{ fresh: Candidate<E>[]; duplicates: Candidate<E>[] }> {
  const duplicates: Candidate<E>[] = [];
  const bySha = new Map<string, Candidate<E>>();
  for (const ok of checked) {
    if (!ok) continue;
    const seen = bySha.get(ok.sha256);
    if (!seen) bySha.set(ok.sha256, ok);
    else if (seen.label === ok.label) duplicates.push(ok);
    else
      rejections.push({
        path: ok.path,
        label: ok.label,
        reason: `same image as ${seen.path} which is labelled "${seen.label}", not "${ok.label}"`,
      });
  }
  const existing = new Map<string, { label: string; sourcePath: string | null }>();
  for (const part of chunks([...bySha.keys()])) {
    const rows = await db.datasetImage.findMany({
      where: { datasetId, image: { sha256: { in: part } } },
      select: { label: true, sourcePath: true, image: { select: { sha256: true } } },
    });
    for (const r of rows) existing.set(r.image.sha256, r);
  }
  const fresh: Candidate<E>[] = [];
  for (const ok of bySha.values()) {
    const ex = existing.get(ok.sha256);
    if (!ex) fresh.push(ok);
    else if (ex.label === ok.label) duplicates.push(ok);
    else
      rejections.push({
        path: ok.path,
        label: ok.label,
        reason: `same image as ${ex.sourcePath} already in the dataset labelled "${ex.label}", not "${ok.label}"`,
      });
  }
  return { fresh, duplicates };
}

/** What ingestFiles would make of a batch, read-only: the same checks and rules; files are hashed, not stored. */
async function checkWithoutWriting(deps: IngestDeps, datasetId: string, files: IngestFile[], valFraction: number) {
  const limits = { maxBytes: deps.config.maxUploadBytes, maxPixels: deps.config.maxImagePixels };
  const rejections: Rejection[] = [];
  const checked = await mapLimit(files, 4, async (f) => {
    const r = await checkFile(f, limits, valFraction, async (bytes) => ({
      sha256: sha256Hex(bytes),
      extra: undefined,
    }));
    if (r.kind !== 'ok') rejections.push(r.rejection);
    return r.kind === 'ok' ? r.candidate : null;
  });
  const { fresh, duplicates } = await sortOutDuplicates(deps.prisma, datasetId, checked, rejections);
  return { fresh, duplicates, rejections };
}

export interface ImportPreviewClass {
  label: string;
  files: number;
  train: number;
  val: number;
  duplicates: number;
  rejected: number;
}

/** What an import would do, computed without writing anything. */
export interface ImportPreview {
  source: string;
  layout: FolderLayout;
  /** share of derived-split images that go to validation (by content hash) */
  valFraction: number;
  files: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  classes: ImportPreviewClass[];
  /** up to MAX_PREVIEW_REJECTIONS, by path */
  rejections: { path: string; reason: string }[];
  /** plain-language explanations: how the split was chosen, classes left without validation images… */
  notes: string[];
}

const MAX_PREVIEW_REJECTIONS = 200;

/** The split rule of a layout, in words (also served with every preview, so the dashboard shows the same text). */
export function layoutNote(layout: FolderLayout, valFraction: number): string {
  const share = `${Math.round(valFraction * 100)}%`;
  if (layout === 'train-val') return 'train/ and val/ folders: each image keeps the split of its folder.';
  if (layout === 'train-only') {
    return `train/ without val/: about ${share} of each class's images go to validation, chosen by content hash (the same image always lands in the same split).`;
  }
  return `class folders without train/ or val/: about ${share} of each class's images go to validation, chosen by content hash.`;
}

/** Dry run of importImageFolder: per class, the files found, their split, duplicates and rejections. Writes nothing. */
export async function previewImageFolder(
  deps: IngestDeps,
  req: { datasetId: string; path: string; valFraction?: number },
): Promise<ImportPreview> {
  if (!(await deps.prisma.dataset.findUnique({ where: { id: req.datasetId } })))
    throw notFound('dataset', req.datasetId);
  const { dir, roots } = await resolveImportPath(deps.config.importRoots, req.path);
  const { files, layout } = await scanImageFolder(dir, roots, deps.config.maxUploadBytes);
  if (files.length === 0) throw badInput(`${req.path} contains no files`);
  const valFraction = req.valFraction ?? DEFAULT_VAL_FRACTION;
  const { fresh, duplicates, rejections } = await checkWithoutWriting(deps, req.datasetId, files, valFraction);
  const classes = new Map<string, ImportPreviewClass>();
  const row = (label: string) =>
    classes.get(label) ??
    classes.set(label, { label, files: 0, train: 0, val: 0, duplicates: 0, rejected: 0 }).get(label)!;
  for (const f of files) if (f.label) row(f.label.trim() || f.label).files++;
  for (const f of fresh) {
    if (f.split === 'VAL') row(f.label).val++;
    else row(f.label).train++;
  }
  for (const d of duplicates) row(d.label).duplicates++;
  for (const r of rejections) if (r.label) row(r.label).rejected++;
  const sorted = [...classes.values()].sort((a, b) => a.label.localeCompare(b.label));
  const notes = [layoutNote(layout, valFraction)];
  const noVal = sorted.filter((c) => c.train > 0 && c.val === 0).map((c) => c.label);
  if (noVal.length)
    notes.push(
      `no validation image for ${noVal.join(', ')}: the new version's evaluation cannot score ${noVal.length === 1 ? 'it' : 'them'} (add images or a val/ folder).`,
    );
  const unlabelled = rejections.filter((r) => !r.label).length;
  if (unlabelled)
    notes.push(`${unlabelled} file${unlabelled === 1 ? '' : 's'} outside any class folder will be rejected.`);
  return {
    source: `folder:${dir}`,
    layout,
    valFraction,
    files: files.length,
    accepted: fresh.length,
    duplicates: duplicates.length,
    rejected: rejections.length,
    classes: sorted,
    rejections: rejections
      .sort((a, b) => a.path.localeCompare(b.path))
      .slice(0, MAX_PREVIEW_REJECTIONS)
      .map(({ path, reason }) => ({ path, reason })),
    notes,
  };
}

export async function importImageFolder(
  deps: IngestDeps,
  req: { datasetId: string; path: string; valFraction?: number },
): Promise<ImportOutcome> {
  if (!(await deps.prisma.dataset.findUnique({ where: { id: req.datasetId } })))
    throw notFound('dataset', req.datasetId);
  const { dir, roots } = await resolveImportPath(deps.config.importRoots, req.path);
  const { files } = await scanImageFolder(dir, roots, deps.config.maxUploadBytes);
  if (files.length === 0) throw badInput(`${req.path} contains no files`);
  return ingestFiles(deps, { datasetId: req.datasetId, source: `folder:${dir}`, files, valFraction: req.valFraction });
}

export async function addBase64Images(
  deps: IngestDeps,
  req: { datasetId: string; files: { path: string; label: string; split: Split | null; base64: string }[] },
): Promise<ImportOutcome> {
  const files: IngestFile[] = req.files.map((f) => {
    const approx = Math.floor((f.base64.length * 3) / 4);
    return {
      path: f.path,
      label: f.label,
      split: f.split,
      rejected:
        approx > deps.config.maxUploadBytes + 3
          ? `file too large: ~${approx} bytes > limit ${deps.config.maxUploadBytes}`
          : undefined,
      read: async () => Buffer.from(f.base64, 'base64'),
    };
  });
  return ingestFiles(deps, { datasetId: req.datasetId, source: 'graphql:addImages', files });
}

/** One import (what it read, what it rejected), or NOT_FOUND. */
export async function getDatasetImport(prisma: PrismaClient, id: string): Promise<DatasetImport> {
  const row = await prisma.datasetImport.findUnique({ where: { id } });
  if (!row) throw notFound('dataset import', id);
  return row;
}

/** The newest frozen version of a dataset, or null. */
export function latestDatasetVersion(prisma: PrismaClient, datasetId: string): Promise<DatasetVersion | null> {
  return prisma.datasetVersion.findFirst({ where: { datasetId }, orderBy: { number: 'desc' } });
}

/** Images currently in a dataset (all labels and splits). */
export function datasetImageCount(prisma: PrismaClient, datasetId: string): Promise<number> {
  return prisma.datasetImage.count({ where: { datasetId } });
}

export interface ClassCountRow {
  label: string;
  train: number;
  val: number;
  total: number;
}

export async function datasetClassCounts(prisma: PrismaClient, datasetId: string): Promise<ClassCountRow[]> {
  const rows = await prisma.datasetImage.groupBy({
    by: ['label', 'split'],
    where: { datasetId },
    _count: { _all: true },
  });
  return countsToRows(rows.map((r) => ({ label: r.label, split: r.split, n: r._count._all })));
}

function countsToRows(rows: { label: string; split: Split; n: number }[]): ClassCountRow[] {
  const m = new Map<string, ClassCountRow>();
  for (const r of rows) {
    const c = m.get(r.label) ?? { label: r.label, train: 0, val: 0, total: 0 };
    if (r.split === 'TRAIN') c.train += r.n;
    else c.val += r.n;
    c.total += r.n;
    m.set(r.label, c);
  }
  return [...m.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** DatasetVersion.classCounts JSON ({ label: { train, val } }) → rows. */
export function classCountsFromJson(json: unknown): ClassCountRow[] {
  if (!json || typeof json !== 'object') return [];
  return Object.entries(json as Record<string, { train?: number; val?: number }>)
    .map(([label, c]) => ({ label, train: c?.train ?? 0, val: c?.val ?? 0, total: (c?.train ?? 0) + (c?.val ?? 0) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Snapshots the dataset's current images as version N+1 (immutable; what training reads). */
export async function freezeDatasetVersion(prisma: PrismaClient, datasetId: string): Promise<DatasetVersion> {
  try {
    return await prisma.$transaction(async (tx) => {
      const dataset = await tx.dataset.findUnique({ where: { id: datasetId } });
      if (!dataset) throw notFound('dataset', datasetId);
      const images = await tx.datasetImage.findMany({
        where: { datasetId },
        select: { imageId: true, label: true, split: true },
      });
      if (images.length === 0) throw badInput(`dataset ${dataset.name} has no images to freeze`);
      const last = await tx.datasetVersion.findFirst({
        where: { datasetId },
        orderBy: { number: 'desc' },
        select: { number: true },
      });
      const counts: Record<string, { train: number; val: number }> = {};
      for (const im of images) {
        const c = (counts[im.label] ??= { train: 0, val: 0 });
        if (im.split === 'TRAIN') c.train++;
        else c.val++;
      }
      const dv = await tx.datasetVersion.create({
        data: { datasetId, number: (last?.number ?? 0) + 1, imageCount: images.length, classCounts: counts },
      });
      for (const part of chunks(images)) {
        await tx.datasetVersionImage.createMany({
          data: part.map((im) => ({ datasetVersionId: dv.id, imageId: im.imageId, label: im.label, split: im.split })),
        });
      }
      return dv;
    }, TX);
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('another version of this dataset was frozen at the same time; retry');
    throw e;
  }
}
