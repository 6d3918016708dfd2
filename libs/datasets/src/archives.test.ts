// Pure parts of imports: archive layouts and entry names, and the hash-decided train/val split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { filesFromZip, layoutPaths } from './uploads.js';
import { unsafeEntryName } from './zip.js';
import { makeZip } from './testing.js';
import { splitForHash } from './datasets.js';

test('archive layouts: split dirs, class dirs, a common top folder, root files need a label', () => {
  assert.deepEqual(
    layoutPaths(['x/train/daisy/a.jpg', 'x/val/roses/b.jpg', 'x/README'], { label: null, split: null }),
    [
      { path: 'x/train/daisy/a.jpg', label: 'daisy', split: 'TRAIN' },
      { path: 'x/val/roses/b.jpg', label: 'roses', split: 'VAL' },
      { path: 'x/README', label: null, split: null, rejected: 'not inside train/<class>/ or val/<class>/' },
    ],
  );
  assert.deepEqual(
    layoutPaths(['daisy/a.jpg', 'b.jpg'], { label: 'tulips', split: 'VAL' }).map((l) => [l.label, l.split]),
    [
      ['daisy', 'VAL'],
      ['tulips', 'VAL'],
    ],
  );
  assert.match(layoutPaths(['b.jpg'], { label: null, split: null })[0].rejected!, /not inside a class directory/);
  assert.match(
    layoutPaths(['__MACOSX/daisy/._a.jpg', 'daisy/a.jpg'], { label: null, split: null })[0].rejected!,
    /macOS/,
  );
  // train/ without val/: the split is left to the content hash, never all-training
  assert.deepEqual(
    layoutPaths(['x/train/daisy/a.jpg', 'x/train/roses/b.jpg'], { label: null, split: null }).map((l) => [
      l.label,
      l.split,
    ]),
    [
      ['daisy', null],
      ['roses', null],
    ],
  );
});

test('unsafe zip entry names', () => {
  for (const n of ['../a.jpg', 'a/../../b.jpg', '/etc/passwd', 'C:/x.jpg', 'a\\..\\b.jpg'])
    assert.ok(unsafeEntryName(n), n);
  for (const n of ['a.jpg', 'train/daisy/a..b.jpg', 'x/.hidden']) assert.equal(unsafeEntryName(n), null, n);
});

test('zip names without the UTF-8 flag are CP437 (Windows Explorer); every entry is kept', async () => {
  const entries = [];
  // 0x82 is é and 0x8a is è in CP437; as UTF-8 both would be one "caf\ufffd" folder
  for (const dir of [Buffer.from([0x63, 0x61, 0x66, 0x82]), Buffer.from([0x63, 0x61, 0x66, 0x8a])])
    for (let i = 0; i < 4; i++)
      entries.push({
        name: Buffer.concat([dir, Buffer.from(`/${i}.jpg`)]),
        flags: 0,
        data: Buffer.from(`${dir.toString('hex')}-${i}`),
      });
  // Info-ZIP Unicode Path field (0x7075: version 1, CRC-32 of the header's name, the UTF-8 name) beats the flag
  const legacy = Buffer.from('na?ve/0.jpg');
  const unicode = Buffer.from('naïve/0.jpg');
  const field = Buffer.alloc(5);
  field.writeUInt8(1, 0);
  field.writeUInt32LE(crc32(legacy) >>> 0, 1);
  const extra = Buffer.concat([Buffer.from([0x75, 0x70, 5 + unicode.length, 0]), field, unicode]);
  entries.push({ name: legacy, flags: 0, extra, data: Buffer.from('naive') });
  // bit 11 set: UTF-8 as before
  entries.push({ name: Buffer.from('señor/0.jpg'), flags: 0x800, data: Buffer.from('senor') });
  // the same name twice: both entries are read, neither shadows the other
  entries.push({ name: Buffer.from('twice/0.jpg'), flags: 0, data: Buffer.from('first') });
  entries.push({ name: Buffer.from('twice/0.jpg'), flags: 0, data: Buffer.from('second') });

  const opened: (() => void)[] = [];
  const files = await filesFromZip(makeZip(entries), {
    name: 'win.zip',
    label: null,
    split: null,
    maxBytes: 1000,
    maxTotalBytes: 100_000,
    opened,
  });
  try {
    assert.deepEqual(
      files.map((f) => [f.path, f.label]),
      [
        ...['café', 'cafè'].flatMap((d) => [0, 1, 2, 3].map((i) => [`win.zip:${d}/${i}.jpg`, d])),
        ['win.zip:naïve/0.jpg', 'naïve'],
        ['win.zip:señor/0.jpg', 'señor'],
        ['win.zip:twice/0.jpg', 'twice'],
        ['win.zip:twice/0.jpg', 'twice'],
      ],
    );
    const contents = await Promise.all(files.map(async (f) => Buffer.from(await f.read()).toString()));
    assert.deepEqual(
      contents,
      entries.map((e) => e.data.toString()),
    );
  } finally {
    for (const close of opened) close();
  }
});

test('the split of an image depends only on its hash', () => {
  const hashes = Array.from(
    { length: 2000 },
    (_, i) => ((i * 2654435761) % 2 ** 32).toString(16).padStart(8, '0') + '0'.repeat(56),
  );
  const val = hashes.filter((h) => splitForHash(h, 0.2) === 'VAL').length;
  assert.ok(val > 300 && val < 500, `${val} of 2000 in VAL`);
  assert.equal(splitForHash('ffffffff' + '0'.repeat(56)), 'TRAIN');
  assert.equal(splitForHash('00000000' + '0'.repeat(56)), 'VAL');
});
