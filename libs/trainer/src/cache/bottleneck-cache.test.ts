import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BottleneckCache } from './bottleneck-cache.js';
import { imageRef, sha256Hex } from './image-ref.js';
import {
  CacheWriteError,
  MIRROR_AUGMENTATION,
  defaultViews,
  extraPasses,
  extractBottlenecks,
} from '../extract/extract-bottlenecks.js';
import { augmentation } from '../augment/augmentations.js';
import { loadBackbone } from '../backbone/load-backbone.js';
import { preprocess } from '../preprocess/preprocess.js';
import { featureWindow, poolWindow } from '../augment/feature-views.js';
import { ImageRejectedError } from '../preprocess/errors.js';
import { flowerImages, modelDir } from '../testing/fixtures.js';
import { mountSmallDisk } from '../testing/small-disk.js';
import type { Backbone, ImageRef, Progress } from '../types.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));

describe('BottleneckCache', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'accrete-bc-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('stores a prefix of augmentation vectors per (backbone, image) and never shortens it', async () => {
    const cache = new BottleneckCache(dir);
    const sha = sha256Hex(new Uint8Array([1, 2, 3]));
    const v = (x: number) => new Float32Array(768).fill(x);
    assert.deepEqual(await cache.read('bb1', sha, 768), []);
    await cache.write('bb1', sha, [v(0), v(1), v(2)]);
    await cache.write('bb1', sha, [v(9)]); // shorter: ignored
    const got = await cache.read('bb1', sha, 768);
    assert.deepEqual(
      got.map((g) => g[0]),
      [0, 1, 2],
    );
    assert.equal((await cache.get('bb1', sha, 2, 768))?.[767], 2);
    assert.equal(await cache.get('bb2', sha, 0, 768), undefined, 'keyed by backbone');
    assert.deepEqual(await cache.read('bb1', sha, 512), [], 'a dim mismatch reads as a miss');
    assert.ok(
      walk(dir).every((f) => f.endsWith('.bn')),
      'no temp files left',
    );
    // A damaged file reads as a miss and is replaced by the next write.
    writeFileSync(walk(dir)[0], 'garbage');
    assert.deepEqual(await cache.read('bb1', sha, 768), []);
    await assert.rejects(cache.read('bb1', 'not-a-sha', 768), /sha256/);
  });

  it('writes again after its directory was removed, and trusts a cached count the caller read', async () => {
    const cache = new BottleneckCache(join(dir, 'removed'));
    const sha = sha256Hex(new Uint8Array([4, 5, 6]));
    const v = (x: number) => new Float32Array(8).fill(x);
    await cache.write('bb1', sha, [v(1)]);
    await rm(join(dir, 'removed'), { recursive: true, force: true }); // e.g. the cache cleared while a worker runs
    await cache.write('bb1', sha, [v(2), v(3)], 0);
    assert.deepEqual(
      (await cache.read('bb1', sha, 8)).map((g) => g[0]),
      [2, 3],
    );
    await cache.write('bb1', sha, [v(7)], 2); // the caller saw 2 cached: nothing to add
    assert.equal((await cache.read('bb1', sha, 8)).length, 2);
  });
});

describe('extractBottlenecks', () => {
  let dir: string;
  let backbone: Backbone;
  let images: ImageRef[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'accrete-ex-'));
    backbone = await loadBackbone(modelDir, { cacheDir: join(dir, 'onnx') });
    images = await Promise.all([...flowerImages('dandelion', 3), ...flowerImages('tulips', 2)].map(imageRef));
  });
  after(async () => {
    await backbone?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('computes plain + k augmented vectors once, then serves them from disk', async () => {
    const cache = new BottleneckCache(join(dir, 'bn'));
    const progress: Progress[] = [];
    const first = await extractBottlenecks(backbone, images, {
      cache,
      augmentations: 2,
      views: 'image',
      onProgress: (p) => progress.push(p),
    });
    assert.equal(first.plain.length, 5);
    assert.equal(first.augmented.length, 5);
    assert.ok(first.augmented.every((a) => a.length === 2 && a.every((v) => v.length === 768)));
    assert.deepEqual(first.stats, { ...first.stats, cached: 0, computed: 15 });
    const last = progress.filter((p) => p.phase === 'extract').at(-1)!;
    assert.deepEqual([last.done, last.total, last.etaSeconds], [15, 15, 0]);

    // The plain vector is the backbone applied to preprocess(path).
    const direct = await backbone.computeBottlenecks(await preprocess(images[0].path), 1);
    assert.deepEqual(first.plain[0], direct);
    assert.notDeepEqual(first.augmented[0][0], first.plain[0]);

    // Warm: nothing recomputed, identical vectors; asking for more augmentations computes only the new ids.
    const again = await extractBottlenecks(backbone, images, { cache, augmentations: 2, views: 'image' });
    assert.deepEqual(again.stats, { ...again.stats, cached: 15, computed: 0 });
    assert.deepEqual(again.plain, first.plain);
    assert.deepEqual(again.augmented, first.augmented);
    const more = await extractBottlenecks(backbone, images, { cache, augmentations: 3, views: 'image' });
    assert.deepEqual(more.stats, { ...more.stats, cached: 15, computed: 5 });
    assert.deepEqual(
      more.augmented.map((a) => a.slice(0, 2)),
      first.augmented,
    );

    // Shared across datasets: the same image under another path is a cache hit (content-addressed).
    const plainOnly = await extractBottlenecks(backbone, [{ ...images[1], path: '/elsewhere/x.jpg' }], { cache });
    assert.deepEqual(plainOnly.stats, { ...plainOnly.stats, cached: 1, computed: 0 });
  });

  it('feature-map views: one backbone pass per image, views pooled from its feature map, cached apart', async () => {
    assert.equal(backbone.backend, 'onnx', 'this machine runs the onnx backend (the one with feature maps)');
    const cache = new BottleneckCache(join(dir, 'bn-fm'));
    const fm = await extractBottlenecks(backbone, images, { cache, augmentations: 3 });
    assert.deepEqual([fm.stats.passes, fm.stats.computed, fm.stats.cached], [5, 20, 0]);
    // Plain = the backbone's bottleneck; a view = the average of its window of the same pass's feature map.
    const x = await preprocess(images[0].path);
    const direct = await backbone.computeBottlenecks(x, 1);
    assert.deepEqual(fm.plain[0], direct);
    const { maps, side } = await backbone.computeFeatureMaps!(x, 1);
    assert.equal(side, 7);
    const whole = poolWindow(maps, 0, 768, side, { x: 0, y: 0, size: side });
    assert.ok(
      whole.every((v, i) => Math.abs(v - direct[i]) < 1e-4),
      'the whole-map average is the bottleneck',
    );
    assert.deepEqual(fm.augmented[0][0], poolWindow(maps, 0, 768, side, featureWindow(1, side)));
    assert.notDeepEqual(fm.augmented[0][0], fm.plain[0]);
    // Warm: no pass; image-space views of the same ids are other vectors, kept apart.
    const again = await extractBottlenecks(backbone, images, { cache, augmentations: 3 });
    assert.deepEqual([again.stats.passes, again.stats.cached], [0, 20]);
    const img = await extractBottlenecks(backbone, images.slice(0, 1), { cache, augmentations: 1, views: 'image' });
    assert.equal(img.stats.passes, 2);
    assert.notDeepEqual(img.augmented[0][0], fm.augmented[0][0]);
  });

  it('mirror-and-map views: the mirror pass, then windows of the plain pass, cached apart', async () => {
    assert.deepEqual(augmentation(MIRROR_AUGMENTATION), { ...augmentation(0), flip: true }, 'view 1 is a plain mirror');
    const cache = new BottleneckCache(join(dir, 'bn-mirror'));
    const mm = await extractBottlenecks(backbone, images, { cache, augmentations: 3, views: 'mirror-and-map' });
    assert.equal(extraPasses('mirror-and-map', 3), 1);
    assert.deepEqual([mm.stats.passes, mm.stats.computed, mm.stats.cached], [10, 20, 0]);
    // the same vectors as the image-space mirror and the feature-map windows 1..k-1, in one cache entry
    const fm = await extractBottlenecks(backbone, images, {
      cache: new BottleneckCache(join(dir, 'bn-mirror-fm')),
      augmentations: 2,
      views: 'feature-map',
    });
    const img = await extractBottlenecks(backbone, images, {
      cache: new BottleneckCache(join(dir, 'bn-mirror-img')),
      augmentations: 1,
      views: 'image',
    });
    const near = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]) < 1e-4);
    images.forEach((_, i) => {
      assert.ok(near(mm.plain[i], fm.plain[i]), `plain ${i}`);
      assert.ok(near(mm.augmented[i][0], img.augmented[i][0]), `mirror ${i}`);
      assert.ok(
        near(mm.augmented[i][1], fm.augmented[i][0]) && near(mm.augmented[i][2], fm.augmented[i][1]),
        `windows ${i}`,
      );
    });
    const again = await extractBottlenecks(backbone, images, { cache, augmentations: 3, views: 'mirror-and-map' });
    assert.deepEqual([again.stats.passes, again.stats.cached], [0, 20]);
    assert.deepEqual(again.augmented, mm.augmented);
    // the default on onnx stays one pass per image: the mirror's gain did not pay for its cost
    assert.equal(defaultViews(backbone), 'feature-map');
    assert.deepEqual([extraPasses('feature-map', 3), extraPasses('image', 3)], [0, 3]);
  });

  it('stops on an aborted signal and keeps what was finished', async () => {
    const cache = new BottleneckCache(join(dir, 'bn-abort'));
    const ctl = new AbortController();
    await assert.rejects(
      extractBottlenecks(backbone, images, {
        cache,
        onProgress: (p) => p.phase === 'extract' && p.done >= 2 && ctl.abort(),
        signal: ctl.signal,
      }),
      (e: Error) => e.name === 'AbortError',
    );
    const resumed = await extractBottlenecks(backbone, images, { cache });
    assert.ok(resumed.stats.cached >= 2 && resumed.stats.computed <= 3, JSON.stringify(resumed.stats));
  });

  it('a full disk fails the extraction with CacheWriteError (ENOSPC), no unhandled rejection', async (t) => {
    const disk = mountSmallDisk('4k'); // room for one bottleneck file at most
    if ('skip' in disk) return t.skip(disk.skip);
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(
        extractBottlenecks(backbone, images, { cache: new BottleneckCache(disk.dir), batch: 1 }),
        (e: unknown) =>
          e instanceof CacheWriteError &&
          e.code === 'ENOSPC' &&
          !e.message.includes(disk.dir) &&
          /disk is full/.test(e.message),
      );
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
      assert.ok(
        walk(disk.dir).every((f) => f.endsWith('.bn')),
        'no temp files left on the full disk',
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
      disk.unmount();
    }
  });

  it('fails with ImageRejectedError naming the file when an image is unreadable', async () => {
    const bad = join(dir, 'broken.jpg');
    writeFileSync(bad, 'not a jpeg at all');
    const cache = new BottleneckCache(join(dir, 'bn-bad'));
    await assert.rejects(
      extractBottlenecks(backbone, [images[0], { path: bad, sha256: sha256Hex(new TextEncoder().encode('x')) }], {
        cache,
      }),
      (e: unknown) =>
        e instanceof ImageRejectedError && e.reason === 'not an image' && e.message.includes('broken.jpg'),
    );
  });
});
