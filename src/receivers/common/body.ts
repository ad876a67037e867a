// Reading an HTTP request body (OTLP/HTTP, remote-write) under its limits:
// bytes on the wire (max_request_body_size), bytes after Content-Encoding is
// undone (max_decompressed_body_size), the admission budget shared by every
// receiver (taken as the body arrives and inflates), and the pause allowed
// between two chunks (body_idle_timeout). Decompression runs while the body
// arrives (in zlib's thread pool, off the event loop) and stops the moment a
// limit is passed, so a compression bomb costs at most the limit in memory,
// never its expanded size.
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { ErrorCode } from '../../errors/codes.js';
import type { AdmissionRefusal, AdmissionTicket } from '../../memory/admission.js';
import { createZstdDecompressStream } from '../../util/zstd.js';
import { Code, type Refusal } from '../otlp/status.js';

export type Decoder = () => Transform;

/** Content-Encoding → a fresh decompressor. `undefined` entries mean "as sent". */
const DECODERS: Record<string, Decoder | undefined> = {
  '': undefined,
  identity: undefined,
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2); the collector reads both names so.
  deflate: () => zlib.createInflate(),
  zlib: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  // node:zlib's zstd where the runtime has it (22.15+), fzstd on Node.js 20.
  zstd: () => createZstdDecompressStream(),
};

/** The decompressors enabled by `compression_algorithms` ("" and identity are always accepted). */
export function decodersFor(algorithms: readonly string[]): Map<string, Decoder | undefined> {
  const m = new Map<string, Decoder | undefined>([
    ['', undefined],
    ['identity', undefined],
  ]);
  for (const a of algorithms) if (a in DECODERS) m.set(a, DECODERS[a]);
  return m;
}

export interface BodyLimits {
  /** Bytes as sent. */
  readonly maxWire: number;
  /** Bytes after decompression. */
  readonly maxDecoded: number;
  /** Longest pause between two chunks, in ms; 0: none. */
  readonly idleMs?: number;
  /** Names of the wire and decompressed limits in the receiver's config, for messages. */
  readonly wireKey?: string;
  readonly decodedKey?: string;
}

/** Why a body could not be read: an answer for the client. */
export class BodyError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

export function tooLarge(limits: BodyLimits, declared?: number): BodyError {
  const size = declared !== undefined ? ` (${declared} bytes)` : '';
  return new BodyError({
    code: Code.RESOURCE_EXHAUSTED,
    httpStatus: 413,
    reason: ErrorCode.BODY_TOO_LARGE,
    message: `${ErrorCode.BODY_TOO_LARGE}: request body${size} exceeds ${limits.wireKey ?? 'max_request_body_size'} of ${limits.maxWire} bytes`,
  });
}

function decodedTooLarge(limits: BodyLimits, encoding: string): BodyError {
  return new BodyError({
    code: Code.RESOURCE_EXHAUSTED,
    httpStatus: 413,
    reason: ErrorCode.DECOMPRESSED_TOO_LARGE,
    message: `${ErrorCode.DECOMPRESSED_TOO_LARGE}: ${encoding} request body decompresses to more than ${limits.decodedKey ?? 'max_decompressed_body_size'} of ${limits.maxDecoded} bytes`,
  });
}

/** The answer to a request the admission budget or the memory limiter refused. */
export function admissionRefused(r: AdmissionRefusal): BodyError {
  // Larger than the whole budget: no retry can succeed (RESOURCE_EXHAUSTED without RetryInfo is not retried).
  if (r.tooLarge) return new BodyError({ code: Code.RESOURCE_EXHAUSTED, httpStatus: 413, reason: r.code, message: r.message });
  return new BodyError(
    r.code === ErrorCode.ADMISSION_LIMIT
      ? { code: Code.RESOURCE_EXHAUSTED, reason: r.code, message: r.message, retryAfterMs: r.retryAfterMs }
      : { code: Code.UNAVAILABLE, reason: r.code, message: r.message, retryAfterMs: r.retryAfterMs },
  );
}

function idle(ms: number): BodyError {
  return new BodyError({
    code: Code.DEADLINE_EXCEEDED,
    httpStatus: 408,
    reason: ErrorCode.SLOW_CLIENT,
    message: `${ErrorCode.SLOW_CLIENT}: no request body data for ${ms} ms (body_idle_timeout); connection closed`,
  });
}

/**
 * The whole body, decompressed. Rejects with a BodyError (413 over a limit,
 * 429 over the admission budget, 408 after a pause longer than idleMs, 400
 * for a corrupt compressed stream or a body cut short). With a ticket, the
 * bytes the body holds (decompressed) are taken from the admission budget as
 * they arrive; they stay taken after resolving, until the caller releases
 * the ticket. On rejection the request may still be streaming: the caller
 * drains or closes it.
 */
export function readBody(req: IncomingMessage, encoding: string, decoder: Decoder | undefined, limits: BodyLimits, ticket?: AdmissionTicket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    let settled = false;
    const inflater = decoder?.();
    const idleMs = limits.idleMs ?? 0;
    const timer = idleMs > 0 ? setTimeout(() => fail(idle(idleMs)), idleMs) : undefined;
    timer?.unref();

    const cleanup = () => {
      if (timer) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (inflater) {
        inflater.removeAllListeners();
        inflater.on('error', () => {}); // late errors of a destroyed stream
        inflater.destroy();
      }
    };
    const fail = (e: BodyError) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(e);
    };
    const done = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    /** Takes `n` bytes from the budget; false (and the request failed) when there is no room. */
    const take = (n: number): boolean => {
      const r = ticket?.add(n);
      if (r) fail(admissionRefused(r));
      return r === undefined;
    };

    function onData(c: Buffer) {
      timer?.refresh();
      wire += c.length;
      if (wire > limits.maxWire) return fail(tooLarge(limits));
      if (!take(c.length)) return;
      if (inflater) {
        // A compressed chunk is held until zlib has read it; then only its output counts.
        const n = c.length;
        inflater.write(c, () => ticket?.drop(n));
      } else {
        chunks.push(c);
        size += c.length;
      }
    }
    function onEnd() {
      if (inflater) inflater.end();
      else done();
    }
    function onError(e: Error) {
      fail(badBody(`error reading request body: ${e.message}`));
    }
    function onClose() {
      // 'close' before 'end': the client went away mid-body.
      if (!req.complete) fail(badBody('request body ended early (connection closed)'));
    }

    if (inflater) {
      inflater.on('data', (c: Buffer) => {
        if (settled) return;
        size += c.length;
        if (size > limits.maxDecoded) return fail(decodedTooLarge(limits, encoding));
        if (!take(c.length)) return;
        chunks.push(c);
      });
      inflater.on('end', done);
      inflater.on('error', (e: Error) => fail(badBody(`cannot decompress ${encoding} request body: ${e.message}`)));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function badBody(message: string): BodyError {
  return new BodyError({ code: Code.INVALID_ARGUMENT, reason: ErrorCode.DECODE, message: `${ErrorCode.DECODE}: ${message}` });
}
