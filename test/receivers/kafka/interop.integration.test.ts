// Interoperability with Apache Kafka's own Java clients, both directions, with
// compression: records the Java producer writes (snappy in its xerial framing,
// gzip) are read by Tollgate's kafka receiver; records Tollgate writes (snappy
// as a plain block) are read by the Java console consumer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeJSON } from '../../../src/pdata/otlpjson.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { runKafkaTool, uniqueTopic, useKafka, waitFor, type KafkaUnderTest } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/ports.js';
import { readFileOut } from '../../kafka/fileout.js';
import { postTraces, selfMetric, span, tracesOf } from '../../kafka/gateway.js';
import { otlpSpans } from '../../kafka/normalize.js';

let kafka: KafkaUnderTest;
const services: Service[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-interop-'));

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  for (const s of services) await s.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

for (const codec of ['snappy', 'gzip'] as const) {
  test(`the Java producer writes ${codec}; Tollgate's kafka receiver reads every record`, async () => {
    const topic = uniqueTopic(`java-${codec}`);
    const lines = Array.from({ length: 50 }, (_, i) => encodeJSON('traces', tracesOf([span(i, i, 200)], 'java-producer')));
    const r = runKafkaTool('ConsoleProducer', ['--bootstrap-server', kafka.brokers[0]!, '--topic', topic, '--compression-codec', codec], `${lines.join('\n')}\n`);
    assert.equal(r.status, 0, r.stderr);

    const out = join(dir, `from-java-${codec}.jsonl`);
    const svc = new Service(
      {
        receivers: { kafka: { brokers: kafka.brokers, group_id: uniqueTopic('interop'), initial_offset: 'earliest', traces: { topics: [topic], encoding: 'otlp_json' }, session_timeout: '6s', heartbeat_interval: '1s' } },
        exporters: { file: { path: out } },
        service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['kafka'], exporters: ['file'] } } },
      },
      { logger: silentLogger() },
    );
    services.push(svc);
    await svc.start();
    const names = () => otlpSpans(readFileOut(out).traces).map((s) => JSON.parse(s).name as string);
    await waitFor(() => names().length >= 50, 20_000);
    assert.deepEqual(names(), Array.from({ length: 50 }, (_, i) => `span-${i}-${i}`));
  });
}

test('Tollgate writes snappy; the Java console consumer reads every record', async () => {
  const topic = uniqueTopic('to-java');
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      exporters: { kafka: { brokers: kafka.brokers, traces: { topic }, encoding: 'otlp_json', producer: { compression: 'snappy' } } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['kafka'] } } },
    },
    { logger: silentLogger() },
  );
  services.push(svc);
  await svc.start();
  for (let i = 0; i < 20; i++) assert.equal(await postTraces(port, tracesOf([span(i, i, 500)])), 200);
  // Accepted means queued: wait until the exporter has written all 20 before reading with Java.
  assert.ok(await waitFor(async () => (await selfMetric(svc, 'otelcol_exporter_sent_spans', { exporter: 'kafka' })) === 20, 20_000), 'the exporter wrote every span');

  const r = runKafkaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', ['--bootstrap-server', kafka.brokers[0]!, '--topic', topic, '--from-beginning', '--max-messages', '20', '--timeout-ms', '30000']);
  assert.equal(r.status, 0, r.stderr);
  const got = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => (JSON.parse(l).resourceSpans as { scopeSpans: { spans: { name: string }[] }[] }[]).flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))));
  assert.deepEqual(got.sort(), Array.from({ length: 20 }, (_, i) => `span-${i}-${i}`).sort());
});
