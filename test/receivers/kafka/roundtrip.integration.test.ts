// Two gateways and a real broker: A (OTLP + remote-write in → kafka exporter)
// writes every signal to Kafka; B (kafka receiver → file exporter) reads it
// back. B's files must hold exactly what the SDK and the remote-write client
// sent, and the remote-write tenant must travel through Kafka into B.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { WriteRequest, type PromWrite } from '../../../src/pdata/proto.js';
import { snappyEncode } from '../../../src/prw/snappy.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { readTopics, uniqueTopic, useKafka, waitFor, type KafkaUnderTest, type ReadRecord } from '../../helpers/kafka.js';
import { exportOk, logExporter, metricExporter, traceExporter } from '../../helpers/otlp-sdk.js';
import { freePort } from '../../helpers/ports.js';
import { readFileOut, type FileOut } from '../../kafka/fileout.js';
import { diff, otlpLogs, otlpPoints, otlpSpans, sdkLogs, sdkPoints, sdkSpans } from '../../kafka/normalize.js';
import { makeLogs, makeMetrics, makeSpans } from '../../kafka/sdkdata.js';

let kafka: KafkaUnderTest;
let a: Service | undefined;
let b: Service | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-rt-'));
const files = { traces: join(dir, 'traces.jsonl'), metrics: join(dir, 'metrics.jsonl'), logs: join(dir, 'logs.jsonl') };
let spans: ReadableSpan[];
let metrics: ResourceMetrics;
let logs: ReadableLogRecord[];
let prw: PromWrite;
let out: FileOut;
let echoed: ReadRecord[] = [];

function promRequest(): PromWrite {
  return {
    timeseries: Array.from({ length: 25 }, (_, i) => ({
      labels: [
        { name: '__name__', value: i % 2 ? 'vllm:num_requests_running' : 'DCGM_FI_DEV_GPU_UTIL' },
        { name: 'gpu', value: String(i % 8) },
        { name: 'instance', value: `node-${i % 3}:9400` },
        { name: 'job', value: 'dcgm' },
      ],
      samples: Array.from({ length: 4 }, (_, k) => ({ value: i * 10 + k + 0.25, timestamp: 1_700_000_000_000 + k * 15_000 })),
    })),
  };
}

function promLines(reqs: readonly FileOut['prw'][number][]): string[] {
  const outl: string[] = [];
  for (const w of reqs) {
    for (const ts of w.timeseries ?? []) {
      const labels = (ts.labels ?? []).map((l) => `${l.name}=${l.value}`).join(',');
      for (const s of ts.samples ?? []) outl.push(`${labels} ${Number(s.value)} ${String(s.timestamp)}`);
    }
  }
  return outl;
}

function sentPromLines(w: PromWrite): string[] {
  return promLines([{ timeseries: (w.timeseries ?? []).map((ts) => ({ labels: ts.labels as never, samples: (ts.samples ?? []).map((s) => ({ value: s.value!, timestamp: String(s.timestamp) })) })) }]);
}

before(async () => {
  kafka = await useKafka();
  const base = uniqueTopic('roundtrip');
  const topics = { traces: `${base}-spans`, metrics: `${base}-metrics`, logs: `${base}-logs` };
  const echoTopic = `${base}-echo`;
  const otlpPort = await freePort();
  const prwPort = await freePort();

  a = new Service(
    {
      receivers: {
        otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } },
        prometheusremotewrite: { endpoint: `127.0.0.1:${prwPort}` },
      },
      exporters: {
        kafka: { brokers: kafka.brokers, traces: { topic: topics.traces }, metrics: { topic: topics.metrics }, logs: { topic: topics.logs }, producer: { compression: 'snappy' } },
      },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          traces: { receivers: ['otlp'], exporters: ['kafka'] },
          metrics: { receivers: ['otlp', 'prometheusremotewrite'], exporters: ['kafka'] },
          logs: { receivers: ['otlp'], exporters: ['kafka'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  b = new Service(
    {
      receivers: {
        kafka: {
          brokers: kafka.brokers,
          group_id: uniqueTopic('rt-group'),
          initial_offset: 'earliest',
          traces: { topics: [topics.traces] },
          metrics: { topics: [topics.metrics] },
          logs: { topics: [topics.logs] },
          session_timeout: '6s',
          heartbeat_interval: '1s',
        },
      },
      exporters: {
        'file/traces': { path: files.traces },
        'file/metrics': { path: files.metrics },
        'file/logs': { path: files.logs },
        // Written again by B: shows the tenant B received with each record.
        'kafka/echo': { brokers: kafka.brokers, metrics: { topic: echoTopic } },
      },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          traces: { receivers: ['kafka'], exporters: ['file/traces'] },
          metrics: { receivers: ['kafka'], exporters: ['file/metrics', 'kafka/echo'] },
          logs: { receivers: ['kafka'], exporters: ['file/logs'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  await a.start();
  await b.start();

  spans = makeSpans();
  metrics = await makeMetrics();
  logs = makeLogs();
  prw = promRequest();
  const target = { grpcPort: 0, httpPort: otlpPort };
  const te = traceExporter('http/protobuf', target);
  const me = metricExporter('http/json', target);
  const le = logExporter('http/protobuf', target);
  await exportOk(te, spans);
  await exportOk(me, metrics);
  await exportOk(le, logs);
  await Promise.all([te.shutdown(), me.shutdown(), le.shutdown()]);
  const res = await fetch(`http://127.0.0.1:${prwPort}/api/v1/receive`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'THANOS-TENANT': 'team-a' },
    body: snappyEncode(WriteRequest.encode(prw).finish()),
  });
  assert.equal(res.status, 200, await res.text());

  const want = { spans: sdkSpans(spans).length, points: sdkPoints([metrics]).length, logs: sdkLogs(logs).length, prw: sentPromLines(prw).length };
  await waitFor(() => {
    const f = { traces: readFileOut(files.traces), metrics: readFileOut(files.metrics), logs: readFileOut(files.logs) };
    return (
      otlpSpans(f.traces.traces).length >= want.spans &&
      otlpPoints(f.metrics.metrics).length >= want.points &&
      promLines(f.metrics.prw).length >= want.prw &&
      otlpLogs(f.logs.logs).length >= want.logs
    );
  }, 30_000);
  echoed = await readTopics(kafka.brokers, [echoTopic], (rs) => rs.some((r) => r.headers['tollgate-encoding'] === 'prometheus_remote_write'), 15_000);
  await b.shutdown();
  await a.shutdown();
  const t = readFileOut(files.traces);
  const m = readFileOut(files.metrics);
  const l = readFileOut(files.logs);
  out = { traces: t.traces, metrics: m.metrics, logs: l.logs, prw: m.prw };
});

after(async () => {
  await b?.shutdown();
  await a?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

test('spans: B wrote exactly what the SDK sent to A', () => {
  assert.deepEqual(diff(sdkSpans(spans), otlpSpans(out.traces)), { missing: [], extra: [] });
});

test('metric points: B wrote exactly what the SDK sent to A', () => {
  assert.deepEqual(diff(sdkPoints([metrics]), otlpPoints(out.metrics)), { missing: [], extra: [] });
});

test('log records: B wrote exactly what the SDK sent to A', () => {
  assert.deepEqual(diff(sdkLogs(logs), otlpLogs(out.logs)), { missing: [], extra: [] });
});

test('remote-write series cross Kafka as remote-write, unconverted, with their tenant', () => {
  assert.deepEqual(diff(sentPromLines(prw), promLines(out.prw)), { missing: [], extra: [] });
  const prwRecords = echoed.filter((r) => r.headers['tollgate-encoding'] === 'prometheus_remote_write');
  assert.ok(prwRecords.length > 0, 'B wrote the remote-write batch on as prometheus_remote_write');
  for (const r of prwRecords) assert.equal(r.headers['tollgate-tenant'], 'team-a', 'the tenant A received reached B (ctx.tenant)');
  for (const r of echoed.filter((x) => x.headers['tollgate-encoding'] === 'otlp_proto')) assert.equal(r.headers['tollgate-tenant'], undefined);
});
