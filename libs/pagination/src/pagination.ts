// Relay cursor pagination by keyset (stable under inserts, no OFFSET scans).
// Cursors are opaque base64url JSON of the sort-key values of the row they point at.
import { badInput } from '@accrete/errors';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

type Dir = 'asc' | 'desc';
/** Sort keys, most significant first; the last one must be unique (usually id). */
export type SortKey = { field: string; dir: Dir };

type Where = Record<string, unknown>;

export interface PaginateOptions<T> {
  where: Where;
  order: SortKey[];
  page: PageArgs;
  find: (args: { where: Where; orderBy: Record<string, Dir>[]; take: number }) => Promise<T[]>;
  count: (args: { where: Where }) => Promise<number>;
}

/** The order of most lists: newest first, ties by id. */
export const NEWEST_FIRST: SortKey[] = [
  { field: 'createdAt', dir: 'desc' },
  { field: 'id', dir: 'desc' },
];

/** A Prisma model delegate as `paginateTable` reads it (`prisma.dataset`, `prisma.trainingJob`, …). */
export interface Table<T> {
  findMany(args: never): PromiseLike<T[]>;
  count(args: never): PromiseLike<number>;
}

/** `paginate` over one Prisma model: its rows and its count under `where`. */
export function paginateTable<T extends Record<string, unknown>>(
  table: Table<T>,
  o: Omit<PaginateOptions<T>, 'find' | 'count'>,
): Promise<Page<T>> {
  return paginate({
    ...o,
    find: async (args) => table.findMany(args as never),
    count: async (args) => table.count(args as never),
  });
}

export function encodeCursor(values: unknown[]): string {
  const enc = values.map((v) => (v instanceof Date ? { d: v.toISOString() } : v));
  return Buffer.from(JSON.stringify(enc)).toString('base64url');
}

/** A cursor value as encodeCursor writes it: a scalar, or {d: ISO date}. Anything else (an object Prisma would
 *  read as an operator, an array…) makes the whole cursor invalid. */
function cursorValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
    return v;
  if (
    v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as { d?: unknown }).d === 'string'
  ) {
    const d = new Date((v as { d: string }).d);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new Error('value');
}

export function decodeCursor(cursor: string, n: number): unknown[] {
  try {
    if (cursor.length > 1000) throw new Error('length');
    const vals = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(vals) || vals.length !== n) throw new Error('shape');
    return vals.map(cursorValue);
  } catch {
    throw invalidCursor(cursor);
  }
}

const invalidCursor = (cursor: string) =>
  badInput(`invalid cursor: ${JSON.stringify(cursor.slice(0, 40))} (pass a cursor this API returned)`);

/** where-clause selecting rows strictly after (or before) the cursor in the given order. */
function keyset(order: SortKey[], values: unknown[], after: boolean): Where {
  const ors: Where[] = [];
  for (let i = 0; i < order.length; i++) {
    const cond: Where = {};
    for (let j = 0; j < i; j++) cond[order[j].field] = values[j];
    const { field, dir } = order[i];
    const op = (dir === 'asc') === after ? 'gt' : 'lt';
    cond[field] = { [op]: values[i] };
    ors.push(cond);
  }
  return { OR: ors };
}

/** first/last: one of them at most, each a whole number in 0..MAX_PAGE. */
function checkPageSize({ first, last }: PageArgs): void {
  if (first != null && last != null) throw badInput('pass either first or last, not both');
  for (const [k, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (v != null && (!Number.isInteger(v) || v < 0 || v > MAX_PAGE))
      throw badInput(`${k} must be an integer in 0..${MAX_PAGE}`);
  }
}

export async function paginate<T extends Record<string, unknown>>(o: PaginateOptions<T>): Promise<Page<T>> {
  const { first, after, last, before } = o.page;
  checkPageSize(o.page);
  const backward = last != null;
  const size = backward ? last! : (first ?? DEFAULT_PAGE);
  const cursor = backward ? before : after;
  const and: Where[] = [o.where];
  if (cursor) and.push(keyset(o.order, decodeCursor(cursor, o.order.length), !backward));
  // forward also honours `before` and backward `after`, as Relay allows
  if (!backward && before) and.push(keyset(o.order, decodeCursor(before, o.order.length), false));
  if (backward && after) and.push(keyset(o.order, decodeCursor(after, o.order.length), true));
  const flip = (d: Dir): Dir => (d === 'asc' ? 'desc' : 'asc');
  const orderBy = o.order.map((k) => ({ [k.field]: backward ? flip(k.dir) : k.dir }));
  let rows: T[] = [];
  try {
    if (size > 0) rows = await o.find({ where: and.length > 1 ? { AND: and } : o.where, orderBy, take: size + 1 });
  } catch (e) {
    // a well-formed cursor whose values have the wrong types for these sort keys (a string for a number…)
    if (and.length > 1 && (e as Error)?.name === 'PrismaClientValidationError')
      throw invalidCursor(String(cursor ?? before ?? after));
    throw e;
  }
  const more = rows.length > size;
  const slice = rows.slice(0, size);
  if (backward) slice.reverse();
  const edges = slice.map((node) => ({ cursor: encodeCursor(o.order.map((k) => node[k.field])), node }));
  let counted: Promise<number> | undefined;
  const where = o.where;
  return {
    edges,
    nodes: slice,
    pageInfo: {
      hasNextPage: backward ? Boolean(before) : more,
      hasPreviousPage: backward ? more : Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    get totalCount() {
      return (counted ??= o.count({ where }));
    },
  };
}

/** The same paging over rows already in memory and sorted by `order` (same cursors as paginate()). */
export async function paginateArray<T extends Record<string, unknown>>(
  rows: T[],
  order: SortKey[],
  page: PageArgs,
): Promise<Page<T>> {
  const { first, after, last, before } = page;
  checkPageSize(page);
  const cmp = (row: T, values: unknown[]) => {
    for (let i = 0; i < order.length; i++) {
      const a = row[order[i].field] as number | string | Date;
      const b = values[i] as number | string | Date;
      const sign = order[i].dir === 'asc' ? 1 : -1;
      if (a < b) return -sign;
      if (a > b) return sign;
    }
    return 0;
  };
  const firstIndex = (pred: (r: T) => boolean) => {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(rows[mid])) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let lo = 0;
  let hi = rows.length;
  if (after) {
    const v = decodeCursor(after, order.length);
    lo = firstIndex((r) => cmp(r, v) > 0);
  }
  if (before) {
    const v = decodeCursor(before, order.length);
    hi = Math.max(
      lo,
      firstIndex((r) => cmp(r, v) >= 0),
    );
  }
  const backward = last != null;
  const size = backward ? last! : (first ?? DEFAULT_PAGE);
  const start = backward ? Math.max(lo, hi - size) : lo;
  const end = backward ? hi : Math.min(hi, lo + size);
  const nodes = rows.slice(start, end);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(order.map((k) => node[k.field])), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: backward ? Boolean(before) : end < hi,
      hasPreviousPage: backward ? start > lo : Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: Promise.resolve(rows.length),
  };
}

/** Prisma passes `contains` into LIKE as is: % and _ would be wildcards and \ an escape; a search means its text. */
export const likeLiteral = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/** The where-clause of a case-insensitive text search (one rule for every list). */
export const containsText = (s: string) => ({ contains: likeLiteral(s), mode: 'insensitive' as const });
