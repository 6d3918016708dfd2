// Name handling shared by search, duplicate detection and alias uniqueness.
import pluralize from 'pluralize';
import { distance } from 'fastest-levenshtein';
import { TaxonomyError } from './errors.js';

export const MAX_NAME_LENGTH = 120;

/** Canonical form for "same name ignoring case": NFKC, lower case, `_` as space, single spaces. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[_\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Spelling-insensitive key: only letters and digits ("half-track" = "half track" = "halftrack"). */
export function looseKey(name: string): string {
  return normalizeName(name).replace(/[^\p{L}\p{N}]+/gu, '');
}

// pluralize walks long rule lists per call; the index is rebuilt after every taxonomy write from mostly
// the same few thousand words, so remember the answers (bounded, in case of adversarial queries).
const singularMemo = new Map<string, string>();

export function singularWord(word: string): string {
  let s = singularMemo.get(word);
  if (s === undefined) {
    // pluralize.singular also mangles some singulars ("axis" -> "axi"), so only touch words it sees as plural.
    s = word.length > 2 && pluralize.isPlural(word) ? pluralize.singular(word) : word;
    if (singularMemo.size > 50_000) singularMemo.clear();
    singularMemo.set(word, s);
  }
  return s;
}

/** Singular form of a normalized name, by its last word ("sea lions" -> "sea lion", "daisies" -> "daisy"). */
export function singularKey(normalized: string): string {
  const words = normalized.split(' ');
  words[words.length - 1] = singularWord(words[words.length - 1]);
  return looseKey(words.join(' '));
}

/**
 * Edit distance allowed for a "close spelling" match: none for short names, more for long ones.
 * `strict` (duplicate detection) needs longer names, so "roses" does not propose "robe".
 */
export function allowedTypos(length: number, strict = false): number {
  const [one, two] = strict ? [6, 10] : [4, 8];
  if (length < one) return 0;
  if (length < two) return 1;
  return 2;
}

/** Levenshtein distance (insert/delete/substitute), see fastest-levenshtein. */
export function editDistance(a: string, b: string): number {
  return distance(a, b);
}

/** Trims and checks a class name or alias; throws INVALID_NAME with the reason. */
export function validateClassName(raw: unknown, what = 'class name'): string {
  if (typeof raw !== 'string') throw new TaxonomyError('INVALID_NAME', `${what} must be a string`);
  const name = raw.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (name === '') throw new TaxonomyError('INVALID_NAME', `${what} is empty`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new TaxonomyError(
      'INVALID_NAME',
      `${what} "${name.slice(0, 40)}…" is longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new TaxonomyError('INVALID_NAME', `${what} "${name}" contains control characters`);
  if (looseKey(name) === '') throw new TaxonomyError('INVALID_NAME', `${what} "${name}" has no letters or digits`);
  return name;
}

/**
 * The name rules for classes created together, in one place: createClasses enforces them, and createModelVersion
 * checks them before it creates any, which is how growthOverlap reports per label what the mutation would refuse.
 * Each name is valid (validateClassName: e.g. INVALID_NAME for "." or an emoji alone), and no two are the same
 * ignoring case and Unicode form (normalizeName: "Widget"/"widget", composed/decomposed "café") unless both may
 * duplicate a name (DUPLICATE_NAME, on both). Per input: its refusal, or null.
 */
export function newClassNameProblems(
  inputs: readonly { name: unknown; allowDuplicateName?: boolean }[],
): (TaxonomyError | null)[] {
  const checked = inputs.map((input) => {
    try {
      return validateClassName(input.name);
    } catch (e) {
      if (e instanceof TaxonomyError) return e;
      throw e;
    }
  });
  return inputs.map((input, i) => {
    const name = checked[i];
    if (name instanceof TaxonomyError) return name;
    const j = checked.findIndex(
      (other, k) =>
        k !== i &&
        typeof other === 'string' &&
        normalizeName(other) === normalizeName(name) &&
        !(input.allowDuplicateName && inputs[k].allowDuplicateName),
    );
    if (j < 0) return null;
    const [first, second] = j < i ? [checked[j], name] : [name, checked[j]];
    return new TaxonomyError(
      'DUPLICATE_NAME',
      `class names "${first}" and "${second}" are the same ignoring case and Unicode form`,
      {
        name,
      },
    );
  });
}
