// Sending OTLP over gRPC, by the OTLP/gRPC rules: CANCELLED,
// DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are
// retried; RESOURCE_EXHAUSTED only when the server sent RetryInfo (whose
// delay is honoured); every other code is a refusal.
import * as grpc from '@grpc/grpc-js';
import { decodeRpcStatus, retryDelayOf } from '../exporters/otlp/response.js';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse, int64ToNumber, type Int64 } from '../pdata/proto.js';
import type { SendResult, Sender } from './http.js';
import type { Prepared } from './prepare.js';

const METHOD = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
} as const;
const RESPONSE = { traces: ExportTraceServiceResponse, metrics: ExportMetricsServiceResponse, logs: ExportLogsServiceResponse } as const;
const REJECTED_FIELD = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' } as const;
const RETRYABLE = new Set<number>([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);
const identity = (b: Buffer): Buffer => b;

export interface GrpcSenderOptions {
  /** host:port */
  address: string;
  tls: boolean;
  headers: Record<string, string>;
  tenantHeader: string;
  timeoutMs: number;
}

export class GrpcSender implements Sender {
  readonly description: string;
  private readonly client: grpc.Client;

  constructor(private readonly o: GrpcSenderOptions) {
    this.client = new grpc.Client(o.address, o.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    });
    this.description = `OTLP/gRPC ${o.tls ? 'grpcs' : 'grpc'}://${o.address}`;
  }

  send(p: Prepared): Promise<SendResult> {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.o.headers)) md.set(k, v);
    if (this.o.tenantHeader && p.tenant) md.set(this.o.tenantHeader, p.tenant);
    const signal = p.signal;
    return new Promise((resolve) => {
      this.client.makeUnaryRequest<Buffer, Buffer>(
        METHOD[signal],
        identity,
        identity,
        p.body,
        md,
        { deadline: Date.now() + this.o.timeoutMs },
        (err, res) => {
          if (!err) {
            let rejected = 0;
            try {
              const r = RESPONSE[signal].decode(res ?? Buffer.alloc(0)) as { partialSuccess?: Record<string, unknown> | null };
              rejected = int64ToNumber(r.partialSuccess?.[REJECTED_FIELD[signal]] as Int64 | undefined);
            } catch {
              // an unreadable response still means accepted
            }
            return resolve({ ok: true, status: 'OK', rejected });
          }
          const name = grpc.status[err.code] ?? String(err.code);
          const bin = err.metadata?.get('grpc-status-details-bin')[0];
          const delay = Buffer.isBuffer(bin) ? retryDelayOf(decodeRpcStatus(bin)) : undefined;
          const retryable = RETRYABLE.has(err.code) || (err.code === grpc.status.RESOURCE_EXHAUSTED && delay !== undefined);
          resolve({
            ok: false,
            status: name,
            retryable,
            ...(delay !== undefined ? { retryAfterMs: delay } : {}),
            message: `${this.description}: ${name}: ${err.details || err.message}`,
          });
        },
      );
    });
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
