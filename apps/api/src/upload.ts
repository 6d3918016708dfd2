// POST /upload — multipart files (images or zips), for datasets or for prediction by image id.
// Auth: Bearer token with EDITOR/ADMIN. CSRF: the custom header `x-accrete-csrf` must be present (browsers
// cannot send it cross-origin without a CORS preflight, which this server never grants).
// Form fields (before the files): datasetId? label? split? (TRAIN|VAL). Without datasetId the images are only
// stored and their Image ids returned (use them in predict(imageId)).
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { roleAtLeast } from '@accrete/auth';
import {
  ingestFiles,
  filesFromZip,
  isZip,
  storeImages,
  StorageFullError,
  ZipRejectedError,
  type IngestFile,
} from '@accrete/datasets';
import { RegistryError } from '@accrete/errors';
import type { Services } from './context.js';
import { viewerFromHeader } from './auth.js';
import { isStorageFull, restError } from './errors.js';
import { guardFields } from './input-guard.js';

export const CSRF_HEADER = 'x-accrete-csrf';

interface UploadedFile {
  name: string;
  path: string;
  size: number;
}
interface Upload {
  fields: Record<string, string>;
  files: UploadedFile[];
}

class TooLarge extends Error {
  /** true when the rest of the body was not read: the answer closes the connection */
  constructor(
    message: string,
    readonly unread: boolean,
  ) {
    super(message);
  }
}

/**
 * Streams every file part of a multipart body to its own file in `dir` (never into memory), refusing a file over
 * maxFileBytes or a request over maxRequestBytes. A body that is cut off (client gone, truncated multipart) is a
 * BAD_INPUT, never an unhandled stream error.
 */
function readMultipart(
  req: Request,
  dir: string,
  limits: { maxFileBytes: number; maxRequestBytes: number; maxFiles: number },
): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        // browsers and curl send filename="фото.jpg" as raw UTF-8; busboy's default for it is latin1
        defParamCharset: 'utf8',
        limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 20, fieldSize: 10_000 },
      });
    } catch (e) {
      return reject(new RegistryError('BAD_INPUT', `expected multipart/form-data: ${(e as Error).message}`));
    }
    // the client may have gone (cut-off body) while we checked its token: no 'close' event will come now
    if (req.destroyed && !req.complete) return reject(new RegistryError('BAD_INPUT', 'the upload was cut off'));
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxRequestBytes)
      return reject(
        new TooLarge(`upload of ${declared} bytes exceeds the request limit of ${limits.maxRequestBytes} bytes`, true),
      );
    const out: Upload = { fields: {}, files: [] };
    let failed: Error | null = null;
    let settled = false;
    const pending: Promise<void>[] = [];
    const streams: { destroy(): void }[] = [];
    const settle = () => {
      if (settled) return;
      settled = true;
      void Promise.allSettled(pending).then(() => (failed ? reject(failed) : resolve(out)));
    };
    // Stops reading the body at once (over the request cap, cut off, malformed): the open file streams are ended
    // so their writes settle and close before the caller removes the directory.
    const stop = (e: Error) => {
      failed ??= e;
      req.unpipe(bb);
      for (const s of streams) s.destroy();
      settle();
    };
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > limits.maxRequestBytes)
        stop(new TooLarge(`upload exceeds the request limit of ${limits.maxRequestBytes} bytes`, true));
    });
    bb.on('field', (name, value) => (out.fields[name] = value));
    bb.on('file', (_field, stream, info) => {
      const file: UploadedFile = {
        name: info.filename || 'upload',
        path: join(dir, `${out.files.length}.part`),
        size: 0,
      };
      out.files.push(file);
      streams.push(stream);
      stream.on('data', (c: Buffer) => (file.size += c.length));
      // over the per-file limit: busboy skips the rest of this file; the body is read on (within the request cap)
      stream.on(
        'limit',
        () =>
          (failed ??= new TooLarge(
            `file ${info.filename} exceeds the upload limit of ${limits.maxFileBytes} bytes`,
            false,
          )),
      );
      pending.push(
        pipeline(stream, createWriteStream(file.path)).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOSPC' || e.code === 'EDQUOT') stop(new DiskFull());
          else
            stop(failed ?? new RegistryError('BAD_INPUT', 'the multipart body was cut off before the end of a file'));
        }),
      );
    });
    bb.on(
      'filesLimit',
      () => (failed ??= new RegistryError('BAD_INPUT', `more than ${limits.maxFiles} files in one upload`)),
    );
    bb.on('error', (e: Error) => stop(new RegistryError('BAD_INPUT', `malformed multipart body: ${e.message}`)));
    bb.on('close', settle);
    req.on('close', () => !req.complete && stop(new RegistryError('BAD_INPUT', 'the upload was cut off')));
    req.pipe(bb);
  });
}

class DiskFull extends Error {
  constructor() {
    super('the server has no disk space left for this upload; nothing was stored');
  }
}

const readHead = async (path: string) => {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b;
  } finally {
    await fh.close();
  }
};

type Answer = [status: number, body: unknown];

// Uploads still being handled (a client may leave before its answer): tests and shutdown wait for them to settle.
let inFlight = 0;
let idleWaiters: (() => void)[] = [];
/** Resolves once no upload request is being handled (scratch files removed, answer sent). */
export function uploadsSettled(): Promise<void> {
  return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
}
function uploadDone() {
  if (--inFlight > 0) return;
  const waiters = idleWaiters;
  idleWaiters = [];
  for (const w of waiters) w();
}

export function uploadHandler(services: Services) {
  const { prisma, config } = services;
  return async (req: Request, res: Response) => {
    inFlight++;
    // the answer is sent after the scratch files are gone, so a client that sees it sees no leftovers
    let answer: Answer = [500, null];
    const send = (_res: Response, status: number, body: unknown) => void (answer = [status, body]);
    let scratch: string | null = null;
    const zips: (() => void)[] = [];
    try {
      if (!req.get(CSRF_HEADER))
        throw new RegistryError('FORBIDDEN', `missing ${CSRF_HEADER} header (CSRF guard): send "${CSRF_HEADER}: 1"`);
      const viewer = await viewerFromHeader(prisma, req.get('authorization'));
      if (!viewer)
        throw new RegistryError('UNAUTHENTICATED', 'uploads need an API token (Authorization: Bearer <token>)');
      if (!roleAtLeast(viewer.role, 'EDITOR'))
        throw new RegistryError(
          'FORBIDDEN',
          `uploads need role EDITOR or ADMIN; token "${viewer.name}" is ${viewer.role}`,
        );
      scratch = await mkdtemp(join(config.paths.uploads, 'req-'));
      const up = await readMultipart(req, scratch, {
        maxFileBytes: config.maxUploadBytes,
        maxRequestBytes: config.maxUploadRequestBytes,
        maxFiles: 1000,
      });
      guardFields(up.fields);
      if (up.files.length === 0) throw new RegistryError('BAD_INPUT', 'no files in the upload');
      const split = up.fields.split ? up.fields.split.toUpperCase() : null;
      if (split && split !== 'TRAIN' && split !== 'VAL')
        throw new RegistryError('BAD_INPUT', `split must be TRAIN or VAL, not ${up.fields.split}`);
      const label = up.fields.label?.trim() || null;

      if (!up.fields.datasetId) {
        for (const f of up.files)
          if (isZip(await readHead(f.path)))
            throw new RegistryError('BAD_INPUT', 'zip archives need a datasetId; for prediction upload images');
        const out = await storeImages(
          services,
          up.files.map((f) => ({ path: f.name, read: () => readFile(f.path) })),
        );
        return send(res, 200, {
          images: out.images.map((i) => ({
            id: i.id,
            sha256: i.sha256,
            width: i.width,
            height: i.height,
            format: i.format,
            path: i.path,
          })),
          rejections: out.rejections,
        });
      }

      // expand zips first: a hostile archive refuses the whole upload before anything is written
      const files: IngestFile[] = [];
      for (const f of up.files) {
        if (isZip(await readHead(f.path))) {
          files.push(
            ...(await filesFromZip(f.path, {
              name: f.name,
              label,
              split: split as never,
              maxBytes: config.maxUploadBytes,
              maxTotalBytes: config.maxUploadBytes * 40,
              opened: zips,
            })),
          );
        } else {
          files.push({ path: f.name, label, split: split as never, read: () => readFile(f.path) });
        }
      }
      const out = await ingestFiles(services, {
        datasetId: up.fields.datasetId,
        source: `upload:${up.files
          .map((f) => f.name)
          .join(',')
          .slice(0, 500)}`,
        files,
      });
      send(res, 200, {
        import: { id: out.import.id, source: out.import.source, createdAt: out.import.createdAt },
        datasetId: out.dataset.id,
        accepted: out.accepted,
        duplicates: out.duplicates,
        rejected: out.rejected,
        rejections: out.rejections.map((r) => ({ path: r.path, reason: r.reason })),
      });
    } catch (e) {
      if (e instanceof TooLarge) {
        if (e.unread) res.setHeader('connection', 'close'); // the body we refused to read is not drained
        return send(res, 413, { error: { code: 'BAD_INPUT', message: e.message } });
      }
      if (e instanceof DiskFull || isStorageFull(e)) {
        services.log(`upload: storage full: ${(e as Error)?.message}`);
        return send(res, 507, {
          error: {
            code: 'INSUFFICIENT_STORAGE',
            message: e instanceof StorageFullError ? e.message : new DiskFull().message,
          },
        });
      }
      if (e instanceof ZipRejectedError) return send(res, 400, { error: { code: 'BAD_INPUT', message: e.message } });
      const [status, body] = restError(e, services.log, 'upload');
      send(res, status, body);
    } finally {
      for (const close of zips) close();
      if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
      res.status(answer[0]).json(answer[1]);
      // drain what we did not read so the client sees our answer (the request cap bounds it), unless we
      // stopped reading an over-cap body: then the connection closes once the answer is out
      if (!req.complete) {
        if (res.getHeader('connection') !== 'close') req.resume();
        else if (res.writableFinished) req.destroy();
        else res.on('finish', () => req.destroy());
      }
      uploadDone();
    }
  };
}
