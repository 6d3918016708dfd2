// Import preview (dry run) and the train/-only layout: the preview writes nothing, counts per class what the import
// then does, and a folder with train/ but no val/ gets validation images derived by content hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@accrete/config';
import { createTestDatabase } from '@accrete/db/testing';
import { LocalStorage } from '@accrete/storage';
import { createDataset, datasetClassCounts, importImageFolder, previewImageFolder, splitForHash } from './index.js';

const FLOWERS = resolve(fileURLToPath(new URL('../../../../shared/datasets/flowers', import.meta.url)));

test(
  'preview of a train/-only folder: validation derived by hash, per-class counts, nothing written; the import matches',
  { timeout: 120_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'accrete-preview-'));
    const db = await createTestDatabase();
    try {
      const expected = new Map<string, { train: number; val: number }>();
      for (const label of ['daisy', 'roses']) {
        const dst = join(root, 'imports/shop/train', label);
        mkdirSync(dst, { recursive: true });
        const files = readdirSync(join(FLOWERS, 'train', label))
          .filter((f) => f.endsWith('.jpg'))
          .sort()
          .slice(0, 10);
        const c = { train: 0, val: 0 };
        for (const f of files) {
          symlinkSync(join(FLOWERS, 'train', label, f), join(dst, f));
          const sha = createHash('sha256')
            .update(readFileSync(join(FLOWERS, 'train', label, f)))
            .digest('hex');
          c[splitForHash(sha) === 'VAL' ? 'val' : 'train']++;
        }
        expected.set(label, c);
      }
      symlinkSync(
        join(root, 'imports/shop/train/daisy', readdirSync(join(root, 'imports/shop/train/daisy'))[0]!),
        join(root, 'imports/shop/train/daisy/copy.jpg'),
      );
      writeFileSync(join(root, 'imports/shop/train/roses/notes.jpg'), 'not an image');
      writeFileSync(join(root, 'imports/shop/README'), 'hello');
      const config = loadConfig({
        ACCRETE_DATA_DIR: join(root, 'data'),
        ACCRETE_IMPORT_ROOTS: `${join(root, 'imports')}:${FLOWERS}`,
      }); // the links point into FLOWERS
      const storage = new LocalStorage(config.paths);
      await storage.ensure();
      const deps = { prisma: db.prisma, storage, config };
      const ds = await createDataset(db.prisma, { name: 'shop' });

      const preview = await previewImageFolder(deps, { datasetId: ds.id, path: 'shop' });
      assert.equal(preview.layout, 'train-only');
      assert.match(preview.notes[0]!, /train\/ without val\/: about 20% .* content hash/);
      const daisy = preview.classes.find((c) => c.label === 'daisy')!;
      const roses = preview.classes.find((c) => c.label === 'roses')!;
      assert.deepEqual(
        {
          files: daisy.files,
          train: daisy.train,
          val: daisy.val,
          duplicates: daisy.duplicates,
          rejected: daisy.rejected,
        },
        { files: 11, ...expected.get('daisy')!, duplicates: 1, rejected: 0 },
      );
      assert.deepEqual(
        {
          files: roses.files,
          train: roses.train,
          val: roses.val,
          duplicates: roses.duplicates,
          rejected: roses.rejected,
        },
        { files: 11, ...expected.get('roses')!, duplicates: 0, rejected: 1 },
      );
      assert.equal(preview.rejected, 2); // notes.jpg and README
      assert.ok(expected.get('daisy')!.val + expected.get('roses')!.val > 0, 'the sample has validation images at all');
      assert.equal(await db.prisma.datasetImage.count(), 0, 'a preview writes no rows');
      assert.equal(await db.prisma.image.count(), 0);
      assert.deepEqual(
        readdirSync(config.paths.images, { recursive: true }).filter((f) => !String(f).endsWith('/')).length,
        0,
        'and no blobs',
      );

      const done = await importImageFolder(deps, { datasetId: ds.id, path: 'shop' });
      assert.equal(done.accepted, preview.accepted);
      assert.equal(done.duplicates, preview.duplicates);
      assert.equal(done.rejected, preview.rejected);
      const counts = await datasetClassCounts(db.prisma, ds.id);
      assert.deepEqual(
        counts.map((c) => [c.label, c.train, c.val]),
        [
          ['daisy', daisy.train, daisy.val],
          ['roses', roses.train, roses.val],
        ],
      );

      // previewing again: everything is already there
      const again = await previewImageFolder(deps, { datasetId: ds.id, path: 'shop' });
      assert.equal(again.accepted, 0);
      assert.equal(again.duplicates, 21);
    } finally {
      await db.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
);
