import { compress, uncompress } from 'snappyjs';

/**
 * Snappy block format (not the framed/stream format), as remote-write uses.
 * A block starts with the uncompressed length as a varint, so a receiver can
 * refuse an oversized body before allocating or decompressing anything.
 */

/** Uncompressed length announced by a Snappy block header, or -1 when the header is not a valid varint. */
export function snappyUncompressedLength(block: Uint8Array): number {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < block.length && i < 5; i++) {
    const b = block[i]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result > 0xffffffff ? -1 : result;
    shift += 7;
  }
  return -1;
}

export class SnappyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnappyError';
  }
}

/** Decompresses a Snappy block of at most `maxLength` uncompressed bytes. */
export function snappyDecode(block: Uint8Array, maxLength: number): Buffer {
  const len = snappyUncompressedLength(block);
  if (len < 0) throw new SnappyError('invalid snappy block: bad length header');
  if (len > maxLength) throw new SnappyError(`snappy block decompresses to ${len} bytes, over the limit of ${maxLength}`);
  const buf = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  try {
    return uncompress(buf, maxLength);
  } catch (err) {
    throw new SnappyError(`invalid snappy block: ${(err as Error).message}`);
  }
}

/** Compresses into a Snappy block. */
export function snappyEncode(data: Uint8Array): Buffer {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return compress(buf);
}
