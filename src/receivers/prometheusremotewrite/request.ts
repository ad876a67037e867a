import { ErrorCode } from '../../errors/codes.js';
import { EncodedPrw } from '../../pdata/prw/encoded.js';
import { scanWriteRequest, type ScannedWrite } from '../../pdata/prw/scan.js';
import { convertV2 } from '../../pdata/prw/v2.js';
import { PrwWireError } from '../../pdata/prw/wire.js';
import { PRW_V1_PROTO, PRW_V2_PROTO } from '../../prw/codec.js';
import { SnappyError, snappyDecode, snappyUncompressedLength } from '../../prw/snappy.js';
import { SymbolError } from '../../prw/v2.js';

export type ProtoVersion = 1 | 2;

/** A request refused before it reaches the pipeline: the status and the message the client gets. */
export class RefusedRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Points the request held, when known (counted as refused). */
    readonly points = 0,
    /** Delay the client is asked to wait (429/503), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RefusedRequest';
  }
}

/**
 * Which remote-write version a Content-Type names. Remote-write 1.0 senders
 * send `application/x-protobuf` (older ones nothing at all); 2.0 adds
 * `proto=io.prometheus.write.v2.Request`. Anything else is a 415.
 */
export function protoVersion(contentType: string | undefined): ProtoVersion {
  if (contentType === undefined || contentType.trim() === '') return 1;
  const [media, ...params] = contentType.split(';');
  if (media!.trim().toLowerCase() !== 'application/x-protobuf') {
    throw new RefusedRequest(
      415,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `unsupported content type ${JSON.stringify(contentType)}: expected application/x-protobuf (remote-write 1.0) or application/x-protobuf;proto=${PRW_V2_PROTO} (2.0)`,
    );
  }
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    const proto = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (proto === PRW_V1_PROTO) return 1;
    if (proto === PRW_V2_PROTO) return 2;
    throw new RefusedRequest(
      415,
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `unsupported remote-write message ${JSON.stringify(proto)}: expected ${PRW_V1_PROTO} or ${PRW_V2_PROTO}`,
    );
  }
  return 1;
}

/** Remote-write bodies are Snappy block-compressed; a missing header means Snappy, as Prometheus assumes. */
export function checkEncoding(contentEncoding: string | undefined): void {
  if (contentEncoding === undefined) return;
  const enc = contentEncoding.trim().toLowerCase();
  if (enc === '' || enc === 'snappy') return;
  throw new RefusedRequest(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `unsupported content encoding ${JSON.stringify(contentEncoding)}: remote-write bodies are snappy`);
}

export interface ScannedBody {
  /** The request as remote-write 1.0 bytes, indexed (2.0 converted on the wire). */
  batch: EncodedPrw;
  samples: number;
  histograms: number;
  exemplars: number;
}

/**
 * Decompresses, checks and indexes a body, without decoding it (one wire
 * scan: pdata/prw/scan.ts). The Snappy header's announced length is checked
 * before anything is allocated — against max_decompressed_size (413) and
 * against what the body could expand to at most (a lying header: 400) — so
 * a small body cannot expand into a large allocation.
 */
export function scanBody(body: Uint8Array, version: ProtoVersion, maxDecompressed: number, reserve?: (bytes: number) => void): ScannedBody {
  const announced = snappyUncompressedLength(body);
  if (announced > maxDecompressed) {
    throw new RefusedRequest(
      413,
      ErrorCode.DECOMPRESSED_TOO_LARGE,
      `body decompresses to ${announced} bytes, over max_decompressed_size (${maxDecompressed})`,
    );
  }
  reserve?.(announced);
  let raw: Buffer;
  try {
    raw = snappyDecode(body, maxDecompressed);
  } catch (err) {
    throw new RefusedRequest(400, ErrorCode.DECODE, err instanceof SnappyError ? err.message : `invalid snappy block: ${(err as Error).message}`);
  }
  let scanned: ScannedWrite;
  try {
    if (version === 2) {
      const c = convertV2(raw);
      scanned = scanWriteRequest(c.raw, true);
    } else scanned = scanWriteRequest(raw, true);
  } catch (err) {
    const what = version === 2 ? PRW_V2_PROTO : 'WriteRequest';
    if (err instanceof PrwWireError) throw new RefusedRequest(400, ErrorCode.DECODE, `undecodable protobuf ${what}: ${err.message}`);
    if (err instanceof SymbolError) throw new RefusedRequest(400, ErrorCode.DECODE, err.message);
    throw err;
  }
  if (scanned.invalid) throw new RefusedRequest(400, ErrorCode.INVALID_DATA, scanned.invalid.message, scanned.samples + scanned.histograms);
  return { batch: new EncodedPrw([scanned.part]), samples: scanned.samples, histograms: scanned.histograms, exemplars: scanned.exemplars };
}
