// One error type for every refused taxonomy operation, with a machine-readable code so that the API
// can map it (e.g. to a GraphQL error extension) while the message stays readable for people.
export type TaxonomyErrorCode =
  | 'INVALID_DATA'
  | 'INVALID_NAME'
  | 'NOT_FOUND'
  | 'CYCLE'
  | 'IN_USE'
  | 'HAS_CHILDREN'
  | 'HAS_IMAGES'
  | 'DUPLICATE_NAME'
  | 'DUPLICATE_ALIAS'
  | 'NOT_USER_CLASS'
  | 'SAME_NODE';

export class TaxonomyError extends Error {
  override readonly name = 'TaxonomyError';
  constructor(
    readonly code: TaxonomyErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isTaxonomyError(e: unknown, code?: TaxonomyErrorCode): e is TaxonomyError {
  return e instanceof TaxonomyError && (code === undefined || e.code === code);
}
