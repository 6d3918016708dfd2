// GET /versions/:id/export.zip — a READY version's exported model as one zip, streamed: the TF.js layers model
// (model.json + weights), labels.json, taxonomy.json and manifest.json (their sha256 sums), under one folder
// `<model>-v<number>/`. Same read rule as GraphQL. With a shared object store the artifact may have been trained on
// another node: it is fetched (verified) into this node's read-through cache first, then streamed from disk.
import type { Request, Response } from 'express';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import type { Services } from './context.js';
import { viewerFromHeader } from './auth.js';
import { restError } from './errors.js';
import { RegistryError } from '@accrete/errors';
import { getVersionWithModel } from '@accrete/registry';
import { redactPaths, sha256Hex } from '@accrete/primitives';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The path a version's export is served at (one home: the route and `ModelVersion.exportUrl` both use it). */
export const exportPath = (versionId: string): string => `/versions/${versionId}/export.zip`;
export const EXPORT_ROUTE = '/versions/:id/export.zip';

/**
 * The manifest as exported: versions trained before exports were redacted name their backbone by its server path,
 * which the zip (served to anonymous readers too) shows only as GraphQL does. Newer manifests pass unchanged, so
 * their bytes still hash to the version's artifactSha256.
 */
export function exportedManifest(bytes: Buffer): Buffer {
  const manifest = JSON.parse(bytes.toString('utf8')) as { backboneSource?: unknown };
  const source = manifest.backboneSource;
  if (typeof source !== 'string' || redactPaths(source) === source) return bytes;
  // the layout exportModel writes, so a rewritten manifest reads like a new one
  return Buffer.from(JSON.stringify({ ...manifest, backboneSource: redactPaths(source) }, null, 2) + '\n');
}

export function exportHandler(services: Services) {
  return async (req: Request, res: Response) => {
    try {
      const viewer = await viewerFromHeader(services.prisma, req.get('authorization'));
      if (!viewer && !services.config.openReads)
        throw new RegistryError('UNAUTHENTICATED', 'exports need an API token (Authorization: Bearer <token>)');
      const id = String(req.params.id);
      if (!UUID.test(id)) throw new RegistryError('NOT_FOUND', `model version ${id} not found`);
      const v = await getVersionWithModel(services.prisma, id);
      if (!v.parentId)
        throw new RegistryError(
          'NOT_FOUND',
          `version ${v.number} is the base model itself (${v.model.name}); it has no export: use its source model`,
        );
      if (v.status !== 'READY' || !v.artifactSha256)
        throw new RegistryError('CONFLICT', `version ${v.number} is ${v.status}, only READY versions have an export`);
      const dir = await services.storage.ensureArtifact(v.id, v.artifactSha256);
      const manifestBytes = exportedManifest(await readFile(join(dir, 'manifest.json')));
      const files = Object.keys(
        (JSON.parse(manifestBytes.toString('utf8')) as { files: Record<string, string> }).files,
      );
      const folder = `${v.model.name.replace(/[^\w.-]+/g, '_')}-v${v.number}`;
      const zip = new ZipFile();
      for (const name of files)
        // weights are float32 noise to deflate: storing them saves the API's CPU for little size
        zip.addFile(join(dir, name), `${folder}/${name}`, { compress: name.endsWith('.json') });
      zip.addBuffer(manifestBytes, `${folder}/manifest.json`);
      zip.end();
      res.set('Content-Type', 'application/zip');
      res.set('Content-Disposition', `attachment; filename="${folder}.zip"`);
      res.set('Cache-Control', 'private, max-age=31536000, immutable'); // a READY version never changes
      res.set('ETag', `"${sha256Hex(manifestBytes)}"`); // the artifactSha256, unless an old manifest was redacted
      const out = zip.outputStream as NodeJS.ReadableStream & { destroy(e?: Error): void };
      // a file vanishing mid-stream cannot become a status any more: cut the response so the client sees a
      // broken download rather than a short zip
      zip.on('error', (e: Error) => {
        services.log(`export ${v.id} failed mid-stream: ${e.message}`);
        res.destroy(e);
      });
      out.pipe(res);
    } catch (e) {
      const [status, body] = restError(e, services.log, 'export');
      res.status(status).json(body);
    }
  };
}
