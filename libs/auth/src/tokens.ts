// API tokens: random secrets shown once; only their sha256 is stored, so a leaked database leaks no token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex, cacheTiming, type CacheTiming } from '@accrete/primitives';
import type { PrismaClient, ApiToken, Role } from '@accrete/db';
import { badInput, notFound, RegistryError } from '@accrete/errors';
import { paginateTable, NEWEST_FIRST, type PageArgs } from '@accrete/pagination';

export const TOKEN_PREFIX = 'acc_';
const ROLES: Role[] = ['READER', 'EDITOR', 'ADMIN'];

export const hashToken = (secret: string) => sha256Hex(secret);

export async function createApiToken(
  prisma: PrismaClient,
  input: { name: string; role: Role; expiresAt?: Date | null },
): Promise<{ token: string; apiToken: ApiToken }> {
  if (!ROLES.includes(input.role)) throw badInput(`unknown role ${String(input.role)} (READER, EDITOR or ADMIN)`);
  const name = String(input.name ?? '').trim();
  if (!name || name.length > 100) throw badInput('a token needs a name of 1 to 100 characters (who uses it)');
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && !(expiresAt instanceof Date && Number.isFinite(expiresAt.getTime())))
    throw badInput('expiresAt is not a valid date');
  if (expiresAt && expiresAt.getTime() <= timing.current.now())
    throw badInput(`expiresAt ${expiresAt.toISOString()} is not in the future`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const apiToken = await prisma.apiToken.create({
    data: { name, role: input.role, tokenHash: hashToken(token), prefix: token.slice(0, 10), expiresAt },
  });
  return { token, apiToken };
}

/**
 * Verified tokens are remembered for a moment so that a busy client does not cost a query per request.
 * A revocation in this process applies at once; one made by another API process within TOKEN_CACHE_MS: an
 * entry older than that is re-checked before it answers again (an answer from a stale verdict let 19 writes of
 * a revoked token through), and concurrent requests share that one query, so a busy client still costs one
 * lookup per TOKEN_CACHE_MS, not one per request.
 */
export const TOKEN_CACHE_MS = 2_000;

const timing = cacheTiming(TOKEN_CACHE_MS);
/** Replaces this cache's TTL and/or clock; returns the previous setting (tests restore it). */
export const setTokenCacheTiming = (next: Partial<CacheTiming>): CacheTiming => timing.set(next);

interface VerifiedToken {
  row: ApiToken;
  verifiedAt: number;
}
interface TokenCache {
  revocations: number;
  tokens: Map<string, VerifiedToken>;
  pending: Map<string, Promise<ApiToken | null>>;
}
// per Prisma client (= database), so a token of one database never opens another in the same process
const verifiedByClient = new WeakMap<object, TokenCache>();
let revocations = 0;
const verifiedFor = (prisma: PrismaClient): TokenCache => {
  let v = verifiedByClient.get(prisma);
  if (!v || v.revocations !== revocations)
    verifiedByClient.set(prisma, (v = { revocations, tokens: new Map(), pending: new Map() }));
  return v;
};

/** Reads the token row and records the verdict in the cache; lastUsedAt is refreshed at most once a minute. */
async function verifyToken(prisma: PrismaClient, cache: TokenCache, hash: string): Promise<ApiToken | null> {
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hash } });
  if (!row || row.revokedAt) {
    cache.tokens.delete(hash);
    return null;
  }
  if (!row.lastUsedAt || timing.current.now() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken
      .update({ where: { id: row.id }, data: { lastUsedAt: new Date(timing.current.now()) } })
      .catch(() => undefined);
  }
  if (cache.tokens.size > 10_000) cache.tokens.clear();
  cache.tokens.set(hash, { row, verifiedAt: timing.current.now() });
  return row;
}

/** A token past its expiresAt is refused with that reason (checked on every request, cached verdict or not). */
function unlessExpired(row: ApiToken | null): ApiToken | null {
  if (row?.expiresAt && row.expiresAt.getTime() <= timing.current.now())
    throw new RegistryError(
      'UNAUTHENTICATED',
      `API token "${row.name}" expired at ${row.expiresAt.toISOString()}; ask an admin for a new one`,
    );
  return row;
}

/** The live token row for a presented secret, or null; an expired token throws UNAUTHENTICATED saying so. */
export async function authenticateToken(prisma: PrismaClient, secret: string): Promise<ApiToken | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const hash = hashToken(secret);
  const cache = verifiedFor(prisma);
  const hit = cache.tokens.get(hash);
  if (hit && timing.current.now() - hit.verifiedAt < timing.current.ttlMs) return unlessExpired(hit.row);
  let pending = cache.pending.get(hash);
  if (!pending) {
    pending = verifyToken(prisma, cache, hash).finally(() => cache.pending.delete(hash));
    cache.pending.set(hash, pending);
  }
  return unlessExpired(await pending);
}

/** Resolves when the token lookups of this client in flight (if any) have finished. */
export async function tokenChecksSettled(prisma: PrismaClient): Promise<void> {
  const cache = verifiedByClient.get(prisma);
  await Promise.allSettled([...(cache?.pending.values() ?? [])]);
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

export const roleAtLeast = (role: Role | undefined | null, min: Role) =>
  !!role && ROLES.indexOf(role) >= ROLES.indexOf(min);

/** Tokens newest first, revoked ones only when asked (the GraphQL apiTokens connection). */
export function listApiTokens(
  prisma: PrismaClient,
  filter: { includeRevoked?: boolean | null } = {},
  page: PageArgs = {},
) {
  const where = filter.includeRevoked ? {} : { revokedAt: null };
  return paginateTable(prisma.apiToken, {
    where,
    page,
    order: NEWEST_FIRST,
  });
}

/**
 * The first sign-in of a fresh install: while no token exists, the API process makes a one-time code and prints a
 * link carrying it (the way Jupyter prints its token); redeeming the code creates the first ADMIN token and returns
 * its secret to the browser only. The code is kept in memory, so it dies with the process, and it is spent by its
 * first use: a terminal log read later holds nothing usable.
 */
export class FirstSignIn {
  private code: string | null = null;

  /** A new code when the token table is empty, else null (then nothing is printed). */
  async open(prisma: PrismaClient): Promise<string | null> {
    if ((await prisma.apiToken.count()) > 0) return null;
    this.code = randomBytes(24).toString('base64url');
    return this.code;
  }

  get pending(): boolean {
    return this.code !== null;
  }

  /** Creates the first ADMIN token for a valid unspent code; UNAUTHENTICATED otherwise. */
  async redeem(prisma: PrismaClient, code: string): Promise<{ token: string; apiToken: ApiToken }> {
    const expected = this.code;
    const ok =
      expected !== null && code.length === expected.length && timingSafeEqual(Buffer.from(code), Buffer.from(expected));
    if (!ok)
      throw new RegistryError(
        'UNAUTHENTICATED',
        'this sign-in link is used up or is not from the running API; ask an admin for a token',
      );
    this.code = null; // spent before the await: two concurrent redeems cannot both pass
    // The link is for a server nobody can sign in to yet. Once a token exists (the CLI, another node), anyone who can
    // read this start's log must not mint an ADMIN token with it.
    if ((await prisma.apiToken.count()) > 0)
      throw new RegistryError(
        'UNAUTHENTICATED',
        'this sign-in link expired when the first API token was created; ask an admin for a token',
      );
    return createApiToken(prisma, { name: 'admin (first sign-in)', role: 'ADMIN' });
  }
}
