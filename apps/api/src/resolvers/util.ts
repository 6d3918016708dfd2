import { RegistryError } from '@accrete/errors';

/** A row a foreign key promises; missing means the database is inconsistent or the id is wrong. */
export function must<T>(row: T | null | undefined | Error, what: string, id: string): T {
  if (row == null || row instanceof Error) throw new RegistryError('NOT_FOUND', `${what} ${id} not found`, { id });
  return row;
}
