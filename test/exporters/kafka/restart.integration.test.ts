// The broker goes away mid-stream. The exporter's sending queue holds what the
// gateway accepted meanwhile and delivers it once Kafka is back: with the
// memory queue while the gateway runs on; with the persistent queue even when
// the gateway itself is restarted during the outage.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ExportTraceServiceRequest } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { PrivateKafka, createTopic, readTopics, uniqueTopic } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/ports.js';
import { postTraces, selfMetric, span, tracesOf } from '../../kafka/gateway.js';
import { otlpSpans } from '../../kafka/normalize.js';

let kafka: PrivateKafka | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-restart-'));
const services: Service[] = [];

before(async () => {
  kafka = await PrivateKafka.create();
});

after(async () => {
  for (const s of services) await s.shutdown();
  kafka?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function gateway(topic: string, port: number, queue: Record<string, unknown>): Promise<Service> {
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      exporters: {
        kafka: {
          brokers: kafka!.brokers,
          traces: { topic },
          timeout: '3s',
          retry_on_failure: { initial_interval: '100ms', max_interval: '500ms', max_elapsed_time: '0s' },
          sending_queue: { num_consumers: 2, ...queue },
        },
      },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['kafka'] } } },
    },
    { logger: silentLogger() },
  );
  services.push(svc);
  await svc.start();
  return svc;
}

async function send(port: number, batch: number): Promise<void> {
  const status = await postTraces(port, tracesOf(Array.from({ length: 10 }, (_, k) => span(batch, batch * 100 + k))));
  assert.equal(status, 200, `batch ${batch} accepted`);
}

function expected(batches: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < batches; b++) for (let k = 0; k < 10; k++) out.push(`span-${b}-${b * 100 + k}`);
  return out;
}

async function readAll(topic: string, want: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  const all: string[] = [];
  await readTopics(
    kafka!.brokers,
    [topic],
    (rs) => {
      for (const s of otlpSpans([ExportTraceServiceRequest.decode(rs[rs.length - 1]!.value)])) {
        const n = JSON.parse(s).name as string;
        names.add(n);
        all.push(n);
      }
      return want.every((n) => names.has(n));
    },
    40_000,
  );
  return all;
}

test('memory queue: spans accepted while the broker is down are delivered after it restarts', async (t) => {
  const topic = uniqueTopic('restart-mem');
  await createTopic(kafka!.brokers, topic, 2);
  const port = await freePort();
  const svc = await gateway(topic, port, {});
  for (let b = 0; b < 20; b++) await send(port, b);
  kafka!.stop();
  for (let b = 20; b < 50; b++) await send(port, b);
  // The queue holds them while the sends fail and are retried; none is dropped.
  const queued = await selfMetric(svc, 'otelcol_exporter_queue_size', { exporter: 'kafka' });
  kafka!.start();
  assert.ok(queued > 0, `requests waited in the queue during the outage (${queued})`);
  for (let b = 50; b < 60; b++) await send(port, b);

  const want = expected(60);
  const got = await readAll(topic, want);
  const seen = new Set(got);
  assert.deepEqual(want.filter((n) => !seen.has(n)), [], 'every span reached Kafka');
  assert.equal(await selfMetric(svc, 'tollgate_dropped_items', {}), 0);
  t.diagnostic(`memory queue: ${got.length - seen.size} duplicate spans after the broker restart`);
});

test('persistent queue: the gateway is restarted during the outage and still delivers everything', async (t) => {
  const topic = uniqueTopic('restart-disk');
  await createTopic(kafka!.brokers, topic, 2);
  const storage = { directory: join(dir, 'queue'), fsync: false };
  const port = await freePort();
  const a1 = await gateway(topic, port, { storage });
  for (let b = 0; b < 10; b++) await send(port, b);
  kafka!.stop();
  for (let b = 10; b < 30; b++) await send(port, b);
  await a1.shutdown();

  kafka!.start();
  const a2 = await gateway(topic, await freePort(), { storage });
  const want = expected(30);
  const got = await readAll(topic, want);
  const seen = new Set(got);
  assert.deepEqual(want.filter((n) => !seen.has(n)), [], 'every span reached Kafka');
  assert.equal(await selfMetric(a2, 'tollgate_dropped_items', {}), 0);
  t.diagnostic(`persistent queue: ${got.length - seen.size} duplicate spans after gateway + broker restart`);
});
