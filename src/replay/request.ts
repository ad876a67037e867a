// One request to replay, whatever it came from (a capture record of any
// receiver, or a message the kafka exporter wrote), and its decoded payload.
import type { Signal } from '../component/signal.js';
import type { CaptureRecord } from '../capture/format.js';
import { HEADER_ENCODING, HEADER_SIGNAL, HEADER_TENANT } from '../kafka/headers.js';
import { decodeJSON, decodeProto } from '../pdata/otlpjson.js';
import { decodeWriteRequest, decodeWriteV2Request, PRW_V2_PROTO } from '../prw/codec.js';
import { decompress } from './encoding.js';
import type { Payload } from './shift.js';

/** What the body is, once its Content-Encoding is undone. */
export type PayloadFormat = 'otlp_proto' | 'otlp_json' | 'prw1' | 'prw2';

export interface ReplayRequest {
  /** When it arrived (capture) or was written (Kafka), ns since the epoch. */
  arrivalNs: bigint;
  signal: Signal | undefined;
  /** Undefined when the request cannot be understood (reported, not sent). */
  format: PayloadFormat | undefined;
  body: Buffer;
  contentEncoding: string;
  tenant: string;
  headers: Record<string, string[]>;
  /** Where it came from, for messages: `file@offset` or `topic/partition@offset`. */
  origin: string;
}

const GRPC_SIGNAL: Record<string, Signal> = {
  '/opentelemetry.proto.collector.trace.v1.TraceService/Export': 'traces',
  '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export': 'metrics',
  '/opentelemetry.proto.collector.logs.v1.LogsService/Export': 'logs',
};

function first(h: Record<string, string[]>, name: string): string {
  return h[name]?.[0] ?? '';
}

function mediaType(ct: string): string {
  return ct.split(';')[0]!.trim().toLowerCase();
}

function signalOfPath(path: string): Signal | undefined {
  if (path.endsWith('/v1/traces') || path.endsWith('traces')) return 'traces';
  if (path.endsWith('/v1/metrics') || path.endsWith('metrics')) return 'metrics';
  if (path.endsWith('/v1/logs') || path.endsWith('logs')) return 'logs';
  return undefined;
}

function isSignal(s: string): s is Signal {
  return s === 'traces' || s === 'metrics' || s === 'logs';
}

/** Kafka `tollgate-encoding` header → payload format (bodies in Kafka are not compressed per message). */
export function kafkaFormat(encoding: string): PayloadFormat | undefined {
  switch (encoding) {
    case 'otlp_proto':
      return 'otlp_proto';
    case 'otlp_json':
      return 'otlp_json';
    case 'prometheus_remote_write':
      return 'prw1';
    default:
      return undefined;
  }
}

export function fromKafka(
  arrivalNs: bigint,
  headers: Record<string, string[]>,
  body: Buffer,
  origin: string,
  tenant?: string,
): ReplayRequest {
  const sig = first(headers, HEADER_SIGNAL);
  return {
    arrivalNs,
    signal: isSignal(sig) ? sig : undefined,
    format: kafkaFormat(first(headers, HEADER_ENCODING)),
    body,
    contentEncoding: '',
    tenant: tenant || first(headers, HEADER_TENANT),
    headers,
    origin,
  };
}

export function fromCapture(r: CaptureRecord, origin: string): ReplayRequest {
  const base = { arrivalNs: r.arrivalNs, body: r.body, tenant: r.tenant, headers: r.headers, origin };
  switch (r.protocol) {
    case 'otlp_http': {
      const mt = mediaType(r.contentType);
      const format = mt === 'application/json' ? 'otlp_json' : mt === 'application/x-protobuf' ? 'otlp_proto' : undefined;
      return { ...base, signal: r.signal ?? signalOfPath(r.path), format, contentEncoding: r.contentEncoding };
    }
    case 'otlp_grpc':
      return { ...base, signal: r.signal ?? GRPC_SIGNAL[r.path], format: 'otlp_proto', contentEncoding: '' };
    case 'prw': {
      const v2 = r.contentType.includes(PRW_V2_PROTO);
      return { ...base, signal: 'metrics', format: v2 ? 'prw2' : 'prw1', contentEncoding: r.contentEncoding || 'snappy' };
    }
    case 'kafka': {
      // The kafka receiver records the encoding it decoded with as the content type, and the route's signal.
      const k = fromKafka(r.arrivalNs, r.headers, r.body, origin, r.tenant);
      return { ...k, signal: k.signal ?? r.signal, format: k.format ?? kafkaFormat(r.contentType) };
    }
  }
}

export class PayloadError extends Error {
  override name = 'PayloadError';
}

/** The request's payload, decoded. Throws PayloadError when it cannot be. */
export function decodePayload(req: ReplayRequest): Payload {
  if (!req.format) throw new PayloadError(`${req.origin}: unknown payload format`);
  let raw: Buffer;
  try {
    raw = decompress(req.body, req.contentEncoding);
  } catch (e) {
    throw new PayloadError(`${req.origin}: ${(e as Error).message}`);
  }
  try {
    switch (req.format) {
      case 'prw1':
        return { kind: 'prw1', data: decodeWriteRequest(raw) };
      case 'prw2':
        return { kind: 'prw2', data: decodeWriteV2Request(raw) };
      default: {
        const signal = req.signal;
        if (!signal) throw new Error('signal unknown');
        const data = req.format === 'otlp_json' ? decodeJSON(signal, raw) : decodeProto(signal, raw);
        return { kind: 'otlp', signal, data } as Payload;
      }
    }
  } catch (e) {
    throw new PayloadError(`${req.origin}: undecodable ${req.format} payload: ${(e as Error).message}`);
  }
}
