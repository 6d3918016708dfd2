// Downloads a version's export over HTTP, unpacks it (yauzl, the reader the product's imports use) and checks it
// stands alone: every file matches the manifest (whose sha256 is on the version row), and the unpacked model,
// loaded with no backbone handed over (so as a complete TF.js layers model), answers an image as the API did.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { sha256Hex } from '@accrete/primitives';
import { loadClassifier } from '@accrete/trainer';

/** Writes every file entry under `dir`; returns the entry names. */
export async function unzipTo(zip: Buffer, dir: string): Promise<string[]> {
  const zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zipfile.on('error', reject);
    zipfile.on('end', resolve);
    zipfile.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      zipfile.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        const to = join(dir, entry.fileName);
        mkdir(dirname(to), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(to)))
          .then(() => zipfile.readEntry(), reject);
      });
    });
    zipfile.readEntry();
  });
  return names;
}

/** An exported manifest names its backbone as "…/<directory>" and holds no absolute path. */
export function assertNoServerPath(manifestText: string): void {
  assert.match(JSON.parse(manifestText).backboneSource, /^…\/[^/]+$/);
  assert.doesNotMatch(manifestText, /(^|[\s"'=])(file:\/\/)?\/[^\s"/]+\//, manifestText);
}

export interface ApiPrediction {
  label: string;
  outputUnit: number;
  probability: number;
}

export async function checkExport(opts: {
  /** API origin + the version's exportUrl */
  url: string;
  token: string;
  into: string;
  /** `<model>-v<number>`, the zip's one folder */
  folder: string;
  artifactSha256: string;
  image: Uint8Array;
  /** what the API's predict answered for `image` (top K) */
  apiClasses: ApiPrediction[];
}): Promise<void> {
  const res = await fetch(opts.url, { headers: { authorization: `Bearer ${opts.token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/zip');
  const names = await unzipTo(Buffer.from(await res.arrayBuffer()), opts.into);
  const { folder } = opts;
  assert.deepEqual(
    names.sort(),
    ['labels.json', 'manifest.json', 'model.json', 'taxonomy.json', 'weights.bin'].map((n) => `${folder}/${n}`),
  );
  const dir = join(opts.into, folder);
  const manifestBytes = await readFile(join(dir, 'manifest.json'));
  assert.equal(sha256Hex(manifestBytes), opts.artifactSha256);
  // the zip leaves the server: the backbone named as GraphQL names it to anonymous readers, no server path anywhere
  assertNoServerPath(manifestBytes.toString('utf8'));
  for (const [name, sha] of Object.entries(JSON.parse(manifestBytes.toString()).files as Record<string, string>))
    assert.equal(sha256Hex(await readFile(join(dir, name))), sha, name);

  const standalone = await loadClassifier({ artifactDir: dir });
  try {
    const mine = await standalone.predict(opts.image, opts.apiClasses.length);
    assert.deepEqual(
      mine.map((c) => c.unit),
      opts.apiClasses.map((c) => c.outputUnit),
      JSON.stringify(mine),
    );
    for (const [i, c] of mine.entries()) {
      const api = opts.apiClasses[i]!;
      // labels.json keeps ImageNet's whole synonym list ("hip, rose hip, rosehip"); the API names the class node
      assert.ok(c.label.split(', ').includes(api.label), `${c.label} / ${api.label}`);
      assert.ok(Math.abs(c.probability - api.probability) < 1e-3, `${c.label} ${c.probability} / ${api.probability}`);
    }
  } finally {
    await standalone.dispose();
  }
}
