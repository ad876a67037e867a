/**
 * Snappy block format (not the framed/stream format), as remote-write uses.
 * A block starts with the uncompressed length as a varint, so a receiver can
 * refuse an oversized body before allocating or decompressing anything.
 * The codec is Tollgate's own (snappy/compress.ts, snappy/decompress.ts):
 * it compresses into a buffer the caller sizes and reuses, checks hostile
 * input strictly, and measured faster than snappyjs and the native
 * `snappy` package on remote-write bodies (benchmarks/prw-wire.bench.ts).
 */
import { compress, compressInto, maxCompressedLength } from './snappy/compress.js';
import { SnappyError, decompress, maxDecompressedLength, readBlockHeader } from './snappy/decompress.js';

export { SnappyError, compressInto, maxCompressedLength, maxDecompressedLength, readBlockHeader };

/** Uncompressed length announced by a Snappy block header, or -1 when the header is not a valid varint. */
export function snappyUncompressedLength(block: Uint8Array): number {
  return readBlockHeader(block)?.length ?? -1;
}

/** Decompresses a Snappy block of at most `maxLength` uncompressed bytes. */
export function snappyDecode(block: Uint8Array, maxLength: number): Buffer {
  return decompress(block, maxLength);
}

/** Compresses into a Snappy block (a new buffer of the exact size). */
export function snappyEncode(data: Uint8Array): Buffer {
  return compress(data);
}
