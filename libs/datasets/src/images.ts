// Image validation with the trainer's own decoder: what passes here is what training and prediction can read.
import { imageSize } from 'image-size';
import { redactPaths } from '@accrete/primitives';
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

export interface ImageHeader {
  /** sharp's name for the format (jpeg, png, webp, gif, tiff, avif, heif, svg, …). */
  format: string;
  width: number;
  height: number;
  /** EXIF orientation 5–8 turns the picture a quarter: width and height as displayed. */
  orientedWidth: number;
  orientedHeight: number;
}

// image-size's type names where they differ from sharp's (the names IMAGE_FORMATS uses)
const FORMAT_NAMES: Record<string, string> = { jpg: 'jpeg', heic: 'heif' };

/**
 * The header of an image (format, dimensions) read synchronously from its first bytes (image-size) without decoding
 * the pixels; null when it is no image format known. Synchronous on purpose: predict checks every upload before
 * decoding, and a thread-pool round trip there cost a whole event-loop turn under load.
 */
export function imageHeader(bytes: Uint8Array): ImageHeader | null {
  try {
    const size = imageSize(bytes);
    if (!size.type || !size.width || !size.height) return null;
    const turned = (size.orientation ?? 1) >= 5;
    return {
      format: FORMAT_NAMES[size.type] ?? size.type,
      width: size.width,
      height: size.height,
      orientedWidth: turned ? size.height : size.width,
      orientedHeight: turned ? size.width : size.height,
    };
  } catch {
    return null;
  }
}

/**
 * Header-only check (cheap, synchronous, no decode): a known image format, one of IMAGE_FORMATS, at most `maxPixels`
 * pixels. Throws ImageRejectedError with a user-facing reason; returns the header. Shared by import/upload
 * (inspectImage) and predict, so both refuse the same images with the same reasons.
 */
export function checkImageHeader(bytes: Uint8Array, maxPixels: number, path?: string): ImageHeader {
  const meta = imageHeader(bytes);
  if (!meta) throw new ImageRejectedError('not an image', 'unrecognised file format', path);
  if (!IMAGE_FORMATS.has(meta.format)) {
    throw new ImageRejectedError('not an image', `unsupported format ${meta.format}`, path);
  }
  if (meta.width * meta.height > maxPixels) {
    throw new ImageRejectedError('too many pixels', `${meta.width}x${meta.height} > limit ${maxPixels} pixels`, path);
  }
  return meta;
}

/** Checks size, pixel count and that the whole image decodes; throws ImageRejectedError with a user-facing reason. */
export async function inspectImage(bytes: Uint8Array, limits: ImageLimits, path?: string): Promise<ImageInfo> {
  if (bytes.length === 0) throw new ImageRejectedError('empty file', undefined, path);
  if (bytes.length > limits.maxBytes) {
    throw new ImageRejectedError('file too large', `${bytes.length} bytes > limit ${limits.maxBytes}`, path);
  }
  const meta = checkImageHeader(bytes, limits.maxPixels, path);
  await verifyDecodes(bytes, { maxPixels: limits.maxPixels }); // full decode: truncated/corrupt data throws here
  return {
    width: meta.orientedWidth,
    height: meta.orientedHeight,
    format: meta.format,
    bytes: bytes.length,
  };
}

export function rejectionReason(err: unknown): string {
  if (err instanceof ImageRejectedError) return err.detail ? `${err.reason}: ${err.detail}` : err.reason;
  return `unreadable: ${redactPaths((err as Error)?.message ?? String(err))}`;
}
