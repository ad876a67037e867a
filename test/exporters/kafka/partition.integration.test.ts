// partition_traces_by_id against a real broker: 1000 traces of 20 spans over a
// 6-partition topic, each trace's spans arriving in 20 different requests.
// Every trace must end up on a single partition, keyed by its ID, and no span
// may be lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ExportTraceServiceRequest, type ISpan } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createTopic, readTopics, uniqueTopic, useKafka, type KafkaUnderTest } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/ports.js';
import { postTraces, span, tracesOf } from '../../kafka/gateway.js';

const TRACES = 1000;
const SPANS = 20;
const PARTITIONS = 6;

let kafka: KafkaUnderTest;
let svc: Service | undefined;

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  await svc?.shutdown();
});

test('1k traces × 20 spans over 6 partitions: every trace on one partition, keyed by its ID', async () => {
  const topic = uniqueTopic('partition');
  await createTopic(kafka.brokers, topic, PARTITIONS);
  const port = await freePort();
  svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      exporters: { kafka: { brokers: kafka.brokers, traces: { topic }, partition_traces_by_id: true, producer: { compression: 'snappy' } } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['kafka'] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();

  // Request k holds span k of every trace, so a trace is spread over 20 requests.
  for (let k = 0; k < SPANS; k++) {
    const spans: ISpan[] = [];
    for (let t = 0; t < TRACES; t++) spans.push(span(t, t * SPANS + k));
    assert.equal(await postTraces(port, tracesOf(spans)), 200);
  }

  let seen = 0;
  const records = await readTopics(
    kafka.brokers,
    [topic],
    (rs) => {
      const r = rs[rs.length - 1]!;
      seen += ExportTraceServiceRequest.decode(r.value).resourceSpans!.reduce((n, x) => n + x.scopeSpans!.reduce((m, s) => m + s.spans!.length, 0), 0);
      return seen >= TRACES * SPANS;
    },
    60_000,
  );

  const partitionsOf = new Map<string, Set<number>>();
  const spanIds = new Set<string>();
  for (const r of records) {
    const req = ExportTraceServiceRequest.decode(r.value);
    const ids = new Set<string>();
    for (const rs of req.resourceSpans!) {
      for (const ss of rs.scopeSpans!) {
        for (const s of ss.spans!) {
          const tid = Buffer.from(s.traceId!).toString('hex');
          ids.add(tid);
          spanIds.add(Buffer.from(s.spanId!).toString('hex'));
          let ps = partitionsOf.get(tid);
          if (!ps) partitionsOf.set(tid, (ps = new Set()));
          ps.add(r.partition);
        }
      }
    }
    assert.equal(ids.size, 1, 'a message holds one trace');
    assert.equal(r.key?.toString(), [...ids][0], 'the message key is the trace ID in hex');
  }
  assert.equal(spanIds.size, TRACES * SPANS, 'every span arrived');
  assert.equal(partitionsOf.size, TRACES, 'every trace arrived');
  const split = [...partitionsOf].filter(([, ps]) => ps.size > 1);
  assert.deepEqual(split, [], 'no trace spans two partitions');
  const used = new Set(records.map((r) => r.partition));
  assert.equal(used.size, PARTITIONS, 'traces spread over all partitions');
});
