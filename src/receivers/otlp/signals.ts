// What differs between the three OTLP signals, in one table, so the gRPC and
// HTTP servers are written once for all of them.
import type { Signal, SignalData } from '../../component/signal.js';
import { decodeJSON, decodeProto, responseToJSON } from '../../pdata/otlpjson.js';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse } from '../../pdata/proto.js';

export interface SignalSpec {
  readonly signal: Signal;
  /** Fully qualified gRPC method. */
  readonly grpcPath: string;
  /** Key of the HTTP path in the config. */
  readonly pathKey: 'traces_url_path' | 'metrics_url_path' | 'logs_url_path';
  decodeProto(bytes: Uint8Array): SignalData[Signal];
  decodeJSON(bytes: Uint8Array): SignalData[Signal];
  /** Export*ServiceResponse bytes, with partial_success when some items were rejected. */
  responseProto(rejected: number, message: string): Uint8Array;
  responseJSON(rejected: number, message: string): string;
}

type Partial3 = { rejectedSpans?: number; rejectedDataPoints?: number; rejectedLogRecords?: number; errorMessage: string };

function spec(
  signal: Signal,
  pkg: string,
  service: string,
  pathKey: SignalSpec['pathKey'],
  rejectedField: 'rejectedSpans' | 'rejectedDataPoints' | 'rejectedLogRecords',
  codec: { encode(m: any): { finish(): Uint8Array } },
): SignalSpec {
  const partial = (rejected: number, message: string): { partialSuccess: Partial3 } => ({
    partialSuccess: { [rejectedField]: rejected, errorMessage: message } as Partial3,
  });
  return {
    signal,
    grpcPath: `/opentelemetry.proto.collector.${pkg}.v1.${service}/Export`,
    pathKey,
    decodeProto: (b) => decodeProto(signal, b),
    decodeJSON: (b) => decodeJSON(signal, b),
    responseProto: (rejected, message) => codec.encode(partial(rejected, message)).finish(),
    responseJSON: (rejected, message) => JSON.stringify(responseToJSON(signal, partial(rejected, message) as any)),
  };
}

export const SIGNAL_SPECS: Readonly<Record<Signal, SignalSpec>> = {
  traces: spec('traces', 'trace', 'TraceService', 'traces_url_path', 'rejectedSpans', ExportTraceServiceResponse),
  metrics: spec('metrics', 'metrics', 'MetricsService', 'metrics_url_path', 'rejectedDataPoints', ExportMetricsServiceResponse),
  logs: spec('logs', 'logs', 'LogsService', 'logs_url_path', 'rejectedLogRecords', ExportLogsServiceResponse),
};

/** An Export*ServiceResponse without partial_success encodes to zero bytes. */
export const EMPTY_PROTO_RESPONSE = new Uint8Array(0);
export const EMPTY_JSON_RESPONSE = '{}';
