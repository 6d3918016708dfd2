// One place that gives every error a stable extensions.code:
// NOT_FOUND, BAD_INPUT, CONFLICT, UNAUTHENTICATED, FORBIDDEN (domain), plus GraphQL's own
// GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED for malformed documents and INTERNAL_SERVER_ERROR.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { RegistryError, isUniqueViolation, type ErrorCode } from '@accrete/errors';

export const HTTP_STATUS: Record<ErrorCode, number> = { NOT_FOUND: 404, BAD_INPUT: 400, CONFLICT: 409, UNAUTHENTICATED: 401, FORBIDDEN: 403 };

type ValidationIssue = { property?: string; constraints?: Record<string, string>; children?: ValidationIssue[] };

function validationMessages(issues: ValidationIssue[], prefix = ''): string[] {
  return issues.flatMap((i) => {
    const at = prefix ? `${prefix}.${i.property}` : (i.property ?? '');
    return [...Object.values(i.constraints ?? {}).map((m) => (m.startsWith(i.property ?? '\0') ? `${prefix ? `${prefix}.` : ''}${m}` : `${at}: ${m}`)), ...validationMessages(i.children ?? [], at)];
  });
}

/** Domain view of any thrown value: code + message + details (null for unexpected errors). */
export function classify(err: unknown): { code: ErrorCode; message: string; details?: Record<string, unknown> } | null {
  if (err instanceof RegistryError) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof GraphQLError && err.extensions?.code === 'BAD_USER_INPUT') {
    const issues = err.extensions.validationErrors as ValidationIssue[] | undefined;
    return { code: 'BAD_INPUT', message: issues ? `invalid input: ${validationMessages(issues).join('; ')}` : err.message };
  }
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (e?.name === 'TaxonomyError') return { code: e.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_INPUT', message: e.message ?? 'taxonomy error' };
  if (e?.code === 'P2025') return { code: 'NOT_FOUND', message: e.message ?? 'record not found' };
  if (isUniqueViolation(err)) return { code: 'CONFLICT', message: 'a row with the same unique key already exists' };
  return null;
}

export function makeFormatError(log: (m: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const known = classify(original);
    if (known) {
      return { ...formatted, message: known.message, extensions: { code: known.code, ...(known.details ? { details: known.details } : {}) } };
    }
    const code = formatted.extensions?.code;
    if (code === 'BAD_USER_INPUT') return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_INPUT' } };
    if (typeof code === 'string' && code in HTTP_STATUS) return { ...formatted, message: formatted.message.replace(/^Context creation failed: /, '') };
    if (code === 'BAD_INPUT' || code === 'GRAPHQL_PARSE_FAILED' || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_REQUEST') return formatted;
    log(`internal error: ${(original as Error)?.stack ?? String(original)}`);
    return { message: `internal error: ${(original as Error)?.message ?? 'unknown'}`, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
