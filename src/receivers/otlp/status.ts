// How refusals become protocol answers. One table, shared by gRPC and HTTP, so
// both transports say the same thing for the same failure.
import { ErrorCode } from '../../errors/codes.js';
import type { ConsumerError } from '../../errors/consumererror.js';
import { RpcStatus, type IProtobufAny } from '../../pdata/proto.js';

/** gRPC status codes used here (google.rpc.Code). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCode = (typeof Code)[keyof typeof Code];

/** A refusal, independent of the transport that will carry it. */
export interface Refusal {
  code: GrpcCode;
  message: string;
  /** Stable Tollgate error code (log lines, `reason` labels). */
  reason: string;
  /** Delay the client is asked to wait (throttling), in ms. */
  retryAfterMs?: number;
  /** HTTP status when it is not the one the gRPC code maps to (413 for size limits). */
  httpStatus?: number;
}

/**
 * Permanent errors whose cause is on the gateway's side, not in the request.
 * The collector answers permanent errors without a status as Internal since
 * v0.94; Tollgate does so for these, and keeps InvalidArgument (400) for the
 * rest, which are about the data itself.
 */
const SERVER_SIDE = new Set<string>([
  ErrorCode.EXPORT_PERMANENT,
  ErrorCode.EXPORT_BAD_REQUEST,
  ErrorCode.EXPORT_CONFLICT,
  ErrorCode.RETRIES_EXHAUSTED,
  ErrorCode.TOO_LARGE_ITEM,
  ErrorCode.PARTIAL_SUCCESS,
  ErrorCode.UNSUPPORTED_DATA,
  ErrorCode.QUEUE_CORRUPT,
  ErrorCode.CONFIG_INVALID,
  'TG_INTERNAL',
]);

/** The answer to a ConsumerError from the pipeline. */
export function refusalOf(err: ConsumerError): Refusal {
  const base = { message: `${err.code}: ${err.message}`, reason: err.code };
  // The next hop's own answer (an OTLP exporter's downstream status) is passed
  // through, as the collector 0.165 does: a 400 / INVALID_ARGUMENT from it is
  // answered 400 / INVALID_ARGUMENT, exhausted retries of a 503 are 503.
  if (err.grpcCode !== undefined && err.grpcCode !== Code.OK) {
    const code = err.grpcCode as GrpcCode;
    return { ...base, code, ...(err.kind === 'throttled' ? { retryAfterMs: err.retryAfterMs } : {}) };
  }
  switch (err.kind) {
    case 'throttled':
      return { ...base, code: Code.RESOURCE_EXHAUSTED, retryAfterMs: err.retryAfterMs };
    case 'retryable':
      return { ...base, code: Code.UNAVAILABLE };
    case 'permanent':
      if (err.code === ErrorCode.UNAUTHENTICATED) return { ...base, code: Code.UNAUTHENTICATED };
      return { ...base, code: SERVER_SIDE.has(err.code) ? Code.INTERNAL : Code.INVALID_ARGUMENT };
  }
}

/** gRPC code → HTTP status, as the collector's OTLP receiver (and the OTLP specification). */
export function httpStatusOf(code: GrpcCode): number {
  switch (code) {
    case Code.CANCELLED:
    case Code.DEADLINE_EXCEEDED:
    case Code.ABORTED:
    case Code.OUT_OF_RANGE:
    case Code.UNAVAILABLE:
    case Code.DATA_LOSS:
      return 503;
    case Code.RESOURCE_EXHAUSTED:
      return 429;
    case Code.INVALID_ARGUMENT:
      return 400;
    case Code.UNAUTHENTICATED:
      return 401;
    case Code.PERMISSION_DENIED:
      return 403;
    case Code.UNIMPLEMENTED:
      return 404;
    default:
      return 500;
  }
}

/**
 * Seconds of `Retry-After` on 429/503. The collector sends it only when the
 * status carries RetryInfo; Tollgate always sends it on those two statuses
 * (the design contract), using the delay downstream asked for when there is
 * one and 1 s otherwise — the OpenTelemetry SDKs' own first backoff step, and
 * the collector's exporters take the larger of it and their backoff.
 */
export const DEFAULT_RETRY_AFTER_S = 1;
export function retryAfterSeconds(r: Refusal): number {
  return r.retryAfterMs !== undefined && r.retryAfterMs > 0 ? Math.max(1, Math.ceil(r.retryAfterMs / 1000)) : DEFAULT_RETRY_AFTER_S;
}

export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** google.rpc.RetryInfo{retry_delay: google.protobuf.Duration} as protobuf bytes (two varint fields; too small for a Writer). */
export function encodeRetryInfo(delayMs: number): Uint8Array {
  const seconds = Math.floor(delayMs / 1000);
  const nanos = Math.round((delayMs - seconds * 1000) * 1e6);
  const duration: number[] = [];
  if (seconds > 0) duration.push(1 << 3, ...varint(seconds));
  if (nanos > 0) duration.push(2 << 3, ...varint(nanos));
  return Uint8Array.from([(1 << 3) | 2, ...varint(duration.length), ...duration]);
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** The details of a status: RetryInfo when the client was told how long to wait. */
export function detailsOf(r: Refusal): IProtobufAny[] {
  if (r.retryAfterMs === undefined || r.retryAfterMs <= 0) return [];
  return [{ type_url: RETRY_INFO_TYPE, value: encodeRetryInfo(r.retryAfterMs) }];
}

/** google.rpc.Status protobuf bytes (OTLP/HTTP protobuf error body, gRPC `grpc-status-details-bin`). */
export function encodeStatusProto(r: Refusal): Uint8Array {
  return RpcStatus.encode({ code: r.code, message: r.message, details: detailsOf(r) }).finish();
}

/** google.rpc.Status in the protobuf JSON mapping (Any details with "@type", Duration as "1.5s"). */
export function encodeStatusJSON(r: Refusal): string {
  const out: Record<string, unknown> = { code: r.code, message: r.message };
  if (r.retryAfterMs !== undefined && r.retryAfterMs > 0) {
    out.details = [{ '@type': RETRY_INFO_TYPE, retryDelay: `${(r.retryAfterMs / 1000).toFixed(3).replace(/\.?0+$/, '')}s` }];
  }
  return JSON.stringify(out);
}
