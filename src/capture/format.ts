// The capture file format, version 1 (specified in README.md ("Capture and replay")).
//
// A file is a header, then records appended one after another. Every record
// starts with a 4-byte marker, its length and a CRC-32, so a reader can tell
// a record cut short by a crash (torn tail) from one damaged in place (bad
// checksum), and can find the next good record after damage by searching for
// the marker and checking that record's checksum.
//
//   file header   magic(8) version u16 flags u16 metaLen u32 meta(metaLen, JSON) crc u32
//   record        marker(4) length u32 crc u32 body(length)
//   record body   arrival_ns u64 protocol u8 signal u8 flags u16
//                 pathLen u16 ctypeLen u16 cencLen u16 tenantLen u16 headersLen u32 payloadLen u32 reserved u32
//                 path ctype cenc tenant headers(JSON) payload
// All integers little-endian; CRCs are CRC-32 (IEEE, as zlib and gzip).
import { crc32 } from '../util/crc32.js';

export const MAGIC = Buffer.from([0x89, 0x54, 0x47, 0x43, 0x41, 0x50, 0x0d, 0x0a]); // "\x89TGCAP\r\n"
export const FORMAT_VERSION = 1;
/** Bytes before the header's meta JSON: magic, version, flags, meta length. */
export const FILE_HEADER_FIXED = 16;
/** "TGR" + 0x1E (ASCII record separator). */
export const RECORD_MARKER = Buffer.from([0x54, 0x47, 0x52, 0x1e]);
export const RECORD_MARKER_U32 = RECORD_MARKER.readUInt32LE(0);
/** marker + length + crc. */
export const RECORD_PREFIX = 12;
/** Fixed part of a record body, before the variable-length fields. */
export const RECORD_FIXED = 32;
/** Largest record body a reader accepts; a larger length field is damage, not data. */
export const MAX_RECORD_BODY = 1 << 30;
/** Largest meta JSON in a file header. */
export const MAX_META = 1 << 16;

export type CaptureProtocol = 'otlp_http' | 'otlp_grpc' | 'prw' | 'kafka';
export type CaptureSignal = 'traces' | 'metrics' | 'logs';

const PROTOCOL_CODES: Record<CaptureProtocol, number> = { otlp_http: 1, otlp_grpc: 2, prw: 3, kafka: 4 };
const PROTOCOLS: readonly (CaptureProtocol | undefined)[] = [undefined, 'otlp_http', 'otlp_grpc', 'prw', 'kafka'];
const SIGNAL_CODES: Record<CaptureSignal, number> = { traces: 1, metrics: 2, logs: 3 };
const SIGNALS: readonly (CaptureSignal | undefined)[] = [undefined, 'traces', 'metrics', 'logs'];

/** One request as it arrived at a receiver. */
export interface CaptureRecord {
  /** Arrival time, nanoseconds since the Unix epoch. */
  arrivalNs: bigint;
  protocol: CaptureProtocol;
  /** Undefined when the receiver could not tell (recorded as 0). */
  signal?: CaptureSignal;
  /** URL path (HTTP), full method name (gRPC) or topic (Kafka). */
  path: string;
  contentType: string;
  /** As sent (gzip, snappy, ...); '' for none. */
  contentEncoding: string;
  tenant: string;
  /** Allow-listed headers / metadata, lower-case names. */
  headers: Record<string, string[]>;
  /** Wire bytes, exactly as they arrived (still compressed). */
  body: Buffer;
}

export interface FileMeta {
  /** RFC 3339 time the file was created. */
  created: string;
  /** Component ID of the receiver that wrote it. */
  receiver?: string;
  host?: string;
  pid?: number;
  /** Sequence number of the file among those one writer made. */
  seq?: number;
  [k: string]: unknown;
}


export function encodeFileHeader(meta: FileMeta): Buffer {
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  if (json.length > MAX_META) throw new Error(`capture file meta is ${json.length} bytes, over ${MAX_META}`);
  const out = Buffer.allocUnsafe(FILE_HEADER_FIXED + json.length + 4);
  MAGIC.copy(out, 0);
  out.writeUInt16LE(FORMAT_VERSION, 8);
  out.writeUInt16LE(0, 10);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, FILE_HEADER_FIXED);
  out.writeUInt32LE(crc32(out.subarray(8, FILE_HEADER_FIXED + json.length)), FILE_HEADER_FIXED + json.length);
  return out;
}

function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** A whole record (prefix + body), ready to append. */
export function encodeRecord(r: CaptureRecord): Buffer {
  const path = utf8(r.path);
  const ctype = utf8(r.contentType);
  const cenc = utf8(r.contentEncoding);
  const tenant = utf8(r.tenant);
  const headers = Object.keys(r.headers).length ? utf8(JSON.stringify(r.headers)) : Buffer.alloc(0);
  for (const [name, b] of [['path', path], ['content type', ctype], ['content encoding', cenc], ['tenant', tenant]] as const) {
    if (b.length > 0xffff) throw new Error(`capture record ${name} is ${b.length} bytes, over 65535`);
  }
  const bodyLen = RECORD_FIXED + path.length + ctype.length + cenc.length + tenant.length + headers.length + r.body.length;
  if (bodyLen > MAX_RECORD_BODY) throw new Error(`capture record of ${bodyLen} bytes is over the ${MAX_RECORD_BODY}-byte limit`);
  const out = Buffer.allocUnsafe(RECORD_PREFIX + bodyLen);
  RECORD_MARKER.copy(out, 0);
  out.writeUInt32LE(bodyLen, 4);
  const b = RECORD_PREFIX;
  out.writeBigUInt64LE(r.arrivalNs, b);
  out.writeUInt8(PROTOCOL_CODES[r.protocol], b + 8);
  out.writeUInt8(r.signal ? SIGNAL_CODES[r.signal] : 0, b + 9);
  out.writeUInt16LE(0, b + 10);
  out.writeUInt16LE(path.length, b + 12);
  out.writeUInt16LE(ctype.length, b + 14);
  out.writeUInt16LE(cenc.length, b + 16);
  out.writeUInt16LE(tenant.length, b + 18);
  out.writeUInt32LE(headers.length, b + 20);
  out.writeUInt32LE(r.body.length, b + 24);
  out.writeUInt32LE(0, b + 28);
  let o = b + RECORD_FIXED;
  for (const part of [path, ctype, cenc, tenant, headers, r.body]) o += part.copy(out, o);
  // The CRC covers the length field too, so a damaged length is caught like damaged data.
  out.writeUInt32LE(crc32(out.subarray(RECORD_PREFIX), crc32(out.subarray(4, 8))), 8);
  return out;
}

/** Why bytes are not a record. */
export class RecordError extends Error {}

/**
 * Checks and decodes one record whose prefix starts at `buf[0]` and whose
 * body is complete in `buf`. Throws RecordError when it is not a valid record.
 */
export function decodeRecord(buf: Buffer, copyBody = true): CaptureRecord {
  if (buf.length < RECORD_PREFIX || buf.readUInt32LE(0) !== RECORD_MARKER_U32) throw new RecordError('no record marker');
  const len = buf.readUInt32LE(4);
  if (len < RECORD_FIXED || len > MAX_RECORD_BODY) throw new RecordError(`record length ${len} out of range`);
  if (buf.length < RECORD_PREFIX + len) throw new RecordError('record cut short');
  const body = buf.subarray(RECORD_PREFIX, RECORD_PREFIX + len);
  if (crc32(body, crc32(buf.subarray(4, 8))) !== buf.readUInt32LE(8)) throw new RecordError('checksum mismatch');
  const protocol = PROTOCOLS[body.readUInt8(8)];
  if (!protocol) throw new RecordError(`unknown protocol code ${body.readUInt8(8)}`);
  const sig = body.readUInt8(9);
  if (sig >= SIGNALS.length) throw new RecordError(`unknown signal code ${sig}`);
  const lens = [body.readUInt16LE(12), body.readUInt16LE(14), body.readUInt16LE(16), body.readUInt16LE(18), body.readUInt32LE(20), body.readUInt32LE(24)];
  if (RECORD_FIXED + lens.reduce((a, b) => a + b, 0) !== len) throw new RecordError('field lengths do not add up to the record length');
  const parts: Buffer[] = [];
  let o = RECORD_FIXED;
  for (const l of lens) {
    parts.push(body.subarray(o, o + l));
    o += l;
  }
  const [path, ctype, cenc, tenant, headers, payload] = parts as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  let hdrs: Record<string, string[]> = {};
  if (headers.length > 0) {
    try {
      hdrs = JSON.parse(headers.toString('utf8')) as Record<string, string[]>;
    } catch {
      throw new RecordError('headers are not valid JSON');
    }
  }
  const signal = SIGNALS[sig];
  return {
    arrivalNs: body.readBigUInt64LE(0),
    protocol,
    ...(signal ? { signal } : {}),
    path: path.toString('utf8'),
    contentType: ctype.toString('utf8'),
    contentEncoding: cenc.toString('utf8'),
    tenant: tenant.toString('utf8'),
    headers: hdrs,
    body: copyBody ? Buffer.from(payload) : payload,
  };
}

/** Decodes a file header at `buf[0]`; throws RecordError when it is not one (or is damaged). */
export function decodeFileHeader(buf: Buffer): { version: number; meta: FileMeta; length: number } {
  if (buf.length < FILE_HEADER_FIXED || !buf.subarray(0, 8).equals(MAGIC)) throw new RecordError('not a Tollgate capture file (bad magic)');
  const version = buf.readUInt16LE(8);
  const metaLen = buf.readUInt32LE(12);
  if (metaLen > MAX_META) throw new RecordError(`file header meta length ${metaLen} out of range`);
  const length = FILE_HEADER_FIXED + metaLen + 4;
  if (buf.length < length) throw new RecordError('file header cut short');
  if (crc32(buf.subarray(8, FILE_HEADER_FIXED + metaLen)) !== buf.readUInt32LE(FILE_HEADER_FIXED + metaLen)) {
    throw new RecordError('file header checksum mismatch');
  }
  let meta: FileMeta;
  try {
    meta = JSON.parse(buf.subarray(FILE_HEADER_FIXED, FILE_HEADER_FIXED + metaLen).toString('utf8')) as FileMeta;
  } catch {
    throw new RecordError('file header meta is not valid JSON');
  }
  return { version, meta, length };
}

/** Arrival time as milliseconds (for display and pacing). */
export function arrivalMs(r: { arrivalNs: bigint }): number {
  return Number(r.arrivalNs / 1_000_000n) + Number(r.arrivalNs % 1_000_000n) / 1e6;
}

let lastNs = 0n;
/** Wall-clock nanoseconds, strictly increasing within the process (so records of one writer keep their order). */
export function nowNs(): bigint {
  // Date.now() gives the wall clock; hrtime fills in below the millisecond.
  let t = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (t <= lastNs) t = lastNs + 1n;
  lastNs = t;
  return t;
}
