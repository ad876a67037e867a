// The OpenTelemetry JS SDK's own OTLP/HTTP exporters (protobuf and JSON) are
// an independent implementation of the wire formats: what they send must
// decode here to exactly what the SDK recorded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { SpanKind as ApiSpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { countItems } from '../../src/pdata/count.js';
import { decodeJSON, decodeProto, logsToJSON, metricsToJSON, tracesToJSON } from '../../src/pdata/otlpjson.js';
import type { Signal } from '../../src/pdata/signal.js';
import type { IKeyValue, Logs, Metrics, Traces } from '../../src/pdata/proto.js';

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

let server: Server;
let base = '';
const received: Received[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const contentType = String(req.headers['content-type'] ?? '');
      received.push({ path: req.url ?? '', contentType, body });
      // An empty Export*ServiceResponse: full success.
      const json = contentType.startsWith('application/json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Decodes the one request the exporter just sent, by its content type. */
function take<S extends Signal>(signal: S, path: string): ReturnType<typeof decodeProto<S>> {
  const i = received.findIndex((r) => r.path === path);
  assert.ok(i >= 0, `no request on ${path}`);
  const [r] = received.splice(i, 1);
  if (r!.contentType.startsWith('application/json')) return decodeJSON(signal, r!.body);
  assert.equal(r!.contentType, 'application/x-protobuf');
  return decodeProto(signal, r!.body);
}

const nanos = (t: readonly [number, number]): string => (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
const attr = (list: IKeyValue[] | null | undefined, key: string) => list?.find((a) => a.key === key)?.value;

for (const encoding of ['protobuf', 'json'] as const) {
  describe(`OpenTelemetry JS exporters, OTLP/HTTP ${encoding}`, () => {
    it('traces decode to what the SDK recorded', async () => {
      const url = `${base}/v1/traces`;
      const exporter = encoding === 'protobuf' ? new ProtoTraceExporter({ url }) : new JsonTraceExporter({ url });
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory), new SimpleSpanProcessor(exporter)] });
      const tracer = provider.getTracer('interop', '1.0.0');
      const parent = tracer.startSpan('chat', {
        kind: ApiSpanKind.CLIENT,
        attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1234, ratio: 0.25, stream: true, tags: ['a', 'b'] },
      });
      parent.addEvent('first_token', { index: 1 });
      parent.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      parent.end();
      await provider.forceFlush();
      const sdk: ReadableSpan = memory.getFinishedSpans()[0]!; // before shutdown clears it
      await provider.shutdown();

      const t: Traces = take('traces', '/v1/traces');
      assert.equal(countItems('traces', t), 1);
      const span = t.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
      assert.equal(t.resourceSpans![0]!.scopeSpans![0]!.scope!.name, 'interop');
      assert.equal(span.name, 'chat');
      assert.equal(span.kind, 3); // SPAN_KIND_CLIENT
      assert.equal(Buffer.from(span.traceId!).toString('hex'), sdk.spanContext().traceId);
      assert.equal(Buffer.from(span.spanId!).toString('hex'), sdk.spanContext().spanId);
      assert.equal(span.startTimeUnixNano!.toString(), nanos(sdk.startTime));
      assert.equal(span.endTimeUnixNano!.toString(), nanos(sdk.endTime));
      assert.equal(attr(span.attributes, 'gen_ai.request.model')?.stringValue, 'gpt-4o');
      assert.equal(attr(span.attributes, 'gen_ai.usage.input_tokens')?.intValue?.toString(), '1234');
      assert.equal(attr(span.attributes, 'ratio')?.doubleValue, 0.25);
      assert.equal(attr(span.attributes, 'stream')?.boolValue, true);
      assert.deepEqual(attr(span.attributes, 'tags')?.arrayValue?.values?.map((v) => v.stringValue), ['a', 'b']);
      assert.equal(span.events![0]!.name, 'first_token');
      assert.equal(span.events![0]!.timeUnixNano!.toString(), nanos(sdk.events[0]!.time));
      assert.equal(span.status!.code, 2);
      assert.equal(span.status!.message, 'boom');
      // And it re-encodes as canonical OTLP JSON.
      const json = tracesToJSON(t) as any;
      assert.equal(json.resourceSpans[0].scopeSpans[0].spans[0].traceId, sdk.spanContext().traceId);
    });

    it('logs decode to what the SDK emitted', async () => {
      const url = `${base}/v1/logs`;
      const exporter = encoding === 'protobuf' ? new ProtoLogExporter({ url }) : new JsonLogExporter({ url });
      const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
      provider.getLogger('interop').emit({
        severityNumber: 17,
        severityText: 'ERROR',
        body: { message: 'upstream 503', retries: 2 },
        attributes: { 'http.response.status_code': 503 },
        timestamp: [1700000000, 123456789],
      });
      await provider.forceFlush();
      await provider.shutdown();

      const l: Logs = take('logs', '/v1/logs');
      assert.equal(countItems('logs', l), 1);
      const rec = l.resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!;
      assert.equal(rec.timeUnixNano!.toString(), '1700000000123456789');
      assert.equal(rec.severityNumber, 17);
      assert.equal(rec.severityText, 'ERROR');
      assert.equal(attr(rec.body!.kvlistValue!.values, 'message')?.stringValue, 'upstream 503');
      assert.equal(attr(rec.body!.kvlistValue!.values, 'retries')?.intValue?.toString(), '2');
      assert.equal(attr(rec.attributes, 'http.response.status_code')?.intValue?.toString(), '503');
      assert.ok(logsToJSON(l));
    });

    it('metrics decode to what the SDK aggregated', async () => {
      const url = `${base}/v1/metrics`;
      const exporter = encoding === 'protobuf' ? new ProtoMetricExporter({ url }) : new JsonMetricExporter({ url });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({ readers: [reader] });
      const meter = provider.getMeter('interop');
      meter.createCounter('tokens', { unit: '{token}' }).add(5, { model: 'm' });
      const h = meter.createHistogram('latency', { unit: 's' });
      h.record(0.5);
      h.record(3);
      meter.createGauge('queue').record(-4);
      await provider.forceFlush();
      await provider.shutdown();

      const m: Metrics = take('metrics', '/v1/metrics');
      const metrics = m.resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
      const byName = new Map(metrics.map((x) => [x.name, x]));
      const sum = byName.get('tokens')!.sum!;
      assert.equal(sum.isMonotonic, true);
      assert.equal(sum.aggregationTemporality, 2); // cumulative
      assert.equal(sum.dataPoints![0]!.asDouble, 5);
      assert.equal(attr(sum.dataPoints![0]!.attributes, 'model')?.stringValue, 'm');
      const hist = byName.get('latency')!.histogram!.dataPoints![0]!;
      assert.equal(hist.count!.toString(), '2');
      assert.equal(hist.sum, 3.5);
      assert.equal(hist.min, 0.5);
      assert.equal(hist.max, 3);
      assert.equal(hist.bucketCounts!.length, hist.explicitBounds!.length + 1);
      assert.equal(hist.bucketCounts!.reduce((a: bigint, c) => a + BigInt(c.toString()), 0n), 2n);
      const gauge = byName.get('queue')!.gauge!.dataPoints![0]!;
      assert.equal(gauge.asDouble, -4);
      assert.equal(countItems('metrics', m), 3);
      assert.ok(metricsToJSON(m));
    });
  });
}
