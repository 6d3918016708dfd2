// Plumbing shared by the taxonomy operations: transactions (own or the caller's), the taxonomy write
// lock, and turning taxonomy refusals into the registry's error type.
import type { Prisma, PrismaClient } from '@accrete/db';
import { TaxonomyError, type TaxonomyErrorCode } from '@accrete/taxonomy';
import { RegistryError, type ErrorCode } from '@accrete/errors';

/** A client or an open transaction (e.g. the one creating a model version). */
export type Db = PrismaClient | Prisma.TransactionClient;

const CODE: Record<TaxonomyErrorCode, ErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID_DATA: 'BAD_INPUT',
  INVALID_NAME: 'BAD_INPUT',
  CYCLE: 'BAD_INPUT',
  SAME_NODE: 'BAD_INPUT',
  NOT_USER_CLASS: 'BAD_INPUT',
  IN_USE: 'CONFLICT',
  HAS_CHILDREN: 'CONFLICT',
  HAS_IMAGES: 'CONFLICT',
  DUPLICATE_NAME: 'CONFLICT',
  DUPLICATE_ALIAS: 'CONFLICT',
};

/** A refused taxonomy operation as a RegistryError; `details.reason` keeps the precise taxonomy code. */
export function refuse(
  reason: TaxonomyErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): RegistryError {
  return new RegistryError(CODE[reason], message, { ...details, reason });
}

export function translate(e: unknown): unknown {
  return e instanceof TaxonomyError ? refuse(e.code, e.message, e.details) : e;
}

// Arbitrary constant: the key of the transaction-scoped advisory lock that serialises taxonomy writes
// across processes, so that two concurrent moves cannot build a cycle between them.
const TAXONOMY_LOCK_KEY = 7_424_290_311;

/** Runs `fn` in a transaction holding the taxonomy write lock (joins the caller's transaction if given one). */
export async function withTaxonomyLock<T>(
  db: Db,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  const run = async (tx: Prisma.TransactionClient) => {
    await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(${TAXONOMY_LOCK_KEY}::bigint)) AS l`;
    return fn(tx);
  };
  try {
    // a transaction client has $transaction too (nested savepoints, unsupported by the PGlite adapter) but no $connect
    if ('$connect' in db)
      return await (db as PrismaClient).$transaction(run, { timeout: timeoutMs, maxWait: timeoutMs });
    return await run(db);
  } catch (e) {
    throw translate(e);
  }
}
