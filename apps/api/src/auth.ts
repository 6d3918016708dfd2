// Bearer tokens → Viewer. A missing header is anonymous; a wrong or revoked token is an error, not anonymous,
// so a typo never silently downgrades a client to open reads.
import { authenticateToken } from '@accrete/auth';
import { RegistryError } from '@accrete/errors';
import type { PrismaClient } from '@accrete/db';
import type { Viewer } from './context.js';

export async function viewerFromHeader(
  prisma: PrismaClient,
  header: string | undefined | null,
): Promise<Viewer | null> {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new RegistryError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"');
  const row = await authenticateToken(prisma, m[1]);
  if (!row) throw new RegistryError('UNAUTHENTICATED', 'unknown or revoked API token');
  return { id: row.id, name: row.name, role: row.role };
}
