// GET /images/:id[?size=px] — the stored bytes of an Image, or a thumbnail (long side ≤ size) for grids.
// Same read rule as GraphQL: open reads, or any valid token. Content-addressed, so cacheable forever.
import type { Request, Response } from 'express';
import { loadSharp } from '@accrete/trainer';
import type { Services } from './context.js';
import { viewerFromHeader } from './auth.js';
import { restError } from './errors.js';
import { RegistryError } from '@accrete/errors';
import { getImage } from '@accrete/datasets';

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function imagesHandler(services: Services) {
  return async (req: Request, res: Response) => {
    try {
      const viewer = await viewerFromHeader(services.prisma, req.get('authorization'));
      if (!viewer && !services.config.openReads)
        throw new RegistryError('UNAUTHENTICATED', 'images need an API token (Authorization: Bearer <token>)');
      const id = String(req.params.id);
      const img = UUID.test(id) ? await getImage(services.prisma, id) : null;
      if (!img) throw new RegistryError('NOT_FOUND', `image ${id} not found`);
      const bytes = await services.storage.readImage(img.storageKey);
      const size = req.query.size ? Number(req.query.size) : null;
      if (size !== null && !(Number.isInteger(size) && size >= 16 && size <= 2048))
        throw new RegistryError('BAD_INPUT', 'size must be an integer in 16..2048');
      res.set('Cache-Control', 'private, max-age=31536000, immutable');
      res.set('ETag', `"${img.sha256}${size ? `-${size}` : ''}"`);
      if (size === null) {
        res.type(MIME[img.format] ?? 'application/octet-stream').send(bytes);
        return;
      }
      const sharp = await loadSharp();
      const thumb = await sharp(bytes)
        .autoOrient()
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer();
      res.type('image/jpeg').send(thumb);
    } catch (e) {
      const [status, body] = restError(e, services.log, 'image route');
      res.status(status).json(body);
    }
  };
}
