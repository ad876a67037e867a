// Metrics-specific exporter behaviour against a real broker: OTLP metrics with
// `metrics.encoding: prometheus_remote_write` are translated once (delta sums
// refused and counted), remote-write input goes out unconverted whatever the
// encoding, and partition_metrics_by_resource_attributes keys by resource.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeProto } from '../../../src/pdata/otlpjson.js';
import { ExportMetricsServiceRequest, WriteRequest, type Metrics } from '../../../src/pdata/proto.js';
import { snappyEncode } from '../../../src/prw/snappy.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { readTopics, uniqueTopic, useKafka, waitFor, type KafkaUnderTest } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/ports.js';
import { selfMetric } from '../../kafka/gateway.js';

let kafka: KafkaUnderTest;
const services: Service[] = [];

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  for (const s of services) await s.shutdown();
});

function otlpMetrics(): Metrics {
  const res = (pod: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: 'vllm' } }, { key: 'service.instance.id', value: { stringValue: pod } }] });
  const sum = (temporality: number, v: number) => ({
    aggregationTemporality: temporality,
    isMonotonic: true,
    dataPoints: [{ asInt: v, startTimeUnixNano: '1700000000000000000' as never, timeUnixNano: '1700000060000000000' as never, attributes: [{ key: 'model', value: { stringValue: 'llama' } }] }],
  });
  return {
    resourceMetrics: ['vllm-0', 'vllm-1'].map((pod, i) => ({
      resource: res(pod),
      scopeMetrics: [
        {
          scope: { name: 'vllm' },
          metrics: [
            { name: 'vllm.prompt_tokens', unit: '{token}', sum: sum(2, 1000 + i) },
            { name: 'vllm.generation_tokens', unit: '{token}', sum: sum(1, 50) }, // delta: cannot be remote-written as is
          ],
        },
      ],
    })),
  };
}

async function gateway(exporter: Record<string, unknown>): Promise<{ otlpPort: number; prwPort: number; svc: Service }> {
  const otlpPort = await freePort();
  const prwPort = await freePort();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } }, prometheusremotewrite: { endpoint: `127.0.0.1:${prwPort}` } },
      exporters: { kafka: { brokers: kafka.brokers, ...exporter } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { metrics: { receivers: ['otlp', 'prometheusremotewrite'], exporters: ['kafka'] } } },
    },
    { logger: silentLogger() },
  );
  services.push(svc);
  await svc.start();
  return { otlpPort, prwPort, svc };
}

async function postOtlp(port: number, m: Metrics): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(encodeProto('metrics', m)) });
  await r.arrayBuffer();
  assert.equal(r.status, 200);
}

async function postPrw(port: number): Promise<void> {
  const w = { timeseries: [{ labels: [{ name: '__name__', value: 'DCGM_FI_DEV_GPU_UTIL' }, { name: 'gpu', value: '0' }, { name: 'instance', value: 'node-1:9400' }, { name: 'job', value: 'dcgm' }], samples: [{ value: 87, timestamp: 1_700_000_000_000 }] }] };
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/receive`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'THANOS-TENANT': 'gpu-team' },
    body: snappyEncode(WriteRequest.encode(w).finish()),
  });
  await r.text();
  assert.equal(r.status, 200);
}

test('metrics.encoding prometheus_remote_write: OTLP is translated once, delta sums are refused and counted', async () => {
  const topic = uniqueTopic('metrics-prw');
  const { otlpPort, svc } = await gateway({ metrics: { topic, encoding: 'prometheus_remote_write' } });
  await postOtlp(otlpPort, otlpMetrics());
  const records = await readTopics(kafka.brokers, [topic], (rs) => rs.length >= 1);
  assert.equal(records[0]!.headers['tollgate-encoding'], 'prometheus_remote_write');
  const w = WriteRequest.decode(records[0]!.value);
  const names = w.timeseries.map((ts) => ts.labels!.find((l) => l.name === '__name__')!.value ?? '');
  assert.ok(names.includes('vllm_prompt_tokens_total'), names.join(','));
  assert.ok(!names.some((n) => n.startsWith('vllm_generation_tokens')), 'the delta sum is not written');
  const instances = new Set(w.timeseries.filter((ts) => ts.labels!.some((l) => l.value === 'vllm_prompt_tokens_total')).map((ts) => ts.labels!.find((l) => l.name === 'instance')!.value));
  assert.deepEqual([...instances].sort(), ['vllm-0', 'vllm-1']);
  assert.ok(await waitFor(async () => (await selfMetric(svc, 'tollgate_dropped_items', { component: 'kafka', reason: 'TG_DELTA_TEMPORALITY' })) === 2, 5000));
});

test('remote-write input is written unconverted even when metrics.encoding is OTLP; its tenant rides in a header', async () => {
  const topic = uniqueTopic('metrics-otlp');
  const { otlpPort, prwPort } = await gateway({ metrics: { topic }, encoding: 'otlp_json' });
  await postPrw(prwPort);
  await postOtlp(otlpPort, otlpMetrics());
  const records = await readTopics(kafka.brokers, [topic], (rs) => rs.length >= 2);
  const prw = records.find((r) => r.headers['tollgate-encoding'] === 'prometheus_remote_write')!;
  assert.equal(prw.headers['tollgate-tenant'], 'gpu-team');
  assert.equal(WriteRequest.decode(prw.value).timeseries![0]!.samples![0]!.value, 87);
  const json = records.find((r) => r.headers['tollgate-encoding'] === 'otlp_json')!;
  assert.equal(JSON.parse(json.value.toString()).resourceMetrics.length, 2, 'OTLP metrics as OTLP JSON, delta sums included');
});

test('partition_metrics_by_resource_attributes: one message per resource, keyed by its attributes', async () => {
  const topic = uniqueTopic('metrics-key');
  const { otlpPort } = await gateway({ metrics: { topic }, partition_metrics_by_resource_attributes: true });
  await postOtlp(otlpPort, otlpMetrics());
  await postOtlp(otlpPort, otlpMetrics());
  const records = await readTopics(kafka.brokers, [topic], (rs) => rs.length >= 4);
  const byKey = new Map<string, Set<string>>();
  for (const r of records) {
    const md = ExportMetricsServiceRequest.decode(r.value);
    assert.equal(md.resourceMetrics!.length, 1);
    const pod = md.resourceMetrics![0]!.resource!.attributes!.find((a) => a.key === 'service.instance.id')!.value!.stringValue!;
    const key = r.key!.toString();
    if (!byKey.has(key)) byKey.set(key, new Set());
    byKey.get(key)!.add(pod);
  }
  assert.equal(byKey.size, 2, 'two resources, two keys');
  for (const pods of byKey.values()) assert.equal(pods.size, 1, 'a key always means the same resource');
});
