// Text no client has a reason to send: NUL (PostgreSQL refuses it in text columns, PGlite fails deep inside)
// and the bidirectional-override controls (U+202A–U+202E, U+2066–U+2069) that make a name read differently from
// what it is ("gpj.exe" shown as "exe.jpg"). Checked once for every GraphQL operation (variables and inline
// arguments) and every upload form field, before any resolver runs.
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { RegistryError } from '@accrete/errors';

const FORBIDDEN = /[\u0000\u202A-\u202E\u2066-\u2069]/;

/** Why this string is refused, or null. */
export function forbiddenTextReason(s: string): string | null {
  const m = FORBIDDEN.exec(s);
  if (!m) return null;
  const cp = m[0].codePointAt(0)!;
  return cp === 0
    ? 'contains a NUL byte'
    : `contains the bidirectional control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function findInValue(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === 'string') {
    const why = forbiddenTextReason(v);
    return why ? `${path} ${why}` : null;
  }
  if (depth > 20 || v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const keyWhy = forbiddenTextReason(k);
    if (keyWhy) return `a key of ${path} ${keyWhy}`;
    const found = findInValue(x, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws BAD_INPUT when a variable or an inline string argument carries forbidden text. */
export function guardOperationText(doc: DocumentNode, variables: Record<string, unknown> | null | undefined): void {
  let found = findInValue(variables ?? {}, 'variables');
  if (!found) {
    visit(doc, {
      [Kind.STRING]: (node) => {
        const why = forbiddenTextReason(node.value);
        if (why) {
          found = `an argument ${why}`;
          return false;
        }
        return undefined;
      },
    });
  }
  if (found)
    throw new GraphQLError(`${found}; such characters are refused`, {
      extensions: { code: 'BAD_INPUT', http: { status: 400 } },
    });
}

/** Same rule for upload form fields. */
export function guardFields(fields: Record<string, string>): void {
  for (const [k, v] of Object.entries(fields)) {
    const why = forbiddenTextReason(k) ?? forbiddenTextReason(v);
    if (why)
      throw new RegistryError(
        'BAD_INPUT',
        `form field ${JSON.stringify(k.replace(FORBIDDEN, '?'))} ${why}; such characters are refused`,
      );
  }
}
