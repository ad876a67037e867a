// producer.max_message_bytes against a real broker: a batch ten times the
// limit arrives whole, in several messages that each fit; a single span that
// alone is over the limit is dropped, counted and not retried.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ExportTraceServiceRequest } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { readTopics, uniqueTopic, useKafka, waitFor, type KafkaUnderTest } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/ports.js';
import { otlpSpans } from '../../kafka/normalize.js';
import { postTraces, selfMetric, span, tracesOf } from '../../kafka/gateway.js';

const MAX = 100_000;
let kafka: KafkaUnderTest;
let svc: Service;
let port: number;

async function gateway(topic: string, id: string): Promise<void> {
  port = await freePort();
  svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      exporters: { [id]: { brokers: kafka.brokers, traces: { topic }, producer: { max_message_bytes: MAX, compression: 'gzip' }, retry_on_failure: { initial_interval: '50ms' } } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: [id] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
}

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  await svc?.shutdown();
});

test('a batch ten times max_message_bytes arrives whole, in messages that each fit', async () => {
  const topic = uniqueTopic('size-big');
  await gateway(topic, 'kafka/big');
  // 500 spans of ~2 KB each: about 1 MB, ten times the limit.
  const spans = Array.from({ length: 500 }, (_, i) => span(i % 37, i, 2000));
  const batch = tracesOf(spans);
  assert.ok(ExportTraceServiceRequest.encode(batch).finish().length >= 10 * MAX);
  assert.equal(await postTraces(port, batch), 200);

  const records = await readTopics(kafka.brokers, [topic], (rs) => otlpSpans(rs.map((r) => ExportTraceServiceRequest.decode(r.value))).length >= 500);
  assert.ok(records.length >= 10, `${records.length} messages`);
  for (const r of records) {
    const headerBytes = Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + v.length, 0);
    assert.ok(r.value.length + headerBytes <= MAX, `message of ${r.value.length} bytes fits ${MAX}`);
  }
  const got = otlpSpans(records.map((r) => ExportTraceServiceRequest.decode(r.value)));
  assert.deepEqual(got, otlpSpans([batch]), 'every span once, in order, with its resource and scope');
  assert.equal(await selfMetric(svc, 'tollgate_dropped_items', { component: 'kafka/big' }), 0);
  await svc.shutdown();
});

test('a span alone larger than max_message_bytes is dropped and counted; its batch-mates arrive', async () => {
  const topic = uniqueTopic('size-one');
  await gateway(topic, 'kafka/one');
  const spans = [span(1, 1, 10), span(1, 2, 3 * MAX), span(1, 3, 10)];
  assert.equal(await postTraces(port, tracesOf(spans)), 200);
  // A batch holding nothing but an oversized span: a permanent error for the whole request.
  assert.equal(await postTraces(port, tracesOf([span(2, 4, 2 * MAX)])), 200);

  const dropped = () => selfMetric(svc, 'tollgate_dropped_items', { component: 'kafka/one', otel_signal: 'traces', reason: 'TG_TOO_LARGE_ITEM' });
  assert.ok(await waitFor(async () => (await dropped()) === 2, 10_000), `dropped counted: ${await dropped()}`);
  // Never retried: nothing waits in the queue and the all-oversized request failed once, permanently.
  assert.equal(await selfMetric(svc, 'otelcol_exporter_queue_size', { exporter: 'kafka/one' }), 0);
  assert.equal(await selfMetric(svc, 'otelcol_exporter_send_failed_spans', { exporter: 'kafka/one' }), 1);

  // A marker sent after both were handled: reading up to it reads everything they wrote (one partition, in order).
  assert.equal(await postTraces(port, tracesOf([span(3, 5, 10)])), 200);
  const names = (rs: readonly { value: Buffer }[]) => otlpSpans(rs.map((r) => ExportTraceServiceRequest.decode(r.value))).map((x) => JSON.parse(x).name as string);
  const records = await readTopics(kafka.brokers, [topic], (rs) => names(rs).includes('span-3-5'));
  assert.deepEqual(names(records).sort(), ['span-1-1', 'span-1-3', 'span-3-5']);
  await svc.shutdown();
});
