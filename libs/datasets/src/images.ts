// Image validation with the trainer's own decoder: what passes here is what training and prediction can read.
import sharp from 'sharp';
import { redactPaths } from '@accrete/storage';
import { verifyDecodes, ImageRejectedError } from '@accrete/trainer';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}
export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  bytes: number;
}

/** Raster formats accepted everywhere (import, upload, predict): one list, so predict refuses what import refuses (SVG…). */
export const IMAGE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif']);

export type ImageHeader = Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;

/** The header of an image (format, dimensions) without decoding the pixels; null when it is no image sharp knows. */
export async function imageHeader(bytes: Uint8Array): Promise<ImageHeader | null> {
  try {
    return await sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      limitInputPixels: false,
    }).metadata();
  } catch {
    return null;
  }
}

/** Checks size, pixel count and that the whole image decodes; throws ImageRejectedError with a user-facing reason. */
export async function inspectImage(bytes: Uint8Array, limits: ImageLimits, path?: string): Promise<ImageInfo> {
  if (bytes.length === 0) throw new ImageRejectedError('empty file', undefined, path);
  if (bytes.length > limits.maxBytes) {
    throw new ImageRejectedError('file too large', `${bytes.length} bytes > limit ${limits.maxBytes}`, path);
  }
  const meta = await imageHeader(bytes);
  if (!meta) throw new ImageRejectedError('not an image', 'unrecognised file format', path);
  if (!meta.format || !IMAGE_FORMATS.has(meta.format) || !meta.width || !meta.height) {
    throw new ImageRejectedError('not an image', `unsupported format ${meta.format ?? 'unknown'}`, path);
  }
  const pixels = meta.width * meta.height;
  if (pixels > limits.maxPixels) {
    throw new ImageRejectedError(
      'too many pixels',
      `${meta.width}x${meta.height} > limit ${limits.maxPixels} pixels`,
      path,
    );
  }
  await verifyDecodes(bytes, { maxPixels: limits.maxPixels }); // full decode: truncated/corrupt data throws here
  return {
    width: meta.autoOrient?.width ?? meta.width,
    height: meta.autoOrient?.height ?? meta.height,
    format: meta.format,
    bytes: bytes.length,
  };
}

export function rejectionReason(err: unknown): string {
  if (err instanceof ImageRejectedError) return err.detail ? `${err.reason}: ${err.detail}` : err.reason;
  return `unreadable: ${redactPaths((err as Error)?.message ?? String(err))}`;
}
