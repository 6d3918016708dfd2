// PGlite runs each query synchronously (WASM, on this thread) inside an already-resolved promise, so a chain of
// awaited queries — createModelVersion's checks, a job's start, a publishing transaction — ran as one unbroken
// string of microtasks: the event loop, and every other request, waited for all of it (1–1.8 s at a job's start,
// bench/api.ts --during-job). Here each query first yields one event-loop turn (setImmediate: after pending I/O), so
// other requests run between the queries of a long operation; what blocks is one query at a time.
import type { PGlite, Transaction } from '@electric-sql/pglite';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

type Queryable = Pick<PGlite, 'query' | 'exec'>;

function yieldingQueryable<T extends Queryable | Transaction>(target: T, overrides: Partial<T> = {}): T {
  return new Proxy(target, {
    get(t, key) {
      if (key in overrides) return overrides[key as keyof T];
      if (key === 'query' || key === 'exec') {
        const f = (t as Queryable)[key] as (...a: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          await turn();
          return f.apply(t, args);
        };
      }
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** The PGlite instance as the Prisma adapter sees it: every query and exec, in or out of a transaction, yields first. */
export function yieldingPGlite(db: PGlite): PGlite {
  const transaction = <R>(fn: (tx: Transaction) => Promise<R>) => db.transaction((tx) => fn(yieldingQueryable(tx)));
  return yieldingQueryable(db, { transaction } as Partial<PGlite>);
}
