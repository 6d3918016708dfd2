// What a killed process (or a full disk) leaves behind, removed when a process starts: artifact scratch dirs
// (.tmp-<version>-<uuid>), bottleneck, image and blob-cache temp files (*.tmp: a download from the shared store cut
// off mid-way), upload scratch (uploads/req-*), and image
// files no Image row refers to (written before an insert that never happened).
// With a shared data dir (PostgreSQL, several processes) another live process may be mid-write: only entries
// older than `graceMs` are touched there; the embedded default owns its data dir alone (grace 0).
import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PrismaClient } from '@accrete/db';
import type { StoragePaths } from '@accrete/storage';

export interface LeftoverReport {
  scratchDirs: number;
  tempFiles: number;
  uploadDirs: number;
  orphanImages: number;
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function oldEnough(path: string, before: number): Promise<boolean> {
  if (before === Infinity) return true;
  try {
    return (await stat(path)).mtimeMs < before;
  } catch {
    return false;
  }
}

async function* walkFiles(dir: string): AsyncGenerator<string> {
  for (const e of await entries(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else yield p;
  }
}

export async function sweepLeftovers(
  prisma: PrismaClient,
  paths: StoragePaths & { blobCache?: string },
  opts: { graceMs: number; now?: number },
): Promise<LeftoverReport> {
  const before = opts.graceMs <= 0 ? Infinity : (opts.now ?? Date.now()) - opts.graceMs;
  const report: LeftoverReport = { scratchDirs: 0, tempFiles: 0, uploadDirs: 0, orphanImages: 0 };
  for (const e of await entries(paths.artifacts)) {
    const p = join(paths.artifacts, e.name);
    if (e.name.startsWith('.tmp-') && (await oldEnough(p, before))) {
      await rm(p, { recursive: true, force: true });
      report.scratchDirs++;
    }
  }
  for (const e of await entries(paths.uploads)) {
    const p = join(paths.uploads, e.name);
    if (e.name.startsWith('req-') && (await oldEnough(p, before))) {
      await rm(p, { recursive: true, force: true });
      report.uploadDirs++;
    }
  }
  for (const root of [paths.bottlenecks, paths.images, ...(paths.blobCache ? [paths.blobCache] : [])]) {
    for await (const f of walkFiles(root)) {
      if (f.endsWith('.tmp') && (await oldEnough(f, before))) {
        await rm(f, { force: true });
        report.tempFiles++;
      }
    }
  }
  // image files: keys are <aa>/<sha256>; checked against the Image rows in batches
  const candidates: string[] = [];
  for await (const f of walkFiles(paths.images))
    if (!f.endsWith('.tmp')) candidates.push(relative(paths.images, f).split(sep).join('/'));
  for (let i = 0; i < candidates.length; i += 1000) {
    const batch = candidates.slice(i, i + 1000);
    const known = new Set(
      (await prisma.image.findMany({ where: { storageKey: { in: batch } }, select: { storageKey: true } })).map(
        (r) => r.storageKey,
      ),
    );
    for (const key of batch) {
      const p = join(paths.images, key);
      if (!known.has(key) && (await oldEnough(p, before))) {
        await rm(p, { force: true });
        report.orphanImages++;
      }
    }
  }
  return report;
}
