import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { compressWriteRequest } from '../../src/prw/codec.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { uniqueTopic, useKafka, type KafkaUnderTest } from '../helpers/kafka.js';
import { exportOk, metricExporter, recordingMeter, shutdownAll } from '../helpers/otlp-sdk.js';
import { freePort } from '../helpers/ports.js';
import { Prometheus, waitFor } from '../helpers/prometheus.js';
import { metricValue } from '../helpers/telemetry.js';
import { replay } from './cli.js';

let kafka: KafkaUnderTest;
before(async () => {
  kafka = await useKafka();
  await produce();
}, { timeout: 60_000 });

const SERIES = 6;
const STEPS = 10;
const prwTopic = uniqueTopic('replay-prw');
const otlpTopic = uniqueTopic('replay-otlp');
const t0 = Date.now() - 60_000;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-kafka-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every remote-write sample, at its captured time plus the shift, with its captured value. */
async function assertSamples(prom: Prometheus, shift: number): Promise<void> {
  const endSec = (t0 + (STEPS - 1) * 1000 + shift) / 1000;
  const raw = await prom.rawSamples('replay_kafka_requests_total', endSec, STEPS);
  assert.equal(raw.size, SERIES);
  for (let i = 0; i < SERIES; i++) {
    const s = [...raw.values()].find((x) => x.metric.instance === `node-${i}:9100`)!;
    assert.ok(s, `series node-${i} missing`);
    assert.deepEqual(
      s.values!.map(([t, v]) => [Math.round(t * 1000), Number(v)]),
      Array.from({ length: STEPS }, (_, k) => [t0 + k * 1000 + shift, i * 100 + k * (i + 1)]),
    );
  }
}

/**
 * The data the tests replay, written once: a gateway's kafka exporters put
 * remote-write series (as `prometheus_remote_write`, tenant in the record
 * headers) and OTLP metrics from the SDK (as `otlp_proto`) each on its own topic.
 */
async function produce(): Promise<void> {
  const rwPort = await freePort();
  const httpPort = await freePort();
  const svc = new Service(
    {
      receivers: {
        prometheusremotewrite: { endpoint: `127.0.0.1:${rwPort}` },
        otlp: { protocols: { http: { endpoint: `127.0.0.1:${httpPort}` } } },
      },
      exporters: {
        // One queue consumer: records reach Kafka in the order they were sent (several would reorder batches).
        'kafka/prw': { brokers: kafka.brokers, metrics: { topic: prwTopic, encoding: 'prometheus_remote_write' }, sending_queue: { num_consumers: 1 } },
        'kafka/otlp': { brokers: kafka.brokers, metrics: { topic: otlpTopic, encoding: 'otlp_proto' }, sending_queue: { num_consumers: 1 } },
      },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          'metrics/prw': { receivers: ['prometheusremotewrite'], exporters: ['kafka/prw'] },
          'metrics/otlp': { receivers: ['otlp'], exporters: ['kafka/otlp'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const meter = recordingMeter(resourceFromAttributes({ 'service.name': 'queue-worker', 'service.instance.id': 'w1' }));
  try {
    // Remote-write: one request per step, every series one sample 1 s apart.
    for (let k = 0; k < STEPS; k++) {
      const timeseries = Array.from({ length: SERIES }, (_, i) => ({
        labels: [
          { name: '__name__', value: 'replay_kafka_requests_total' },
          { name: 'instance', value: `node-${i}:9100` },
          { name: 'job', value: 'kafka-replay' },
        ],
        samples: [{ value: i * 100 + k * (i + 1), timestamp: t0 + k * 1000 }],
      }));
      const res = await fetch(`http://127.0.0.1:${rwPort}/api/v1/receive`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'THANOS-TENANT': 'team-a' },
        body: compressWriteRequest({ timeseries }),
      });
      assert.equal(res.status, 200);
    }
    // OTLP from the SDK: a gauge.
    const g = meter.meter('worker').createGauge('queue.depth');
    g.record(42, { queue: 'jobs' });
    const me = metricExporter('http/protobuf', { grpcPort: 0, httpPort });
    await exportOk(me, await meter.collect());
    await shutdownAll(me);
  } finally {
    await svc.shutdown(); // drains the exporters into Kafka
    await meter.shutdown();
  }
}

/**
 * Both topics replayed (with --shift-timestamps) into a real Prometheus, which
 * must then hold every sample, at the captured intervals, with the captured
 * values; the OTLP gauge is translated to remote-write on the way.
 */
test('replay from a Kafka topic (real broker) into a real Prometheus', { timeout: 120_000 }, async () => {
  let prom: Prometheus | undefined;
  try {
    prom = await Prometheus.start();
    const r = await replay(['--kafka-brokers', kafka.brokers.join(','), '--kafka-topic', `${prwTopic},${otlpTopic}`, '--target', prom.writeUrl, '--shift-timestamps']);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.summary)}`);
    assert.equal(r.summary.requests.read, STEPS + 1);
    assert.equal(r.summary.items.accepted >= SERIES * STEPS + 1, true, JSON.stringify(r.summary.items));
    const shift = r.summary.shiftMs!;
    assert.ok(shift > 0, `shift ${shift} ms`);

    await assertSamples(prom, shift);
    // The OTLP gauge, translated to remote-write on the way.
    const depth = await prom.query('queue_depth');
    assert.equal(depth.result.length, 1, JSON.stringify(depth));
    assert.equal(Number(depth.result[0].value[1]), 42);
    assert.equal(depth.result[0].metric.queue, 'jobs');
  } finally {
    await prom?.stop();
  }
});

/**
 * The kafka receiver with `capture`: what it reads from the topic is captured
 * (records as they were in Kafka), and the capture replays into Prometheus
 * like the topic itself.
 */
test('the kafka receiver captures what it reads; that capture replays into a real Prometheus', { timeout: 120_000 }, async () => {
  const capDir = join(dir, 'capture');
  const svc = new Service(
    {
      receivers: {
        kafka: {
          brokers: kafka.brokers,
          group_id: uniqueTopic('replay-group'),
          initial_offset: 'earliest',
          metrics: { topics: [prwTopic] },
          capture: { path: join(capDir, 'kafka.tgcap') },
        },
      },
      exporters: { debug: {} },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { metrics: { receivers: ['kafka'], exporters: ['debug'] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  try {
    await waitFor('the kafka receiver to capture every record', async () => (await metricValue(svc.telemetry, 'tollgate_capture_requests', { receiver: 'kafka' })) >= STEPS, 60_000);
  } finally {
    await svc.shutdown();
  }
  assert.equal(readdirSync(capDir).length, 1);
  let prom: Prometheus | undefined;
  try {
    prom = await Prometheus.start();
    const r = await replay([capDir, '--target', prom.writeUrl, '--shift-timestamps']);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.summary)}`);
    assert.equal(r.summary.requests.read, STEPS);
    assert.equal(r.summary.items.accepted, SERIES * STEPS);
    await assertSamples(prom, r.summary.shiftMs!);
  } finally {
    await prom?.stop();
  }
});
