/** An image that cannot be used, with a short machine-friendly reason ("not an image", "truncated image", ...). */
export class ImageRejectedError extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string,
    readonly path?: string,
  ) {
    super(`image rejected${path ? ` (${path})` : ''}: ${reason}${detail ? ` — ${detail}` : ''}`);
    this.name = 'ImageRejectedError';
  }
}

/** Maps libvips/sharp error texts to the reason a user can act on. */
export function classifySharpError(err: unknown, path?: string): ImageRejectedError {
  const msg = (err as Error)?.message ?? String(err);
  const m = msg.toLowerCase();
  let reason = 'unreadable image';
  if (/unsupported image format|not a known file format|input buffer is empty|bad seek|no decode/.test(m))
    reason = 'not an image';
  else if (/pixel limit|exceeds pixel|too large/.test(m)) reason = 'too many pixels';
  else if (/premature end|truncated|unexpected end|end of (file|input|stream)|read error|out of data|corrupt/.test(m))
    reason = 'truncated image';
  else if (/enoent|no such file|file is missing/.test(m)) reason = 'file not found';
  return new ImageRejectedError(reason, msg.split('\n')[0], path);
}
