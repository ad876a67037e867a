// Snappy block decompression with every check a hostile body needs:
//   - the announced length is read first and refused when it is over the
//     caller's limit or more than the body could expand to (a copy element
//     of 3 bytes makes at most 64), before anything is allocated;
//   - every literal stays inside the input, every copy inside what was
//     already written and inside the announced length;
//   - the output must be exactly the announced length (snappyjs accepts a
//     body that stops short and hands back zero-filled bytes).
// Output is not zero-filled (every byte is written before it is returned).
// Copies and literals move four bytes per step through DataViews where the
// distance allows, else byte by byte; long literals use TypedArray.set.

export class SnappyError extends Error {
  override name = 'SnappyError';
}

/** Largest expansion of one byte of a block: a 3-byte copy element writes at most 64 bytes. */
const MAX_EXPANSION_NUM = 64;
const MAX_EXPANSION_DEN = 3;

export interface BlockHeader {
  /** Announced uncompressed length. */
  length: number;
  /** Bytes the length varint takes. */
  headerBytes: number;
}

/** The announced length of a block, or undefined when the header is not a valid varint of at most 32 bits. */
export function readBlockHeader(block: Uint8Array): BlockHeader | undefined {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < block.length && i < 5; i++) {
    const b = block[i] ?? 0;
    result += (b & 0x7f) * mul;
    if (b < 0x80) return result > 0xffffffff ? undefined : { length: result, headerBytes: i + 1 };
    mul *= 128;
  }
  return undefined;
}

/** Most bytes a block of `compressedBytes` (header excluded) can decompress to. */
export function maxDecompressedLength(compressedBytes: number): number {
  return Math.ceil((compressedBytes * MAX_EXPANSION_NUM) / MAX_EXPANSION_DEN);
}

/**
 * Decompresses a block of at most `maxLength` bytes. Throws SnappyError for
 * anything but a well-formed block whose output is exactly its announced length.
 */
export function decompress(block: Uint8Array, maxLength: number): Buffer {
  const h = readBlockHeader(block);
  if (!h) throw new SnappyError('invalid snappy block: bad length header');
  if (h.length > maxLength) throw new SnappyError(`snappy block decompresses to ${h.length} bytes, over the limit of ${maxLength}`);
  const body = block.length - h.headerBytes;
  if (h.length > maxDecompressedLength(body)) {
    throw new SnappyError(`invalid snappy block: header announces ${h.length} bytes, more than ${body} compressed bytes can hold`);
  }
  const out = Buffer.allocUnsafe(h.length);
  const err = decodeInto(block, h.headerBytes, out);
  if (err) throw new SnappyError(`invalid snappy block: ${err}`);
  return out;
}

/** Decodes the elements of src from `pos` into all of dst; returns an error text, or undefined when dst was filled exactly. */
function decodeInto(src: Uint8Array, pos: number, dst: Uint8Array): string | undefined {
  const srcEnd = src.length;
  const dstEnd = dst.length;
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  let d = 0;
  while (pos < srcEnd) {
    const c = src[pos++] ?? 0;
    const tag = c & 3;
    if (tag === 0) {
      let len = c >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (pos + extra > srcEnd) return 'literal length cut off';
        len = src[pos] ?? 0;
        if (extra > 1) len |= (src[pos + 1] ?? 0) << 8;
        if (extra > 2) len |= (src[pos + 2] ?? 0) << 16;
        if (extra > 3) len = (len | ((src[pos + 3] ?? 0) << 24)) >>> 0;
        pos += extra;
      }
      len += 1;
      if (len > srcEnd - pos) return 'literal runs past the end of the input';
      if (len > dstEnd - d) return 'output longer than the announced length';
      if (len > 64) {
        dst.set(src.subarray(pos, pos + len), d);
        d += len;
        pos += len;
      } else {
        let i = 0;
        for (; i + 4 <= len; i += 4) dv.setInt32(d + i, sv.getInt32(pos + i, true), true);
        for (; i < len; i++) dst[d + i] = src[pos + i] ?? 0;
        d += len;
        pos += len;
      }
      continue;
    }
    let len: number;
    let offset: number;
    if (tag === 1) {
      if (pos >= srcEnd) return 'copy cut off';
      len = ((c >>> 2) & 7) + 4;
      offset = ((c >>> 5) << 8) | (src[pos++] ?? 0);
    } else if (tag === 2) {
      if (pos + 2 > srcEnd) return 'copy cut off';
      len = (c >>> 2) + 1;
      offset = (src[pos] ?? 0) | ((src[pos + 1] ?? 0) << 8);
      pos += 2;
    } else {
      if (pos + 4 > srcEnd) return 'copy cut off';
      len = (c >>> 2) + 1;
      offset = sv.getUint32(pos, true);
      pos += 4;
    }
    if (offset === 0 || offset > d) return 'copy refers before the start of the output';
    if (len > dstEnd - d) return 'output longer than the announced length';
    let from = d - offset;
    if (offset >= 4) {
      let i = 0;
      for (; i + 4 <= len; i += 4) dv.setInt32(d + i, dv.getInt32(from + i, true), true);
      for (; i < len; i++) dst[d + i] = dst[from + i] ?? 0;
    } else {
      // Overlapping run (offset 1–3): byte by byte, each read sees what was just written.
      for (let i = 0; i < len; i++) dst[d + i] = dst[from++] ?? 0;
    }
    d += len;
  }
  return d === dstEnd ? undefined : `output of ${d} bytes is shorter than the announced ${dstEnd}`;
}
