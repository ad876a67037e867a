// Capture with `redaction`: traces and logs are redacted with the redaction
// processor's rules before the record is written, so prompts never reach
// disk. The record then holds the redacted request, decompressed, in its own
// content type (protobuf or JSON): no longer the exact wire bytes.
import * as zlib from 'node:zlib';
import type { Logs, Traces } from '../pdata/proto.js';
import { decodeJSON, decodeProto, encodeJSON, encodeProto } from '../pdata/otlpjson.js';
import { redactLogs, redactTraces } from '../processors/redaction/apply.js';
import type { RedactionConfig } from '../processors/redaction/config.js';
import { Redactor } from '../processors/redaction/redactor.js';
import type { CaptureInput } from './capture.js';

/** Largest decompressed body redacted (bigger ones are not captured). */
const MAX_INFLATED = 64 * 1024 * 1024;

const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o?: zlib.ZlibOptions) => Buffer }).zstdDecompressSync;

function inflate(body: Uint8Array, encoding: string): Uint8Array {
  const o = { maxOutputLength: MAX_INFLATED };
  switch (encoding.trim().toLowerCase()) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, o);
    case 'deflate':
    case 'zlib':
      return zlib.inflateSync(body, o);
    case 'br':
      return zlib.brotliDecompressSync(body, o);
    case 'zstd':
      if (zstd) return zstd(body, o);
  }
  throw new Error(`cannot undo Content-Encoding ${encoding} to redact the request`);
}

export class CaptureRedactor {
  private readonly r: Redactor;

  constructor(private readonly cfg: RedactionConfig) {
    this.r = new Redactor(cfg);
  }

  /**
   * The input with its body redacted, or the input unchanged when it carries
   * no content to redact (metrics, remote-write). Throws when the body cannot
   * be decoded: such a request is not captured at all.
   */
  apply(input: CaptureInput): CaptureInput {
    const signal = input.signal;
    if ((signal !== 'traces' && signal !== 'logs') || input.protocol === 'prw') return input;
    const json = /json/i.test(input.contentType ?? '');
    const raw = inflate(input.body, input.contentEncoding ?? '');
    if (signal === 'traces') {
      const data = (json ? decodeJSON('traces', raw) : decodeProto('traces', raw)) as Traces;
      redactTraces(this.r, data);
      return { ...input, contentEncoding: '', body: json ? Buffer.from(encodeJSON('traces', data)) : encodeProto('traces', data) };
    }
    const data = (json ? decodeJSON('logs', raw) : decodeProto('logs', raw)) as Logs;
    redactLogs(this.r, this.cfg.keep_length, data);
    return { ...input, contentEncoding: '', body: json ? Buffer.from(encodeJSON('logs', data)) : encodeProto('logs', data) };
  }
}
