// What differs between the three OTLP signals, in one table, so the gRPC and
// HTTP servers are written once for all of them.
import type { Signal, SignalData } from '../../component/signal.js';
import { EncodedOtlp } from '../../pdata/encoded.js';
import { ShapeLimitError, type ShapeLimits } from '../../pdata/wire/scan.js';
import { ShapeLimitJsonError, decodeJSON, responseToJSON, type OtlpResponse } from '../../pdata/otlpjson.js';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse } from '../../pdata/proto.js';

export interface SignalSpec {
  readonly signal: Signal;
  /** Fully qualified gRPC method. */
  readonly grpcPath: string;
  /** Key of the HTTP path in the config. */
  readonly pathKey: 'traces_url_path' | 'metrics_url_path' | 'logs_url_path';
  /** Protobuf body → an encoded batch: checked and indexed in one scan, not decoded. */
  decodeProto(bytes: Uint8Array, limits?: ShapeLimits): SignalData[Signal];
  decodeJSON(bytes: Uint8Array, limits?: ShapeLimits): SignalData[Signal];
  /** Export*ServiceResponse bytes, with partial_success when some items were rejected. */
  responseProto(rejected: number, message: string): Uint8Array;
  responseJSON(rejected: number, message: string): string;
}

type ResponseCodec<R> = { encode(r: R): { finish(): Uint8Array } };

const RESPONSE: { [S in Signal]: ResponseCodec<OtlpResponse[S]> } = {
  traces: ExportTraceServiceResponse,
  metrics: ExportMetricsServiceResponse,
  logs: ExportLogsServiceResponse,
};

/** The response naming how many items were rejected and why. */
const PARTIAL: { [S in Signal]: (rejected: number, errorMessage: string) => OtlpResponse[S] } = {
  traces: (rejectedSpans, errorMessage) => ({ partialSuccess: { rejectedSpans, errorMessage } }),
  metrics: (rejectedDataPoints, errorMessage) => ({ partialSuccess: { rejectedDataPoints, errorMessage } }),
  logs: (rejectedLogRecords, errorMessage) => ({ partialSuccess: { rejectedLogRecords, errorMessage } }),
};

function spec<S extends Signal>(signal: S, pkg: string, service: string, pathKey: SignalSpec['pathKey']): SignalSpec {
  return {
    signal,
    grpcPath: `/opentelemetry.proto.collector.${pkg}.v1.${service}/Export`,
    pathKey,
    decodeProto: (b, limits) => EncodedOtlp.scan(signal, b, limits) as SignalData[S],
    decodeJSON: (b, limits) => decodeJSON(signal, b, limits),
    responseProto: (rejected, message) => RESPONSE[signal].encode(PARTIAL[signal](rejected, message)).finish(),
    responseJSON: (rejected, message) => JSON.stringify(responseToJSON(signal, PARTIAL[signal](rejected, message))),
  };
}

export const SIGNAL_SPECS: Readonly<Record<Signal, SignalSpec>> = {
  traces: spec('traces', 'trace', 'TraceService', 'traces_url_path'),
  metrics: spec('metrics', 'metrics', 'MetricsService', 'metrics_url_path'),
  logs: spec('logs', 'logs', 'LogsService', 'logs_url_path'),
};

/** An Export*ServiceResponse without partial_success encodes to zero bytes. */
export const EMPTY_PROTO_RESPONSE = new Uint8Array(0);
export const EMPTY_JSON_RESPONSE = '{}';

/** The refusal reason of a decode error: TG_SHAPE_LIMIT past a shape limit, else TG_DECODE. */
export function decodeReason(e: unknown): 'TG_SHAPE_LIMIT' | 'TG_DECODE' {
  return e instanceof ShapeLimitJsonError || (e instanceof Error && e.cause instanceof ShapeLimitError) ? 'TG_SHAPE_LIMIT' : 'TG_DECODE';
}
