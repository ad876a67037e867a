// At-least-once through a downstream outage. Gateway B reads Kafka and sends
// over OTLP/HTTP to gateway C, which is down at first (nothing listens on its
// port). B must not commit what C has not accepted: B is even stopped and
// replaced during the outage. Once C is up, every span reaches C's file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeProto } from '../../../src/pdata/otlpjson.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { committedTotal, createTopic, produce, topicEnd, uniqueTopic, useKafka, waitFor, type KafkaUnderTest } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/ports.js';
import { readFileOut } from '../../kafka/fileout.js';
import { selfMetric, span, tracesOf } from '../../kafka/gateway.js';
import { otlpSpans } from '../../kafka/normalize.js';

const RECORDS = 60;
const SPANS_PER = 5;

let kafka: KafkaUnderTest;
const services: Service[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-alo-'));

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  for (const s of services) await s.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function gatewayB(topic: string, group: string, cPort: number): Service {
  const svc = new Service(
    {
      receivers: {
        kafka: {
          brokers: kafka.brokers,
          group_id: group,
          initial_offset: 'earliest',
          traces: { topics: [topic] },
          session_timeout: '6s',
          heartbeat_interval: '1s',
          error_backoff: { initial_interval: '50ms', max_interval: '300ms' },
        },
      },
      exporters: {
        // No queue and no retries of its own: C's refusal reaches the kafka receiver at once.
        otlphttp: { endpoint: `http://127.0.0.1:${cPort}`, timeout: '2s', sending_queue: { enabled: false }, retry_on_failure: { enabled: false } },
      },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['kafka'], exporters: ['otlphttp'] } } },
    },
    { logger: silentLogger() },
  );
  services.push(svc);
  return svc;
}

test('a downstream outage loses nothing: offsets wait for acceptance, a new member resumes', async (t) => {
  const topic = uniqueTopic('alo');
  const group = uniqueTopic('alo-group');
  await createTopic(kafka.brokers, topic, 3);
  const cPort = await freePort();
  const cFile = join(dir, 'c.jsonl');

  await produce(
    kafka.brokers,
    topic,
    Array.from({ length: RECORDS }, (_, i) => ({
      key: `k${i}`,
      value: Buffer.from(encodeProto('traces', tracesOf(Array.from({ length: SPANS_PER }, (_, j) => span(i, i * SPANS_PER + j))))),
      headers: { 'tollgate-signal': 'traces', 'tollgate-encoding': 'otlp_proto' },
    })),
  );
  const end = await topicEnd(kafka.brokers, topic);
  assert.equal(end, RECORDS);

  // B1 reads while C is down: every attempt is refused (connection refused → retryable).
  const b1 = gatewayB(topic, group, cPort);
  await b1.start();
  assert.ok(await waitFor(async () => (await selfMetric(b1, 'otelcol_receiver_refused_spans', { receiver: 'kafka' })) >= 3 * SPANS_PER, 20_000), 'B1 kept offering refused records');
  assert.equal(await selfMetric(b1, 'otelcol_receiver_accepted_spans', { receiver: 'kafka' }), 0);
  assert.equal(await selfMetric(b1, 'tollgate_dropped_items', {}), 0, 'a retryable refusal drops nothing');
  assert.equal(await committedTotal(kafka.brokers, group, topic), 0, 'nothing committed while C refuses');

  // B1 stops during the outage; it must not commit on the way out either.
  await b1.shutdown();
  assert.equal(await committedTotal(kafka.brokers, group, topic), 0, 'nothing committed at shutdown');

  // B2 joins the same group, then C comes up.
  const b2 = gatewayB(topic, group, cPort);
  await b2.start();
  const c = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${cPort}` } } } },
      exporters: { file: { path: cFile } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['file'] } } },
    },
    { logger: silentLogger() },
  );
  services.push(c);
  await c.start();

  const names = () => new Set(otlpSpans(readFileOut(cFile).traces).map((s) => JSON.parse(s).name as string));
  await waitFor(() => names().size >= RECORDS * SPANS_PER, 30_000);
  const got = names();
  const missing: string[] = [];
  for (let i = 0; i < RECORDS; i++) for (let j = 0; j < SPANS_PER; j++) if (!got.has(`span-${i}-${i * SPANS_PER + j}`)) missing.push(`span-${i}-${i * SPANS_PER + j}`);
  assert.deepEqual(missing, [], 'every span reached C');
  assert.ok(await waitFor(async () => (await committedTotal(kafka.brokers, group, topic)) === RECORDS, 10_000), 'B2 committed everything once C accepted it');
  const total = otlpSpans(readFileOut(cFile).traces).length;
  t.diagnostic(`at-least-once: ${total - RECORDS * SPANS_PER} duplicate spans delivered to C`);
});
