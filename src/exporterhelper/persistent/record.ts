// One queued request on disk. Every record carries two checksums: one over its
// header (so a damaged length is never trusted) and one over its body (so a
// damaged body is skipped with an exact item count).
//
//   off  size
//     0     4  magic 'TGQ1'
//     4     4  body length
//     8     4  items in the request (for drop counts)
//    12     8  enqueued at, ms since the epoch (float64)
//    20     4  CRC-32 of the body
//    24     4  CRC-32 of bytes 0..23
//    28     n  body: the codec's bytes of the request
// Integers little-endian.
import { crc32 } from '../../util/crc32.js';

export const MAGIC = 0x31514754; // 'TGQ1' read as a little-endian u32
export const HEADER_BYTES = 28;

export interface RecordHeader {
  bodyLen: number;
  items: number;
  enqueuedAt: number;
  bodyCrc: number;
}

export function encodeRecord(body: Uint8Array, items: number, enqueuedAt: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(body.length, 4);
  buf.writeUInt32LE(items >>> 0, 8);
  buf.writeDoubleLE(enqueuedAt, 12);
  buf.writeUInt32LE(crc32(body), 20);
  buf.writeUInt32LE(crc32(buf.subarray(0, 24)), 24);
  buf.set(body, HEADER_BYTES);
  return buf;
}

/** The header at `off`, or null when it is not a valid one (wrong magic or checksum). */
export function readHeader(buf: Buffer, off: number): RecordHeader | null {
  if (off + HEADER_BYTES > buf.length) return null;
  if (buf.readUInt32LE(off) !== MAGIC) return null;
  if (crc32(buf.subarray(off, off + 24)) !== buf.readUInt32LE(off + 24)) return null;
  return { bodyLen: buf.readUInt32LE(off + 4), items: buf.readUInt32LE(off + 8), enqueuedAt: buf.readDoubleLE(off + 12), bodyCrc: buf.readUInt32LE(off + 20) };
}

export function bodyIntact(body: Uint8Array, h: RecordHeader): boolean {
  return body.length === h.bodyLen && crc32(body) === h.bodyCrc;
}

/** Next offset after `from` where a valid header starts, or -1. Used to step over a damaged region. */
export function resync(buf: Buffer, from: number): number {
  const magic = Buffer.from([0x54, 0x47, 0x51, 0x31]);
  for (let p = buf.indexOf(magic, from); p >= 0; p = buf.indexOf(magic, p + 1)) {
    const h = readHeader(buf, p);
    if (h && p + HEADER_BYTES + h.bodyLen <= buf.length) return p;
  }
  return -1;
}

/**
 * Size of the record at `off` when its header fails its checksum but the
 * record was nonetheless written whole, else -1. A write cut short by a crash
 * is shorter than its length field says and cannot carry a matching body
 * checksum, so either of these proves a complete record whose header was
 * damaged afterwards: the body checksum field matches the body its length
 * field delimits, or the length field ends the record exactly at the end of
 * the data. Such a record is corruption (counted), not a torn write.
 */
export function wholeRecordSize(buf: Buffer, off: number): number {
  if (off + HEADER_BYTES > buf.length) return -1;
  const len = buf.readUInt32LE(off + 4);
  if (len === 0) return -1; // zeros (a crash before the data reached the disk) are a torn write
  const end = off + HEADER_BYTES + len;
  if (end > buf.length) return -1;
  if (crc32(buf.subarray(off + HEADER_BYTES, end)) === buf.readUInt32LE(off + 20)) return HEADER_BYTES + len;
  return end === buf.length ? HEADER_BYTES + len : -1;
}
