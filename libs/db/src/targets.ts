// MigrationTarget implementations: one PGlite instance, or one dedicated pg session.
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { MigrationTarget } from './migrations.js';

/** Prisma's own advisory-lock key, so this runner and `prisma migrate deploy` exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

export function pgliteTarget(db: PGlite): MigrationTarget {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    async transaction(fn) {
      await db.transaction(async (tx) => {
        await fn({
          exec: async (script) => {
            await tx.exec(script);
          },
          query: (sql, params) => tx.query(sql, params),
        });
      });
    },
    // One PGlite instance is one connection owned by this process: nothing to exclude.
    withLock: (fn) => fn(),
  };
}

/** A target over one pg session (advisory locks are per session, so not a pool). */
export function pgClientTarget(client: pg.Client): MigrationTarget {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as T[];
    },
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        await fn({
          // Without parameters pg uses the simple query protocol: multi-statement scripts run whole.
          exec: async (script) => {
            await client.query(script);
          },
          query: (sql, params) => client.query(sql, params),
        });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    async withLock(fn) {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      }
    },
  };
}
