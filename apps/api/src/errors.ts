// One place that gives every error a stable extensions.code:
// NOT_FOUND, BAD_INPUT, CONFLICT, UNAUTHENTICATED, FORBIDDEN (domain), plus GraphQL's own
// GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED for malformed documents and INTERNAL_SERVER_ERROR.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { RegistryError, isUniqueViolation, type ErrorCode } from '@accrete/errors';
import { StorageFullError } from '@accrete/datasets';
import { isTransientDbError } from '@accrete/db';

export { isTransientDbError };

export const HTTP_STATUS: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  BAD_INPUT: 400,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
};

type ValidationIssue = { property?: string; constraints?: Record<string, string>; children?: ValidationIssue[] };

function validationMessages(issues: ValidationIssue[], prefix = ''): string[] {
  return issues.flatMap((i) => {
    const at = prefix ? `${prefix}.${i.property}` : (i.property ?? '');
    return [
      ...Object.values(i.constraints ?? {}).map((m) =>
        m.startsWith(i.property ?? '\0') ? `${prefix ? `${prefix}.` : ''}${m}` : `${at}: ${m}`,
      ),
      ...validationMessages(i.children ?? [], at),
    ];
  });
}

/** Domain view of any thrown value: code + message + details (null for unexpected errors). */
export function classify(err: unknown): { code: ErrorCode; message: string; details?: Record<string, unknown> } | null {
  if (err instanceof RegistryError) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof GraphQLError && err.extensions?.code === 'BAD_USER_INPUT') {
    const issues = err.extensions.validationErrors as ValidationIssue[] | undefined;
    return {
      code: 'BAD_INPUT',
      message: issues ? `invalid input: ${validationMessages(issues).join('; ')}` : err.message,
    };
  }
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (e?.name === 'TaxonomyError')
    return { code: e.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_INPUT', message: e.message ?? 'taxonomy error' };
  if (e?.code === 'P2025') return { code: 'NOT_FOUND', message: e.message ?? 'record not found' };
  if (isUniqueViolation(err)) return { code: 'CONFLICT', message: 'a row with the same unique key already exists' };
  return null;
}

/** The server's disk is full (or its quota used up): the request is fine, the server cannot store it. */
export function isStorageFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? (err as { cause?: NodeJS.ErrnoException })?.cause?.code;
  return err instanceof StorageFullError || code === 'ENOSPC' || code === 'EDQUOT';
}

export const DB_UNAVAILABLE = 'the database is briefly unavailable; retry the request';

export function makeFormatError(log: (m: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const known = classify(original);
    if (known) {
      return {
        ...formatted,
        message: known.message,
        extensions: { code: known.code, ...(known.details ? { details: known.details } : {}) },
      };
    }
    const code = formatted.extensions?.code;
    if (code === 'BAD_USER_INPUT') return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_INPUT' } };
    if (typeof code === 'string' && code in HTTP_STATUS)
      return { ...formatted, message: formatted.message.replace(/^Context creation failed: /, '') };
    if (
      code === 'BAD_INPUT' ||
      code === 'GRAPHQL_PARSE_FAILED' ||
      code === 'GRAPHQL_VALIDATION_FAILED' ||
      code === 'BAD_REQUEST'
    )
      return formatted;
    if (isStorageFull(original)) {
      log(`storage full: ${(original as Error)?.stack ?? String(original)}`);
      return {
        message:
          original instanceof StorageFullError
            ? original.message
            : 'the server has no disk space left; nothing was stored',
        path: formatted.path,
        extensions: { code: 'INSUFFICIENT_STORAGE' },
      };
    }
    if (isTransientDbError(original)) {
      log(`database unavailable: ${(original as Error)?.message ?? String(original)}`);
      return {
        message: DB_UNAVAILABLE,
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      };
    }
    // the raw message may hold SQL, a Prisma query or a server path: it goes to the log, not to the client
    log(`internal error: ${(original as Error)?.stack ?? String(original)}`);
    return {
      message: 'internal error (details are in the server log)',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/** The `{ error: { code, message } }` answer and HTTP status of the REST routes (/upload, /images, exports). */
export function restError(err: unknown, log: (m: string) => void, what: string): [number, ErrorBody] {
  const known = classify(err);
  if (known) return [HTTP_STATUS[known.code], { error: { code: known.code, message: known.message } }];
  if (isTransientDbError(err)) {
    log(`${what}: database unavailable: ${(err as Error)?.message ?? String(err)}`);
    return [503, { error: { code: 'SERVICE_UNAVAILABLE', message: DB_UNAVAILABLE } }];
  }
  if (isStorageFull(err)) {
    log(`${what}: storage full: ${(err as Error)?.message ?? String(err)}`);
    return [
      507,
      {
        error: {
          code: 'INSUFFICIENT_STORAGE',
          message:
            err instanceof StorageFullError ? err.message : 'the server has no disk space left; nothing was stored',
        },
      },
    ];
  }
  log(`${what} failed: ${(err as Error)?.stack ?? String(err)}`);
  return [500, { error: { code: 'INTERNAL_SERVER_ERROR', message: `${what} failed (details are in the server log)` } }];
}

export type ErrorBody = { error: { code: string; message: string } };
