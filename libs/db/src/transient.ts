// Which database failures are the connection's, not the request's (server restart, terminated backend, refused
// or exhausted pool): the API answers them SERVICE_UNAVAILABLE, and a read that hit one is worth one retry.
import type { PrismaClient } from './generated/prisma/client.js';

/** A database connection lost or refused (server restart, terminated backend, pool exhausted): retryable, 503. */
export function isTransientDbError(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; name?: string; message?: string; cause?: unknown } | null, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    const code = String(e.code ?? '');
    if (
      [
        'P1001',
        'P1002',
        'P1008',
        'P1017',
        'P2024',
        'ECONNREFUSED',
        'ECONNRESET',
        'EPIPE',
        '57P01',
        '57P02',
        '57P03',
        '08000',
        '08003',
        '08006',
      ].includes(code)
    )
      return true;
    if (e.name === 'PrismaClientInitializationError') return true;
    if (
      /Connection terminated|connection is closed|terminating connection|Client has encountered a connection error/i.test(
        e.message ?? '',
      )
    )
      return true;
  }
  return false;
}

/** Operations that only read: running one again cannot apply anything twice. */
const READS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
]);

/**
 * The client with each read retried once when its connection was lost mid-way (a terminated backend, a restarted
 * server): the pool hands the retry a fresh connection. Writes are never retried (the first may have committed);
 * they fail with the error, which the API answers as SERVICE_UNAVAILABLE.
 */
export function withReadRetry(prisma: PrismaClient, onRetry?: (operation: string, err: unknown) => void): PrismaClient {
  return prisma.$extends({
    query: {
      async $allOperations({ operation, args, query }) {
        try {
          return await query(args);
        } catch (e) {
          if (!READS.has(operation) || !isTransientDbError(e)) throw e;
          onRetry?.(operation, e);
          return query(args);
        }
      },
    },
  }) as unknown as PrismaClient;
}
