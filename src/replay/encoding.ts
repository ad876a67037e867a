// Content-Encoding of captured bodies: undone to decode a payload, redone
// when a changed payload is sent again as it was first sent.
import * as zlib from 'node:zlib';
import { snappyDecode, snappyEncode } from '../prw/snappy.js';

const MAX_DECODED = 512 * 1024 * 1024;
type Z = { zstdDecompressSync?: (b: Buffer) => Buffer; zstdCompressSync?: (b: Buffer) => Buffer };
const zstd = zlib as unknown as Z;

export class EncodingError extends Error {
  override name = 'EncodingError';
}

export function normalizeEncoding(e: string): string {
  const v = e.trim().toLowerCase();
  return v === 'identity' ? '' : v === 'x-gzip' ? 'gzip' : v;
}

/** The body with its Content-Encoding undone. */
export function decompress(body: Buffer, encoding: string): Buffer {
  const e = normalizeEncoding(encoding);
  try {
    switch (e) {
      case '':
        return body;
      case 'gzip':
        return zlib.gunzipSync(body, { maxOutputLength: MAX_DECODED });
      case 'deflate':
      case 'zlib':
        return zlib.inflateSync(body, { maxOutputLength: MAX_DECODED });
      case 'br':
        return zlib.brotliDecompressSync(body, { maxOutputLength: MAX_DECODED });
      case 'snappy':
        return snappyDecode(body, MAX_DECODED);
      case 'zstd':
        if (zstd.zstdDecompressSync) return zstd.zstdDecompressSync(body);
        throw new EncodingError('zstd is not available in this Node.js');
      default:
        throw new EncodingError(`unknown content encoding "${encoding}"`);
    }
  } catch (err) {
    if (err instanceof EncodingError) throw err;
    throw new EncodingError(`cannot undo ${e} encoding: ${(err as Error).message}`);
  }
}

/**
 * The body encoded as `encoding`; the encoding actually used is returned
 * (zstd falls back to none where this Node.js cannot write it).
 */
export function compress(raw: Uint8Array, encoding: string): { body: Buffer; encoding: string } {
  const e = normalizeEncoding(encoding);
  const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (e) {
    case 'gzip':
      return { body: zlib.gzipSync(b), encoding: 'gzip' };
    case 'deflate':
    case 'zlib':
      return { body: zlib.deflateSync(b), encoding: e };
    case 'br':
      return { body: zlib.brotliCompressSync(b), encoding: 'br' };
    case 'snappy':
      return { body: snappyEncode(b), encoding: 'snappy' };
    case 'zstd':
      if (zstd.zstdCompressSync) return { body: zstd.zstdCompressSync(b), encoding: 'zstd' };
      return { body: b, encoding: '' };
    default:
      return { body: b, encoding: '' };
  }
}
