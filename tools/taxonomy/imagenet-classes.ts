// The ImageNet-1k class list: wnids from the sample index.csv, names from the base model's labels.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsv } from '@accrete/primitives';

export interface ImagenetClass {
  classIndex: number;
  wnid: string;
  /** The base model's label, e.g. "tench, Tinca tinca". */
  label: string;
}

/** Reads index.csv (file,class_index,wnid,label) and checks it against metadata.json's labels. */
export function readImagenetClasses(indexCsvPath: string, metadataJsonPath: string): ImagenetClass[] {
  const rows = parseCsv(readFileSync(indexCsvPath, 'utf8')).filter((r) => r.some((f) => f.trim() !== ''));
  const header = rows[0] ?? [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${indexCsvPath}: no "${name}" column (header: ${header.join(',')})`);
    return i;
  };
  const [ci, wi] = [col('class_index'), col('wnid')];
  const labels: unknown = JSON.parse(readFileSync(metadataJsonPath, 'utf8')).labels;
  if (!Array.isArray(labels)) throw new Error(`${metadataJsonPath}: no "labels" array`);
  const classes = rows.slice(1).map((f, n) => {
    const classIndex = Number(f[ci]);
    const wnid = f[wi];
    if (!Number.isInteger(classIndex) || typeof labels[classIndex] !== 'string') {
      throw new Error(`${indexCsvPath}:${n + 2}: class_index ${f[ci]} has no label in ${metadataJsonPath}`);
    }
    if (!/^n\d{8}$/.test(wnid)) throw new Error(`${indexCsvPath}:${n + 2}: bad wnid ${wnid}`);
    return { classIndex, wnid, label: labels[classIndex] as string };
  });
  classes.sort((a, b) => a.classIndex - b.classIndex);
  if (classes.length !== labels.length || classes.some((c, i) => c.classIndex !== i)) {
    throw new Error(`${indexCsvPath}: expected class_index 0..${labels.length - 1} exactly once each`);
  }
  return classes;
}

export function defaultSharedDir(repoRoot: string): string {
  return resolve(repoRoot, process.env.ACCRETE_SHARED_DIR ?? '../shared');
}
