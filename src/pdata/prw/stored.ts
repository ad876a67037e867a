// An encoded remote-write batch as stored bytes (the persistent queue's
// records): its index, then the WriteRequest it makes, so a record read back
// is a batch again without a scan or a decode. The bytes are the wire bytes
// as received (nothing is encoded again); the index adds 12 bytes a series.
//
//   u32 series | u32 metadata                         (little-endian)
//   series × (i32 length, i32 points, i32 hash)
//   metadata × (i32 length, i32 hash)
//   the series' TimeSeries fields, then the MetricMetadata fields
//
// A record is checksummed by the queue; the index is still checked against
// the bytes when read (lengths add up, each entry starts with its tag), and
// a mismatch falls back to scanning the bytes.
import { EncodedPrw } from './encoded.js';
import { M_STRIDE, Part, S_STRIDE } from './part.js';
import { scanWriteRequest } from './scan.js';

const TAG_SERIES = 0x0a;
const TAG_META = 0x1a;

/** Size of the stored form of `e`. */
export function storedSize(e: EncodedPrw): number {
  let n = 8;
  for (const p of e.parts) n += p.seriesCount * 12 + p.metaCount * 8 + p.bytes;
  return n;
}

/** Writes the stored form of `e` into out at pos; returns the position after it. */
export function writeStored(e: EncodedPrw, out: Buffer, pos: number): number {
  let ns = 0;
  let nm = 0;
  for (const p of e.parts) {
    ns += p.seriesCount;
    nm += p.metaCount;
  }
  out.writeUInt32LE(ns, pos);
  out.writeUInt32LE(nm, pos + 4);
  let ix = pos + 8;
  for (const p of e.parts) {
    const s = p.series;
    for (let k = p.first * S_STRIDE; k < p.last * S_STRIDE; k += S_STRIDE) {
      out.writeInt32LE((s[k + 1] ?? 0) - (s[k] ?? 0), ix);
      out.writeInt32LE(s[k + 2] ?? 0, ix + 4);
      out.writeInt32LE(s[k + 3] ?? 0, ix + 8);
      ix += 12;
    }
  }
  for (const p of e.parts) {
    const m = p.meta;
    for (let k = p.mfirst * M_STRIDE; k < p.mlast * M_STRIDE; k += M_STRIDE) {
      out.writeInt32LE((m[k + 1] ?? 0) - (m[k] ?? 0), ix);
      out.writeInt32LE(m[k + 2] ?? 0, ix + 4);
      ix += 8;
    }
  }
  let at = ix;
  for (const p of e.parts) at = p.withoutMeta().copyTo(out, at);
  for (const p of e.parts) if (p.metaCount > 0) at = p.metaOnly().copyTo(out, at);
  return at;
}

/** The batch a stored form holds (views into `b`). */
export function readStored(b: Buffer): EncodedPrw {
  if (b.length < 8) throw new Error(`stored remote-write batch of ${b.length} bytes is shorter than its header`);
  const ns = b.readUInt32LE(0);
  const nm = b.readUInt32LE(4);
  const bytesAt = 8 + ns * 12 + nm * 8;
  if (bytesAt > b.length) throw new Error('stored remote-write batch: index runs past the end');
  const data = b.subarray(bytesAt);
  const series = new Int32Array(ns * S_STRIDE);
  const meta = new Int32Array(nm * M_STRIDE);
  let ix = 8;
  let at = 0;
  let ok = true;
  for (let i = 0; i < ns && ok; i++, ix += 12) {
    const len = b.readInt32LE(ix);
    const k = i * S_STRIDE;
    series[k] = at;
    series[k + 1] = at + len;
    series[k + 2] = b.readInt32LE(ix + 4);
    series[k + 3] = b.readInt32LE(ix + 8);
    ok = len > 1 && at + len <= data.length && data[at] === TAG_SERIES && (series[k + 2] ?? 0) >= 0;
    at += len;
  }
  for (let i = 0; i < nm && ok; i++, ix += 8) {
    const len = b.readInt32LE(ix);
    const k = i * M_STRIDE;
    meta[k] = at;
    meta[k + 1] = at + len;
    meta[k + 2] = b.readInt32LE(ix + 4);
    ok = len > 1 && at + len <= data.length && data[at] === TAG_META;
    at += len;
  }
  if (!ok || at !== data.length) return new EncodedPrw([scanWriteRequest(data, false).part]);
  return new EncodedPrw([new Part(data, series, 0, ns, meta, 0, nm)]);
}
