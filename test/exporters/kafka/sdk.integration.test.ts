// OpenTelemetry SDK → Tollgate (OTLP receiver) → kafka exporter → real Kafka.
// Every encoding × compression writes its own topics; a plain kafkajs consumer
// reads them back, and every span, metric point and log record is compared
// with what the SDK recorded. The broker's log segments show the compression.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeJSON } from '../../../src/pdata/otlpjson.js';
import { ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { readTopics, storedCompressions, uniqueTopic, useKafka, type KafkaUnderTest, type ReadRecord } from '../../helpers/kafka.js';
import { exportOk, logExporter, metricExporter, traceExporter } from '../../helpers/otlp-sdk.js';
import { makeLogs, makeMetrics, makeSpans } from '../../kafka/sdkdata.js';
import { freePort } from '../../helpers/ports.js';
import { diff, otlpLogs, otlpPoints, otlpSpans, sdkLogs, sdkPoints, sdkSpans } from '../../kafka/normalize.js';

const ENCODINGS = ['otlp_proto', 'otlp_json'] as const;
const COMPRESSIONS = ['none', 'gzip', 'snappy'] as const;
const CODEC_ID = { none: 0, gzip: 1, snappy: 2 } as const;

interface Combo {
  id: string;
  encoding: (typeof ENCODINGS)[number];
  compression: (typeof COMPRESSIONS)[number];
  topics: { traces: string; metrics: string; logs: string };
}

let kafka: KafkaUnderTest;
let svc: Service | undefined;
const combos: Combo[] = [];
let spans: ReadableSpan[] = [];
let metrics: ResourceMetrics | undefined;
let logs: ReadableLogRecord[] = [];
let records: ReadRecord[] = [];

function decode(r: ReadRecord): { signal: string; data: unknown } {
  const signal = r.headers['tollgate-signal']!;
  const json = r.headers['tollgate-encoding'] === 'otlp_json';
  if (signal === 'traces') return { signal, data: json ? decodeJSON('traces', r.value) : ExportTraceServiceRequest.decode(r.value) };
  if (signal === 'metrics') return { signal, data: json ? decodeJSON('metrics', r.value) : ExportMetricsServiceRequest.decode(r.value) };
  return { signal, data: json ? decodeJSON('logs', r.value) : ExportLogsServiceRequest.decode(r.value) };
}

function itemsIn(rs: readonly ReadRecord[], topic: string): number {
  let n = 0;
  for (const r of rs) {
    if (r.topic !== topic) continue;
    const { signal, data } = decode(r);
    n += signal === 'traces' ? otlpSpans([data as never]).length : signal === 'metrics' ? otlpPoints([data as never]).length : otlpLogs([data as never]).length;
  }
  return n;
}

before(async () => {
  kafka = await useKafka();
  const httpPort = await freePort();
  const exporters: Record<string, unknown> = {};
  for (const encoding of ENCODINGS) {
    for (const compression of COMPRESSIONS) {
      const base = uniqueTopic(`sdk-${encoding}-${compression}`);
      const c: Combo = { id: `kafka/${encoding}_${compression}`, encoding, compression, topics: { traces: `${base}-spans`, metrics: `${base}-metrics`, logs: `${base}-logs` } };
      combos.push(c);
      exporters[c.id] = {
        brokers: kafka.brokers,
        encoding,
        traces: { topic: c.topics.traces },
        metrics: { topic: c.topics.metrics },
        logs: { topic: c.topics.logs },
        producer: { compression },
      };
    }
  }
  const pipe = { receivers: ['otlp'], exporters: Object.keys(exporters) };
  svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${httpPort}` } } } },
      exporters,
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: pipe, metrics: pipe, logs: pipe } },
    },
    { logger: silentLogger() },
  );
  await svc.start();

  spans = makeSpans();
  metrics = await makeMetrics();
  logs = makeLogs();
  const target = { grpcPort: 0, httpPort };
  const te = traceExporter('http/protobuf', target);
  const me = metricExporter('http/protobuf', target);
  const le = logExporter('http/protobuf', target);
  await exportOk(te, spans);
  await exportOk(me, metrics);
  await exportOk(le, logs);
  await Promise.all([te.shutdown(), me.shutdown(), le.shutdown()]);

  const want = { traces: sdkSpans(spans).length, metrics: sdkPoints([metrics]).length, logs: sdkLogs(logs).length };
  const topics = combos.flatMap((c) => Object.values(c.topics));
  records = await readTopics(kafka.brokers, topics, (rs) =>
    combos.every((c) => itemsIn(rs, c.topics.traces) >= want.traces && itemsIn(rs, c.topics.metrics) >= want.metrics && itemsIn(rs, c.topics.logs) >= want.logs),
  30_000);
});

after(async () => {
  await svc?.shutdown();
});

for (const encoding of ENCODINGS) {
  for (const compression of COMPRESSIONS) {
    test(`${encoding}, compression ${compression}: every span, point and record arrives once, unchanged`, () => {
      const c = combos.find((x) => x.encoding === encoding && x.compression === compression)!;
      for (const [signal, topic] of Object.entries(c.topics)) {
        const mine = records.filter((r) => r.topic === topic);
        assert.ok(mine.length > 0, `records in ${topic}`);
        for (const r of mine) {
          assert.equal(r.headers['tollgate-signal'], signal);
          assert.equal(r.headers['tollgate-encoding'], encoding);
          assert.equal(r.key, null, 'no key unless partitioning is configured');
        }
        const data = mine.map((r) => decode(r).data);
        const [want, got] =
          signal === 'traces'
            ? [sdkSpans(spans), otlpSpans(data as never)]
            : signal === 'metrics'
              ? [sdkPoints([metrics!]), otlpPoints(data as never)]
              : [sdkLogs(logs), otlpLogs(data as never)];
        const d = diff(want, got);
        assert.deepEqual(d, { missing: [], extra: [] }, `${signal} in ${topic}`);
        const codecs = storedCompressions(kafka.brokers, topic);
        assert.ok(codecs.length > 0, `batches stored for ${topic}`);
        assert.deepEqual([...new Set(codecs)], [CODEC_ID[compression]], `stored compression of ${topic}`);
      }
    });
  }
}
