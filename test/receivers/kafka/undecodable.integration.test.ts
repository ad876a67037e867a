// Records the kafka receiver cannot decode: each is counted, logged with its
// topic/partition/offset, copied to the dead-letter topic, and skipped; the
// good records around it are delivered and the partition keeps moving.
// Also: the encoding header wins over the configured one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeJSON, encodeProto } from '../../../src/pdata/otlpjson.js';
import { Service } from '../../../src/service/service.js';
import { captureLogger } from '../../helpers/capturelogger.js';
import { committedTotal, produce, readTopics, uniqueTopic, useKafka, waitFor, type KafkaUnderTest } from '../../helpers/kafka.js';
import { readFileOut } from '../../kafka/fileout.js';
import { selfMetric, span, tracesOf } from '../../kafka/gateway.js';
import { otlpSpans } from '../../kafka/normalize.js';

let kafka: KafkaUnderTest;
let svc: Service | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-bad-'));

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  await svc?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

test('undecodable records are counted, logged, dead-lettered and skipped; the rest is delivered', async () => {
  const topic = uniqueTopic('bad');
  const dlq = uniqueTopic('bad-dlq');
  const group = uniqueTopic('bad-group');
  const out = join(dir, 'out.jsonl');
  const proto = (i: number) => Buffer.from(encodeProto('traces', tracesOf([span(i, i)])));
  const otlp = { 'tollgate-signal': 'traces', 'tollgate-encoding': 'otlp_proto' };
  await produce(kafka.brokers, topic, [
    { value: proto(1), headers: otlp },
    { value: Buffer.from('this is not a protobuf message \u00ff\u00fe'), headers: otlp },
    // No encoding header: read as the configured encoding (otlp_proto).
    { value: proto(2) },
    // The header says JSON: decoded as JSON although the topic is configured for protobuf.
    { value: Buffer.from(encodeJSON('traces', tracesOf([span(3, 3)]))), headers: { 'tollgate-encoding': 'otlp_json' } },
    { value: Buffer.from('{"resourceSpans": [ broken'), headers: { 'tollgate-encoding': 'otlp_json' } },
    // Says it holds metrics, but sits in a traces topic.
    { value: proto(9), headers: { 'tollgate-signal': 'metrics', 'tollgate-encoding': 'otlp_proto' } },
    { value: Buffer.from('x'), headers: { 'tollgate-encoding': 'zstd_cbor' } },
    { value: proto(4), headers: otlp },
  ]);

  const logs = captureLogger();
  svc = new Service(
    {
      receivers: { kafka: { brokers: kafka.brokers, group_id: group, initial_offset: 'earliest', traces: { topics: [topic] }, dead_letter_topic: dlq, session_timeout: '6s', heartbeat_interval: '1s' } },
      exporters: { file: { path: out } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['kafka'], exporters: ['file'] } } },
    },
    { logger: logs.logger },
  );
  await svc.start();

  assert.ok(await waitFor(async () => (await committedTotal(kafka.brokers, group, topic)) === 8, 20_000), 'the partition moved past every record');
  const names = otlpSpans(readFileOut(out).traces).map((s) => JSON.parse(s).name);
  assert.deepEqual(names, ['span-1-1', 'span-2-2', 'span-3-3', 'span-4-4']);
  assert.equal(await selfMetric(svc, 'tollgate_dropped_items', { component: 'kafka', otel_signal: 'traces', reason: 'TG_DECODE' }), 4);
  assert.equal(await selfMetric(svc, 'otelcol_receiver_accepted_spans', { receiver: 'kafka' }), 4);

  const lines = logs.lines.filter((l) => l.msg === 'undecodable kafka record skipped');
  assert.deepEqual(lines.map((l) => `${l.topic}/${l.partition}/${l.offset}`), [1, 4, 5, 6].map((o) => `${topic}/0/${o}`));
  assert.match(String(lines[2]!.err?.message), /metrics/);
  assert.match(String(lines[3]!.err?.message), /zstd_cbor/);
  assert.equal(lines[3]!.err?.type, 'RecordDecodeError');
  assert.match(String(lines[3]!.err?.stack), /\n\s+at /, 'the error is logged with its stack');

  const dead = await readTopics(kafka.brokers, [dlq], (rs) => rs.length >= 4);
  assert.deepEqual(dead.map((r) => r.headers['tollgate-dlq-offset']), ['1', '4', '5', '6']);
  for (const r of dead) {
    assert.equal(r.headers['tollgate-dlq-topic'], topic);
    assert.equal(r.headers['tollgate-dlq-partition'], '0');
    assert.ok(r.headers['tollgate-dlq-error']!.length > 0);
  }
  assert.equal(dead[0]!.value.toString('latin1'), Buffer.from('this is not a protobuf message \u00ff\u00fe').toString('latin1'), 'the payload is kept byte for byte');
});
