// Plain clients for what the SDKs will not send: hand-built requests, broken
// bodies, wrong methods. Each returns what the server answered.
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function httpRequest(url: string, opts: { method?: string; headers?: Record<string, string | number>; body?: Uint8Array | string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface GrpcAnswer {
  error: grpc.ServiceError | null;
  response: Buffer | undefined;
}

/** One unary call with raw bytes (the server decodes them; nothing is checked client-side). */
export function grpcCall(port: number, path: string, body: Uint8Array, opts: { gzip?: boolean; metadata?: Record<string, string> } = {}): Promise<GrpcAnswer> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    ...(opts.gzip ? { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip } : {}),
    // The client must not refuse large test messages itself.
    'grpc.max_send_message_length': -1,
  });
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(opts.metadata ?? {})) md.set(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      md,
      {},
      (error, response) => {
        client.close();
        resolve({ error: error ?? null, response });
      },
    );
  });
}

export const GRPC_PATHS = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
} as const;
