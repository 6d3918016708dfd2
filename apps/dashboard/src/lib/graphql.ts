// The dashboard's only way to the API: POST /graphql on this origin (proxied to the API by src/proxy.ts).
// Documents are codegen'd TypedDocumentStrings, so results and variables are typed from the schema.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

export type Doc<R, V> = DocumentTypeDecoration<R, V> & { toString(): string };
export type ResultOf<D> = D extends DocumentTypeDecoration<infer R, any> ? R : never;
export type VariablesOf<D> = D extends DocumentTypeDecoration<any, infer V> ? V : never;

const TOKEN_KEY = 'accrete.token';

/** The token saved by the sign-in page; null when signed out (or on the server). */
export function readToken(): string | null {
  if (typeof window === 'undefined') return null;
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function writeToken(token: string | null): void {
  if (token) window.localStorage.setItem(TOKEN_KEY, token);
  else window.localStorage.removeItem(TOKEN_KEY);
  // Same-tab listeners (the storage event only fires in other tabs).
  window.dispatchEvent(new Event('accrete-token'));
}

export function authHeaders(token: string | null = readToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** An error the API (or the network) reported, with the GraphQL error code when there is one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined = undefined,
    readonly status: number | undefined = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get isAuth(): boolean {
    return this.code === 'UNAUTHENTICATED' || this.status === 401;
  }
  get isForbidden(): boolean {
    return this.code === 'FORBIDDEN' || this.status === 403;
  }
}

interface GraphQLResponse<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gqlRequest<R, V>(
  doc: Doc<R, V>,
  variables?: V,
  opts: { token?: string | null; signal?: AbortSignal } = {},
): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...authHeaders(opts.token === undefined ? readToken() : opts.token),
      },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('Cannot reach the Accrete API (network error).', 'NETWORK');
  }
  let body: GraphQLResponse<R> | undefined;
  try {
    body = (await res.json()) as GraphQLResponse<R>;
  } catch {
    throw new ApiError(
      res.status >= 500
        ? `The API is unavailable (HTTP ${res.status}).`
        : `Unexpected API response (HTTP ${res.status}).`,
      res.status >= 500 ? 'UNAVAILABLE' : undefined,
      res.status,
    );
  }
  if (body.errors?.length) {
    const first = body.errors[0]!;
    throw new ApiError(body.errors.map((e) => e.message).join('\n'), first.extensions?.code, res.status);
  }
  if (!body.data) throw new ApiError(`Empty API response (HTTP ${res.status}).`, undefined, res.status);
  return body.data;
}

/** A message fit for an error box. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isAuth) return `${err.message} — sign in with a valid token.`;
    if (err.isForbidden) return `${err.message} — your token's role does not allow this.`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
