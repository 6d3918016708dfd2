import { redactPaths } from '@accrete/primitives';
import { RegistryError } from '@accrete/errors';

/** A row a foreign key promises; missing means the database is inconsistent or the id is wrong. */
export function must<T>(row: T | null | undefined | Error, what: string, id: string): T {
  if (row == null || row instanceof Error) throw new RegistryError('NOT_FOUND', `${what} ${id} not found`, { id });
  return row;
}

/** Server paths (artifact directories, import folders, model sources) are for token holders only: anonymous
 *  readers (open-reads mode) see the last segment, enough to tell things apart, not the server's layout. */
export function serverPath<T extends string | null>(value: T, ctx: { viewer: unknown }): T {
  return (value == null || ctx.viewer ? value : redactPaths(value)) as T;
}
