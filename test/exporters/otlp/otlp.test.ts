// The otlp (gRPC) exporter against a scripted @grpc/grpc-js server: a
// stand-in for a backend that answers with chosen gRPC statuses, which no
// real receiver can be made to do on demand. Forwarding to a real Tollgate
// is covered by forward.test.ts, TLS by tls.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttp2Server } from 'node:http2';
import { gunzipSync } from 'node:zlib';
import { Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { otlpExporterFactory } from '../../../src/exporters/otlp/factory.js';
import { grpcError } from '../../../src/exporters/otlp/grpcstatus.js';
import { grpcTarget } from '../../../src/exporters/otlp/grpc.js';
import type { OtlpGrpcConfig } from '../../../src/exporters/otlp/config.js';
import { validateAgainst } from '../../../src/config/validate.js';
import type { ConsumerError } from '../../../src/errors/consumererror.js';
import { decodeJSON, decodeProto, encodeJSON } from '../../../src/pdata/otlpjson.js';
import { ExportTraceServiceResponse, RpcStatus } from '../../../src/pdata/proto.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { metricValue } from '../../helpers/telemetry.js';
import { closeServer, listen } from '../../../src/util/endpoint.js';

const HOST = { health: () => 'ok' as const };
const traces = () => decodeJSON('traces', readFileSync(new URL('../../../../test/fixtures/otlp/traces.json', import.meta.url), 'utf8'));
const spanCount = (t: any) => t.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)).length;

/** google.rpc.RetryInfo{retry_delay: {seconds, nanos}} bytes. */
function retryInfo(seconds: number, nanos: number): Uint8Array {
  const dur = [0x08, seconds, 0x10, ...varint(nanos)];
  return Uint8Array.from([0x0a, dur.length, ...dur]);
}
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
function statusDetails(delay?: [number, number]): Metadata {
  const md = new Metadata();
  const details = delay ? [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo(...delay) }] : [];
  md.set('grpc-status-details-bin', Buffer.from(RpcStatus.encode({ code: 8, message: 'slow down', details }).finish()));
  return md;
}

type Answer = { err: Partial<ServiceError> } | { resp: Uint8Array };
interface Call {
  body: Buffer;
  metadata: Metadata;
}

async function scriptedGrpc(answers: Answer[]) {
  const calls: Call[] = [];
  const server = new Server();
  server.register(
    '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    (call: any, cb: any) => {
      calls.push({ body: call.request, metadata: call.metadata });
      const a = answers.shift() ?? { resp: new Uint8Array(0) };
      if ('err' in a) cb(a.err);
      else cb(null, Buffer.from(a.resp));
    },
    (resp: Buffer) => resp,
    (b: Buffer) => b,
    'unary',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  after(() => server.forceShutdown());
  return { calls, port };
}

function config(raw: Record<string, unknown>): OtlpGrpcConfig {
  const cfg: any = { ...raw };
  assert.deepEqual(validateAgainst(otlpExporterFactory.schema, cfg, 'exporters.otlp'), []);
  return cfg;
}

function make(cfg: OtlpGrpcConfig) {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const exp = otlpExporterFactory.create.traces!({ id: 'otlp', kind: 'exporter', logger: silentLogger(), telemetry }, cfg);
  return { exp, telemetry };
}

const base = (port: number) => ({
  endpoint: `127.0.0.1:${port}`,
  tls: { insecure: true },
  sending_queue: { enabled: false },
  retry_on_failure: { initial_interval: '10ms', max_interval: '10ms', randomization_factor: 0 },
});

test('defaults: the collector otlp exporter defaults (gzip, 5s timeout, TLS on)', () => {
  const cfg: any = { endpoint: 'backend:4317' };
  validateAgainst(otlpExporterFactory.schema, cfg, 'x');
  assert.equal(cfg.compression, 'gzip');
  assert.equal(cfg.timeout, '5s');
  assert.deepEqual(validateAgainst(otlpExporterFactory.schema, {}, 'exporters.otlp'), ['exporters.otlp.endpoint: required']);
  assert.deepEqual(grpcTarget('backend:4317', false), { target: 'backend:4317', secure: true });
  assert.deepEqual(grpcTarget('backend:4317', true), { target: 'backend:4317', secure: false });
  assert.deepEqual(grpcTarget('http://backend:4317', false), { target: 'backend:4317', secure: false });
  assert.deepEqual(grpcTarget('https://backend:4317/', true), { target: 'backend:4317', secure: true });
});

test('status mapping follows the OTLP/gRPC specification', () => {
  const of = (code: number, md?: Metadata) => {
    const e = grpcError({ code, details: 'x', metadata: md ?? new Metadata(), message: 'x', name: 'Error' } as ServiceError, 't');
    return [e.kind, e.retryAfterMs];
  };
  for (const c of [status.CANCELLED, status.DEADLINE_EXCEEDED, status.ABORTED, status.OUT_OF_RANGE, status.UNAVAILABLE, status.DATA_LOSS]) {
    assert.deepEqual(of(c), ['retryable', undefined], status[c]);
  }
  for (const c of [status.INVALID_ARGUMENT, status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.INTERNAL, status.UNIMPLEMENTED, status.UNKNOWN]) {
    assert.deepEqual(of(c), ['permanent', undefined], status[c]);
  }
  assert.deepEqual(of(status.RESOURCE_EXHAUSTED), ['permanent', undefined], 'RESOURCE_EXHAUSTED without RetryInfo');
  assert.deepEqual(of(status.RESOURCE_EXHAUSTED, statusDetails([2, 500_000_000])), ['throttled', 2500]);
  assert.deepEqual(of(status.UNAVAILABLE, statusDetails([1, 0])), ['throttled', 1000]);
});

test('sends Export calls with headers as metadata; partial_success is counted as dropped', async () => {
  const partial = ExportTraceServiceResponse.encode({ partialSuccess: { rejectedSpans: 1, errorMessage: 'one span too old' } }).finish();
  const srv = await scriptedGrpc([{ resp: partial }]);
  const { exp, telemetry } = make(config({ ...base(srv.port), headers: { 'x-tenant': 'acme' } }));
  await exp.start(HOST);
  await exp.consume(traces(), {});
  await exp.shutdown();
  const [call] = srv.calls;
  assert.equal(encodeJSON('traces', decodeProto('traces', call!.body)), encodeJSON('traces', traces()));
  assert.deepEqual(call!.metadata.get('x-tenant'), ['acme']);
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'otlp', otel_signal: 'traces', reason: 'TG_PARTIAL_SUCCESS' }), 1);
  assert.equal(await metricValue(telemetry, 'otelcol_exporter_sent_spans', { exporter: 'otlp' }), spanCount(traces()) - 1);
});

test('UNAVAILABLE and RESOURCE_EXHAUSTED with RetryInfo are retried; INVALID_ARGUMENT is permanent', async () => {
  const srv = await scriptedGrpc([
    { err: { code: status.UNAVAILABLE, details: 'restarting' } },
    { err: { code: status.RESOURCE_EXHAUSTED, details: 'slow down', metadata: statusDetails([0, 20_000_000]) } },
    { err: { code: status.INVALID_ARGUMENT, details: 'bad span' } },
  ]);
  const { exp } = make(config({ ...base(srv.port), compression: 'none' }));
  await exp.start(HOST);
  await assert.rejects(exp.consume(traces(), {}), (e: ConsumerError) => e.kind === 'permanent' && /INVALID_ARGUMENT .*bad span/.test(e.message));
  await exp.shutdown();
  assert.equal(srv.calls.length, 3);
});

test('RESOURCE_EXHAUSTED without RetryInfo is not retried', async () => {
  const srv = await scriptedGrpc([{ err: { code: status.RESOURCE_EXHAUSTED, details: 'quota' } }]);
  const { exp } = make(config(base(srv.port)));
  await exp.start(HOST);
  await assert.rejects(exp.consume(traces(), {}), (e: ConsumerError) => e.kind === 'permanent');
  await exp.shutdown();
  assert.equal(srv.calls.length, 1);
});

test('a send that outlives the timeout is cancelled and retried', async () => {
  // The first call is never answered: the client's 400ms timeout cancels it; the second is answered
  // (at once: the timeout is long enough for that on a loaded machine, where 100ms was not).
  const server = new Server();
  const calls: number[] = [];
  server.register(
    '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    (_call: any, cb: any) => {
      calls.push(1);
      if (calls.length > 1) cb(null, Buffer.alloc(0));
    },
    (r: Buffer) => r,
    (b: Buffer) => b,
    'unary',
  );
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  after(() => server.forceShutdown());
  const { exp } = make(config({ ...base(port), timeout: '400ms' }));
  await exp.start(HOST);
  await exp.consume(traces(), {});
  await exp.shutdown();
  assert.equal(calls.length, 2);
});

/**
 * What reaches the wire: a bare HTTP/2 server (grpc-js hides the encoding
 * from handlers) that reads the gRPC message prefix — its first byte is 1
 * when the message is compressed — and answers OK.
 */
async function wireServer() {
  const seen: Array<{ encoding: string | undefined; compressedFlag: number; message: Buffer }> = [];
  const server = createHttp2Server();
  server.on('stream', (stream, headers) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(parts);
      seen.push({ encoding: headers['grpc-encoding'] as string | undefined, compressedFlag: body[0]!, message: body.subarray(5) });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  const { port } = await listen(server, '127.0.0.1:0', 'wire server');
  after(() => closeServer(server, 100));
  return { seen, port };
}

test('compression gzip (default) compresses each message on the wire; none does not', async () => {
  for (const compression of ['gzip', 'none'] as const) {
    const wire = await wireServer();
    const { exp } = make(config({ ...base(wire.port), compression }));
    await exp.start(HOST);
    await exp.consume(traces(), {});
    await exp.shutdown();
    const [m] = wire.seen;
    if (compression === 'gzip') {
      assert.equal(m!.encoding, 'gzip');
      assert.equal(m!.compressedFlag, 1);
      assert.equal(encodeJSON('traces', decodeProto('traces', gunzipSync(m!.message))), encodeJSON('traces', traces()));
    } else {
      assert.equal(m!.compressedFlag, 0);
      assert.equal(encodeJSON('traces', decodeProto('traces', m!.message)), encodeJSON('traces', traces()));
    }
  }
});
