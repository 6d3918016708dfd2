// API tokens: random secrets shown once; only their sha256 is stored, so a leaked database leaks no token.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, ApiToken, Role } from '@accrete/db';
import { notFound } from './errors.js';

export const TOKEN_PREFIX = 'acc_';
const ROLES: Role[] = ['READER', 'EDITOR', 'ADMIN'];

export const hashToken = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export async function createApiToken(prisma: PrismaClient, input: { name: string; role: Role }): Promise<{ token: string; apiToken: ApiToken }> {
  if (!ROLES.includes(input.role)) throw new Error(`unknown role ${input.role}`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const apiToken = await prisma.apiToken.create({
    data: { name: input.name.trim(), role: input.role, tokenHash: hashToken(token), prefix: token.slice(0, 10) },
  });
  return { token, apiToken };
}

/**
 * Verified tokens are remembered for a few seconds so that a busy client does not cost a query per request.
 * A revocation in this process applies at once; one made by another process within TOKEN_CACHE_MS.
 */
export const TOKEN_CACHE_MS = 10_000;
// per Prisma client (= database), so a token of one database never opens another in the same process
const verifiedByClient = new WeakMap<object, { revocations: number; tokens: Map<string, { row: ApiToken; until: number }> }>();
let revocations = 0;
const verifiedFor = (prisma: PrismaClient) => {
  let v = verifiedByClient.get(prisma);
  if (!v || v.revocations !== revocations) verifiedByClient.set(prisma, (v = { revocations, tokens: new Map() }));
  return v.tokens;
};

/** The live token row for a presented secret, or null. lastUsedAt is refreshed at most once a minute. */
export async function authenticateToken(prisma: PrismaClient, secret: string): Promise<ApiToken | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const hash = hashToken(secret);
  const verified = verifiedFor(prisma);
  const hit = verified.get(hash);
  if (hit && hit.until > Date.now()) return hit.row;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hash } });
  if (!row || row.revokedAt) {
    verified.delete(hash);
    return null;
  }
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  }
  if (verified.size > 10_000) verified.clear();
  verified.set(hash, { row, until: Date.now() + TOKEN_CACHE_MS });
  return row;
}

/** Forgets every verified token in this process (after a revocation). */
export function forgetVerifiedTokens(): void {
  revocations++;
}

export async function revokeApiToken(prisma: PrismaClient, id: string): Promise<ApiToken> {
  const row = await prisma.apiToken.findUnique({ where: { id } });
  if (!row) throw notFound('API token', id);
  if (row.revokedAt) return row;
  const revoked = await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  forgetVerifiedTokens();
  return revoked;
}

export const roleAtLeast = (role: Role | undefined | null, min: Role) => !!role && ROLES.indexOf(role) >= ROLES.indexOf(min);
