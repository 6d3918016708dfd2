// Domain errors with a stable code; the API turns them into GraphQL errors with extensions.code.
export type ErrorCode = 'NOT_FOUND' | 'BAD_INPUT' | 'CONFLICT' | 'UNAUTHENTICATED' | 'FORBIDDEN';

export class RegistryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const notFound = (what: string, id: string) => new RegistryError('NOT_FOUND', `${what} ${id} not found`, { id });
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new RegistryError('BAD_INPUT', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new RegistryError('CONFLICT', message, details);

/** Prisma's unique-constraint violation (P2002), whatever the driver adapter. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return (
    code === 'P2002' ||
    code === '23505' ||
    /Unique constraint failed|duplicate key value/i.test(String((e as Error)?.message))
  );
}
