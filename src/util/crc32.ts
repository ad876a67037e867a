import * as zlib from 'node:zlib';

// CRC-32 (IEEE) of the record bytes. node:zlib has a native crc32 since Node
// 20.15 / 22.2; older 20.x builds get the table-driven one below.
type Crc = (data: Uint8Array, initial?: number) => number;

const native = (zlib as unknown as { crc32?: Crc }).crc32;

let table: Uint32Array | undefined;
function tableCrc(data: Uint8Array, initial = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~initial >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

export const crc32: Crc = native ? (d, i = 0) => native(d, i) >>> 0 : tableCrc;
/** Exposed for the test that checks both implementations agree. */
export const crc32Portable: Crc = tableCrc;
