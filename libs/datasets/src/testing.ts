// '@accrete/datasets/testing': a minimal zip writer (stored entries, no compression) so tests can build archives with
// any entry names: hostile ones (../, absolute paths) that real zip tools refuse to create, and names written the way
// Windows Explorer writes them. Kept out of the production entry ('@accrete/datasets').
import { crc32 } from 'node:zlib';

export interface TestZipEntry {
  /** A string is written as UTF-8 with the UTF-8 flag (bit 11) on; bytes are written as is with it off, as Windows
   *  Explorer writes names in the OEM code page (CP437). */
  name: string | Uint8Array;
  data: Uint8Array;
  /** Extra fields of the entry (e.g. an Info-ZIP Unicode Path field, 0x7075). */
  extra?: Uint8Array;
  /** Overrides the general-purpose flags chosen from the name's type. */
  flags?: number;
}

export function makeZip(entries: TestZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : Buffer.from(e.name);
    const flags = e.flags ?? (typeof e.name === 'string' ? 0x0800 : 0);
    const extra = Buffer.from(e.extra ?? new Uint8Array(0));
    const data = Buffer.from(e.data);
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    locals.push(local, name, extra, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + extra.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
