// zstd for every Node.js the gateway runs on: node:zlib's where it has one
// (Node.js 22.15 / 23.8 and later); on older ones (Node.js 20) compression
// comes from @bokuweb/zstd-wasm (the reference C library as WebAssembly, one
// frame with its content size) and decompression from fzstd (pure JavaScript,
// streaming, so a bound on the decompressed size stops it early and frames
// without a content size, as streaming writers make them, decode too).
// Neither package runs an install script.
import * as zlib from 'node:zlib';
import { Transform } from 'node:stream';
import { Decompress } from 'fzstd';

type SyncZstd = (b: Buffer, o?: { maxOutputLength?: number }) => Buffer;
const z = zlib as unknown as { zstdCompressSync?: SyncZstd; zstdDecompressSync?: SyncZstd };

/** True when node:zlib has zstd (no WebAssembly needed). */
export const NATIVE_ZSTD = typeof z.zstdCompressSync === 'function' && typeof z.zstdDecompressSync === 'function';

export class ZstdError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'ZstdError';
  }
}

interface Wasm {
  compress(b: Uint8Array, level?: number): Uint8Array;
}
let wasm: Wasm | undefined;
let loading: Promise<void> | undefined;

/** Loads the WebAssembly compressor where node:zlib has no zstd; call before zstdCompress. */
export function zstdReady(): Promise<void> {
  if (NATIVE_ZSTD || wasm) return Promise.resolve();
  loading ??= import('@bokuweb/zstd-wasm').then(async (m) => {
    await m.init();
    wasm = m;
  });
  return loading;
}

/** One zstd frame of `data` (level 3, zstd's default, unless given). */
export function zstdCompress(data: Uint8Array, level = 3): Buffer {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (NATIVE_ZSTD) {
    const params = (zlib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel;
    return (z.zstdCompressSync as (b: Buffer, o?: unknown) => Buffer)(b, params === undefined ? undefined : { params: { [params]: level } });
  }
  if (!wasm) throw new ZstdError('zstd compressor not loaded (call zstdReady() first)');
  const out = wasm.compress(b, level);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Decompresses zstd data (one or more frames), refusing to produce more than
 * `maxOutput` bytes: it stops as soon as the bound is passed, so a
 * decompression bomb is never expanded.
 */
export function zstdDecompress(data: Uint8Array, maxOutput = Number.MAX_SAFE_INTEGER): Buffer {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (NATIVE_ZSTD) {
    let out: Buffer;
    try {
      out = (z.zstdDecompressSync as SyncZstd)(b, { maxOutputLength: Math.min(maxOutput + 1, 2 ** 31 - 1) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE') throw new ZstdError(`zstd data decompresses to more than ${maxOutput} bytes`, true);
      throw new ZstdError(`invalid zstd data: ${err.message}`);
    }
    if (out.byteLength > maxOutput) throw new ZstdError(`zstd data decompresses to more than ${maxOutput} bytes`, true);
    return out;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const d = new Decompress((chunk) => {
    if (over) return;
    total += chunk.byteLength;
    if (total > maxOutput) over = true;
    else parts.push(chunk);
  });
  try {
    // Fed in slices so the bound is checked while decoding, not after.
    const step = 64 * 1024;
    for (let i = 0; i < b.byteLength && !over; i += step) d.push(b.subarray(i, Math.min(i + step, b.byteLength)), i + step >= b.byteLength);
    if (b.byteLength === 0) d.push(b, true);
  } catch (e) {
    throw new ZstdError(`invalid zstd data: ${(e as Error).message}`);
  }
  if (over) throw new ZstdError(`zstd data decompresses to more than ${maxOutput} bytes`, true);
  return Buffer.concat(parts, total);
}

/**
 * A streaming zstd decompressor (a Transform, as node:zlib's): node:zlib's
 * where it has one, else fzstd's, fed chunk by chunk as the body arrives.
 */
export function createZstdDecompressStream(): Transform {
  const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (native) return native();
  let d: Decompress;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        d.push(chunk);
        cb();
      } catch (e) {
        cb(new ZstdError(`invalid zstd data: ${(e as Error).message}`));
      }
    },
    flush(cb) {
      try {
        d.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new ZstdError(`invalid zstd data: ${(e as Error).message}`));
      }
    },
  });
  d = new Decompress((chunk) => {
    t.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  return t;
}
