// POST /upload — multipart files (images or zips), for datasets or for prediction by image id.
// Auth: Bearer token with EDITOR/ADMIN. CSRF: the custom header `x-accrete-csrf` must be present (browsers
// cannot send it cross-origin without a CORS preflight, which this server never grants).
// Form fields (before the files): datasetId? label? split? (TRAIN|VAL). Without datasetId the images are only
// stored and their Image ids returned (use them in predict(imageId)).
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { roleAtLeast } from '@accrete/auth';
import { ingestFiles, filesFromZip, isZip, storeImages, ZipRejectedError, type IngestFile } from '@accrete/datasets';
import { RegistryError } from '@accrete/errors';
import type { Services } from './context.js';
import { viewerFromHeader } from './auth.js';
import { classify, HTTP_STATUS } from './errors.js';

export const CSRF_HEADER = 'x-accrete-csrf';

interface Upload { fields: Record<string, string>; files: { name: string; bytes: Buffer }[] }

class TooLarge extends Error {}

function readMultipart(req: Request, maxFileBytes: number, maxFiles: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: maxFileBytes, files: maxFiles, fields: 20, fieldSize: 10_000 } });
    } catch (e) {
      return reject(new RegistryError('BAD_INPUT', `expected multipart/form-data: ${(e as Error).message}`));
    }
    const out: Upload = { fields: {}, files: [] };
    let failed: Error | null = null;
    const pending: Promise<void>[] = [];
    bb.on('field', (name, value) => (out.fields[name] = value));
    bb.on('file', (_field, stream, info) => {
      const chunks: Buffer[] = [];
      pending.push(new Promise<void>((done) => {
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => (failed ??= new TooLarge(`file ${info.filename} exceeds the upload limit of ${maxFileBytes} bytes`)));
        stream.on('close', () => {
          out.files.push({ name: info.filename || 'upload', bytes: Buffer.concat(chunks) });
          done();
        });
      }));
    });
    bb.on('filesLimit', () => (failed ??= new RegistryError('BAD_INPUT', `more than ${maxFiles} files in one upload`)));
    bb.on('error', (e: Error) => reject(new RegistryError('BAD_INPUT', `malformed multipart body: ${e.message}`)));
    bb.on('close', () => {
      void Promise.all(pending).then(() => (failed ? reject(failed) : resolve(out)));
    });
    req.pipe(bb);
  });
}

function send(res: Response, status: number, body: unknown) {
  res.status(status).json(body);
}

export function uploadHandler(services: Services) {
  const { prisma, config } = services;
  return async (req: Request, res: Response) => {
    try {
      if (!req.get(CSRF_HEADER)) throw new RegistryError('FORBIDDEN', `missing ${CSRF_HEADER} header (CSRF guard): send "${CSRF_HEADER}: 1"`);
      const viewer = await viewerFromHeader(prisma, req.get('authorization'));
      if (!viewer) throw new RegistryError('UNAUTHENTICATED', 'uploads need an API token (Authorization: Bearer <token>)');
      if (!roleAtLeast(viewer.role, 'EDITOR')) throw new RegistryError('FORBIDDEN', `uploads need role EDITOR or ADMIN; token "${viewer.name}" is ${viewer.role}`);
      const up = await readMultipart(req, config.maxUploadBytes, 1000);
      if (up.files.length === 0) throw new RegistryError('BAD_INPUT', 'no files in the upload');
      const split = up.fields.split ? up.fields.split.toUpperCase() : null;
      if (split && split !== 'TRAIN' && split !== 'VAL') throw new RegistryError('BAD_INPUT', `split must be TRAIN or VAL, not ${up.fields.split}`);
      const label = up.fields.label?.trim() || null;

      if (!up.fields.datasetId) {
        if (up.files.some((f) => isZip(f.bytes))) throw new RegistryError('BAD_INPUT', 'zip archives need a datasetId; for prediction upload images');
        const out = await storeImages(services, up.files.map((f) => ({ path: f.name, bytes: f.bytes })));
        return send(res, 200, {
          images: out.images.map((i) => ({ id: i.id, sha256: i.sha256, width: i.width, height: i.height, format: i.format, path: i.path })),
          rejections: out.rejections,
        });
      }

      // expand zips first: a hostile archive refuses the whole upload before anything is written
      const files: IngestFile[] = [];
      for (const f of up.files) {
        if (isZip(f.bytes)) {
          files.push(...(await filesFromZip(f.bytes, { name: f.name, label, split: split as never, maxBytes: config.maxUploadBytes, maxTotalBytes: config.maxUploadBytes * 40 })));
        } else {
          files.push({ path: f.name, label, split: split as never, read: async () => f.bytes });
        }
      }
      const out = await ingestFiles(services, { datasetId: up.fields.datasetId, source: `upload:${up.files.map((f) => f.name).join(',').slice(0, 500)}`, files });
      send(res, 200, {
        import: { id: out.import.id, source: out.import.source, createdAt: out.import.createdAt },
        datasetId: out.dataset.id,
        accepted: out.accepted,
        duplicates: out.duplicates,
        rejected: out.rejected,
        rejections: out.rejections.map((r) => ({ path: r.path, reason: r.reason })),
      });
    } catch (e) {
      if (e instanceof TooLarge) return send(res, 413, { error: { code: 'BAD_INPUT', message: e.message } });
      if (e instanceof ZipRejectedError) return send(res, 400, { error: { code: 'BAD_INPUT', message: e.message } });
      const known = classify(e);
      if (known) return send(res, HTTP_STATUS[known.code], { error: { code: known.code, message: known.message } });
      services.log(`upload failed: ${(e as Error)?.stack ?? e}`);
      send(res, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: (e as Error)?.message ?? 'upload failed' } });
    } finally {
      if (!req.complete) req.resume(); // drain what we did not read so the client sees our answer
    }
  };
}
