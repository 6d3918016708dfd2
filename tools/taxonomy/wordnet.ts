// Reader for WordNet 3.0's noun database (data.noun, format in wndb(5WN)). Only what the taxonomy
// needs: a synset's offset (= ImageNet wnid without the "n"), its lemmas and hypernym pointers.

export interface NounSynset {
  /** 8-digit byte offset in data.noun; the ImageNet wnid is "n" + offset. */
  offset: string;
  /** Lemmas as written in WordNet (underscores for spaces, adjective markers removed). */
  lemmas: string[];
  /** `@` pointers, in the order the file lists them. */
  hypernyms: string[];
  /** `@i` pointers (instance of), in file order. */
  instanceHypernyms: string[];
}

export interface NounDatabase {
  synsets: Map<string, NounSynset>;
  /** The licence notice at the top of the file, without line numbers. */
  license: string;
}

export function parseDataNoun(text: string): NounDatabase {
  const synsets = new Map<string, NounSynset>();
  const license: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('  ')) {
      // Header: "  12 text  " - strip the line number and trailing blanks.
      license.push(line.replace(/^\s+\d+ ?/, '').trimEnd());
      continue;
    }
    const s = parseSynsetLine(line);
    synsets.set(s.offset, s);
  }
  return { synsets, license: license.join('\n').trim() + '\n' };
}

export function parseSynsetLine(line: string): NounSynset {
  const fields = line.split(' | ')[0].trim().split(/\s+/);
  const fail = (why: string): never => {
    throw new Error(`data.noun: ${why} in line "${line.slice(0, 80)}"`);
  };
  const offset = fields[0];
  if (!/^\d{8}$/.test(offset)) fail('bad synset offset');
  if (fields[2] !== 'n') fail(`not a noun synset (ss_type ${fields[2]})`);
  const wordCount = parseInt(fields[3], 16);
  if (!Number.isFinite(wordCount) || wordCount < 1) fail('bad w_cnt');
  const lemmas: string[] = [];
  let i = 4;
  for (let w = 0; w < wordCount; w++, i += 2) {
    if (fields[i] === undefined) fail('truncated word list');
    lemmas.push(fields[i].replace(/\((a|p|ip)\)$/, ''));
  }
  const pointerCount = parseInt(fields[i++], 10);
  if (!Number.isFinite(pointerCount)) fail('bad p_cnt');
  const hypernyms: string[] = [];
  const instanceHypernyms: string[] = [];
  for (let p = 0; p < pointerCount; p++, i += 4) {
    const [symbol, target, pos] = [fields[i], fields[i + 1], fields[i + 2]];
    if (target === undefined) fail('truncated pointer list');
    if (pos !== 'n') continue;
    if (symbol === '@') hypernyms.push(target);
    else if (symbol === '@i') instanceHypernyms.push(target);
  }
  return { offset, lemmas, hypernyms, instanceHypernyms };
}

/**
 * Reader for index.noun (format in wndb(5WN)): each lemma with its synset offsets in WordNet's sense order,
 * most frequent sense first. Lemmas are lower case with underscores for spaces.
 */
export function parseIndexNoun(text: string): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('  ')) continue; // licence header
    const f = line.trim().split(/\s+/);
    const [lemma, pos] = f;
    const synsetCount = parseInt(f[2], 10);
    const pointerCount = parseInt(f[3], 10);
    if (pos !== 'n' || !Number.isFinite(synsetCount) || !Number.isFinite(pointerCount)) {
      throw new Error(`index.noun: bad line "${line.slice(0, 80)}"`);
    }
    const first = 4 + pointerCount + 2; // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt
    const offsets = f.slice(first, first + synsetCount);
    if (offsets.length !== synsetCount || offsets.some((o) => !/^\d{8}$/.test(o)))
      throw new Error(`index.noun: bad offsets for "${lemma}"`);
    senses.set(lemma, offsets);
  }
  return senses;
}
