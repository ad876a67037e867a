// The otlphttp exporter against a scripted HTTP server: a stand-in for a
// backend that answers with chosen statuses, which no real receiver can be
// made to do on demand. Successful forwarding to a real Tollgate is covered
// by test/exporters/otlp/forward.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { otlpHttpExporterFactory } from '../../../src/exporters/otlphttp/factory.js';
import { httpError } from '../../../src/exporters/otlphttp/httpstatus.js';
import { parseRetryAfter } from '../../../src/util/retryafter.js';
import type { OtlpHttpConfig } from '../../../src/exporters/otlphttp/config.js';
import { validateAgainst } from '../../../src/config/validate.js';
import type { ConsumerError } from '../../../src/errors/consumererror.js';
import { decodeJSON, decodeProto, encodeJSON } from '../../../src/pdata/otlpjson.js';
import { ExportTraceServiceResponse, RpcStatus } from '../../../src/pdata/proto.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { closeServer, listen } from '../../../src/util/endpoint.js';
import { metricValue } from '../../helpers/telemetry.js';
import { validConfig } from '../../helpers/validconfig.js';

const HOST = { health: () => 'ok' as const };
const traces = () => decodeJSON('traces', readFileSync(new URL('../../../../test/fixtures/otlp/traces.json', import.meta.url), 'utf8'));
const spanCount = (t: any) => t.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)).length;

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
type Answer = (res: ServerResponse) => void;

async function scriptedServer(answers: Answer[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) });
      (answers.shift() ?? ((r) => r.writeHead(200).end()))(res);
    });
  });
  const { port } = await listen(server, '127.0.0.1:0', 'test server');
  after(() => closeServer(server, 100));
  return { seen, port };
}

function config(raw: Record<string, unknown>): OtlpHttpConfig {
  const cfg: any = { ...raw };
  assert.deepEqual(validateAgainst(otlpHttpExporterFactory.schema, cfg, 'exporters.otlphttp'), []);
  assert.deepEqual(otlpHttpExporterFactory.validate!(cfg), []);
  return cfg;
}

function make(cfg: OtlpHttpConfig) {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const exp = otlpHttpExporterFactory.create.traces!({ id: 'otlphttp', kind: 'exporter', logger: silentLogger(), telemetry }, cfg);
  return { exp, telemetry };
}

const noQueue = { sending_queue: { enabled: false } };
const quickRetry = { retry_on_failure: { initial_interval: '10ms', max_interval: '10ms', randomization_factor: 0 } };

test('defaults: the collector otlphttp defaults; an endpoint is required and must be a URL', () => {
  const cfg: any = { endpoint: 'http://h:4318' };
  validateAgainst(otlpHttpExporterFactory.schema, cfg, 'x');
  assert.equal(cfg.compression, 'gzip');
  assert.equal(cfg.encoding, 'proto');
  assert.equal(cfg.timeout, '30s');
  assert.deepEqual(cfg.sending_queue, { enabled: true, num_consumers: 10, queue_size: 1000, sizer: 'requests', block_on_overflow: false, wait_for_result: false });
  assert.deepEqual(cfg.retry_on_failure, { enabled: true, initial_interval: '5s', randomization_factor: 0.5, multiplier: 1.5, max_interval: '30s', max_elapsed_time: '300s' });
  assert.deepEqual(otlpHttpExporterFactory.validate?.(validConfig(otlpHttpExporterFactory.schema, {})), ['endpoint: required (or traces_endpoint, metrics_endpoint and logs_endpoint)']);
  assert.deepEqual(otlpHttpExporterFactory.validate?.(validConfig(otlpHttpExporterFactory.schema, { endpoint: 'h:4318' })), ['endpoint: scheme must be http or https, not h']);
});

test('status mapping follows the OTLP/HTTP specification', () => {
  const kind = (s: number, ra?: string) => {
    const e = httpError(s, 'u', undefined, ra);
    return [e.kind, e.retryAfterMs];
  };
  assert.deepEqual(kind(400), ['permanent', undefined]);
  assert.deepEqual(kind(401), ['permanent', undefined]);
  assert.deepEqual(kind(413), ['permanent', undefined]);
  assert.deepEqual(kind(500), ['permanent', undefined]);
  assert.deepEqual(kind(429), ['retryable', undefined]);
  assert.deepEqual(kind(502), ['retryable', undefined]);
  assert.deepEqual(kind(503, '7'), ['throttled', 7000]);
  assert.deepEqual(kind(504), ['retryable', undefined]);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
  assert.equal(parseRetryAfter('soon'), undefined);
});

test('posts gzipped protobuf to <endpoint>/v1/traces with the configured headers', async () => {
  const srv = await scriptedServer([]);
  const { exp, telemetry } = make(config({ endpoint: `http://127.0.0.1:${srv.port}/`, headers: { 'x-tenant': 'acme' }, ...noQueue }));
  await exp.start(HOST);
  await exp.consume(traces(), {});
  await exp.shutdown();
  const [req] = srv.seen;
  assert.equal(req!.path, '/v1/traces');
  assert.equal(req!.headers['content-type'], 'application/x-protobuf');
  assert.equal(req!.headers['content-encoding'], 'gzip');
  assert.equal(req!.headers['x-tenant'], 'acme');
  assert.equal(encodeJSON('traces', decodeProto('traces', gunzipSync(req!.body))), encodeJSON('traces', traces()));
  assert.equal(await metricValue(telemetry, 'otelcol_exporter_sent_spans', { exporter: 'otlphttp' }), spanCount(traces()));
});

test('encoding json without compression, to traces_endpoint', async () => {
  const srv = await scriptedServer([]);
  const { exp } = make(config({ traces_endpoint: `http://127.0.0.1:${srv.port}/custom/path`, encoding: 'json', compression: 'none', ...noQueue }));
  await exp.start(HOST);
  await exp.consume(traces(), {});
  await exp.shutdown();
  const [req] = srv.seen;
  assert.equal(req!.path, '/custom/path');
  assert.equal(req!.headers['content-type'], 'application/json');
  assert.equal(req!.headers['content-encoding'], undefined);
  assert.equal(encodeJSON('traces', decodeJSON('traces', req!.body.toString('utf8'))), encodeJSON('traces', traces()));
});

test('429 with Retry-After is retried after the delay; partial_success is counted as dropped', async () => {
  const partial = Buffer.from(ExportTraceServiceResponse.encode({ partialSuccess: { rejectedSpans: 2, errorMessage: 'spans without a name' } }).finish());
  const srv = await scriptedServer([
    (res) => res.writeHead(429, { 'retry-after': '1' }).end(),
    (res) => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(partial),
  ]);
  const { exp, telemetry } = make(config({ endpoint: `http://127.0.0.1:${srv.port}`, ...noQueue, ...quickRetry }));
  await exp.start(HOST);
  await exp.consume(traces(), {});
  await exp.shutdown();
  assert.equal(srv.seen.length, 2);
  const n = spanCount(traces());
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'otlphttp', otel_signal: 'traces', reason: 'TG_PARTIAL_SUCCESS' }), 2);
  assert.equal(await metricValue(telemetry, 'otelcol_exporter_sent_spans', { exporter: 'otlphttp' }), n - 2);
});

test('502/503/504 are retried; 400 is permanent, with the google.rpc.Status message in the error', async () => {
  const status = Buffer.from(RpcStatus.encode({ code: 3, message: 'span 7: invalid trace id' }).finish());
  const srv = await scriptedServer([
    (res) => res.writeHead(502).end(),
    (res) => res.writeHead(503).end(),
    (res) => res.writeHead(504).end(),
    (res) => res.writeHead(400, { 'content-type': 'application/x-protobuf' }).end(status),
  ]);
  const { exp } = make(config({ endpoint: `http://127.0.0.1:${srv.port}`, ...noQueue, ...quickRetry }));
  await exp.start(HOST);
  await assert.rejects(
    exp.consume(traces(), {}),
    (e: ConsumerError) => e.kind === 'permanent' && e.status === 400 && /HTTP 400 .*span 7: invalid trace id/.test(e.message),
  );
  await exp.shutdown();
  assert.equal(srv.seen.length, 4);
});

test('queued: a permanent refusal is dropped and counted', async () => {
  const srv = await scriptedServer([(res) => res.writeHead(400).end('bad')]);
  const { exp, telemetry } = make(config({ endpoint: `http://127.0.0.1:${srv.port}`, ...quickRetry }));
  await exp.start(HOST);
  await exp.consume(traces(), {}); // resolves once queued
  await exp.shutdown(); // drains
  assert.equal(
    await metricValue(telemetry, 'tollgate_dropped_items', { component: 'otlphttp', otel_signal: 'traces', reason: 'TG_EXPORT_PERMANENT' }),
    spanCount(traces()),
  );
});

test('remote-write metrics are refused as unsupported (counted), not silently lost', async () => {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const exp = otlpHttpExporterFactory.create.metrics!({ id: 'otlphttp', kind: 'exporter', logger: silentLogger(), telemetry }, config({ endpoint: 'http://127.0.0.1:1' }));
  await exp.start(HOST);
  await exp.consume({ format: 'prw', request: { timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1 }] }] } }, {});
  await exp.shutdown();
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'otlphttp', otel_signal: 'metrics', reason: 'TG_UNSUPPORTED_DATA' }), 1);
});
