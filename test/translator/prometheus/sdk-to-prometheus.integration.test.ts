// OTel SDK metrics → Tollgate (OTLP receiver → prometheusremotewrite exporter)
// → a real Prometheus: what Prometheus stores is exactly what the translation
// rules say — names, full label sets, values, timestamps, and the
// exponential histogram's native buckets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, DataPointType, type ExponentialHistogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { exportOk, metricExporter, recordingMeter, shutdownAll } from '../../helpers/otlp-sdk.js';
import { freePort } from '../../helpers/ports.js';
import { Prometheus, seriesKey, waitFor } from '../../helpers/prometheus.js';

let prom: Prometheus;
let svc: Service;
let httpPort: number;

before(async () => {
  prom = await Prometheus.start();
  httpPort = await freePort();
  svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${httpPort}` } } } },
      exporters: { prometheusremotewrite: { endpoint: prom.writeUrl, send_metadata: true } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['otlp'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
});

after(async () => {
  await svc?.shutdown();
  await prom?.stop();
});

const RESOURCE = { 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-1', 'host.name': 'node-7' };
const ID = { job: 'shop/checkout', instance: 'pod-1' };

/** HrTime → ms, truncated as the translator does. */
const hrMs = ([s, ns]: [number, number]) => s * 1000 + Math.floor(ns / 1e6);

test('counter, up-down counter, gauge, histogram and exponential histogram land in Prometheus as the rules say', async () => {
  const sdk = recordingMeter(resourceFromAttributes(RESOURCE), [
    { instrumentName: 'gen_ai.client.token.usage', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
    { instrumentName: 'gen_ai.client.operation.duration', aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [0.1, 1] } } },
  ]);
  const meter = sdk.meter('tollgate-test', '1.0.0');
  const requests = meter.createCounter('http.server.requests', { unit: '{request}', description: 'Requests served.' });
  requests.add(5, { route: '/a', 'http.method': 'GET' });
  requests.add(2, { route: '/a', 'http.method': 'GET' });
  const depth = meter.createUpDownCounter('queue.depth', { unit: '{item}' });
  depth.add(10);
  depth.add(-3);
  meter.createGauge('gpu.utilization', { unit: '1' }).record(0.75, { gpu: '0' });
  const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
  for (const v of [0.05, 0.3, 2]) duration.record(v, { 'gen_ai.request.model': 'llama-3' });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
  for (const v of [1, 3, 3, 100]) tokens.record(v, { 'gen_ai.token.type': 'input' });

  const rm: ResourceMetrics = await sdk.collect();
  const exporter = metricExporter('http/protobuf', { grpcPort: 0, httpPort });
  try {
    await exportOk(exporter, rm);
  } finally {
    await shutdownAll(exporter);
    await sdk.shutdown();
  }
  const points = new Map(rm.scopeMetrics[0]!.metrics.map((m) => [m.descriptor.name, m]));
  const endMs = hrMs(points.get('http.server.requests')!.dataPoints[0]!.endTime as [number, number]);

  await waitFor('the counter in Prometheus', async () => (await prom.queryValue('http_server_requests_total')) === 7, 30_000);
  await waitFor('the exponential histogram in Prometheus', async () => (await prom.query('gen_ai_client_token_usage')).result.length === 1, 30_000);

  // Every series, with its complete label set and value.
  const nowSec = Date.now() / 1000 + 1;
  const all = await prom.query('{job="shop/checkout"}[10m]', nowSec);
  const got = new Map<string, { t: number; v: string }[]>();
  for (const s of all.result as Array<{ metric: Record<string, string>; values?: [number, string][] }>) {
    if (s.values) got.set(seriesKey(s.metric), s.values.map(([t, v]) => ({ t: Math.round(t * 1000), v })));
  }
  const want: Array<[Record<string, string>, string]> = [
    [{ __name__: 'http_server_requests_total', ...ID, route: '/a', http_method: 'GET' }, '7'],
    [{ __name__: 'queue_depth', ...ID }, '7'],
    [{ __name__: 'gpu_utilization_ratio', ...ID, gpu: '0' }, '0.75'],
    [{ __name__: 'gen_ai_client_operation_duration_seconds_bucket', ...ID, gen_ai_request_model: 'llama-3', le: '0.1' }, '1'],
    [{ __name__: 'gen_ai_client_operation_duration_seconds_bucket', ...ID, gen_ai_request_model: 'llama-3', le: '1' }, '2'],
    [{ __name__: 'gen_ai_client_operation_duration_seconds_bucket', ...ID, gen_ai_request_model: 'llama-3', le: '+Inf' }, '3'],
    [{ __name__: 'gen_ai_client_operation_duration_seconds_sum', ...ID, gen_ai_request_model: 'llama-3' }, '2.35'],
    [{ __name__: 'gen_ai_client_operation_duration_seconds_count', ...ID, gen_ai_request_model: 'llama-3' }, '3'],
    [{ __name__: 'target_info', ...ID, host_name: 'node-7' }, '1'],
  ];
  for (const [labels, v] of want) {
    const samples = got.get(seriesKey(labels));
    assert.ok(samples, `missing ${seriesKey(labels)}; Prometheus has:\n${[...got.keys()].join('\n')}`);
    assert.deepEqual(
      samples.map((s) => s.v),
      [v],
      seriesKey(labels),
    );
    assert.equal(samples[0]!.t, endMs, `timestamp of ${seriesKey(labels)} is the data point's end time`);
  }
  assert.equal(got.size, want.length, `unexpected float series:\n${[...got.keys()].join('\n')}`);

  // The exponential histogram is a native histogram: count, sum and bucket boundaries follow from the SDK's point.
  const eh = (await prom.query('gen_ai_client_token_usage')).result as Array<{ metric: Record<string, string>; histogram: [number, { count: string; sum: string; buckets: [number, string, string, string][] }] }>;
  assert.equal(eh.length, 1);
  assert.deepEqual(eh[0]!.metric, { __name__: 'gen_ai_client_token_usage', ...ID, gen_ai_token_type: 'input' });
  const h = eh[0]!.histogram[1];
  assert.equal(h.count, '4');
  assert.equal(h.sum, '107');
  const dp = points.get('gen_ai.client.token.usage')!;
  assert.equal(dp.dataPointType, DataPointType.EXPONENTIAL_HISTOGRAM);
  const ev = dp.dataPoints[0]!.value as ExponentialHistogram;
  const schema = Math.min(ev.scale, 8);
  const shift = ev.scale - schema;
  const expected = new Map<number, number>(); // native index → count
  ev.positive.bucketCounts.forEach((c, i) => {
    if (c > 0) expected.set(((ev.positive.offset + i) >> shift) + 1, (expected.get(((ev.positive.offset + i) >> shift) + 1) ?? 0) + c);
  });
  const base = 2 ** (2 ** -schema);
  const wantBuckets = [...expected].sort((a, b) => a[0] - b[0]).map(([idx, c]) => [base ** (idx - 1), base ** idx, c]);
  const gotBuckets = h.buckets.filter((b) => Number(b[3]) > 0).map((b) => [Number(b[1]), Number(b[2]), Number(b[3])]);
  assert.equal(gotBuckets.length, wantBuckets.length, JSON.stringify({ gotBuckets, wantBuckets }));
  gotBuckets.forEach((b, i) => {
    assert.ok(Math.abs(b[0]! - wantBuckets[i]![0]!) <= 1e-9 * wantBuckets[i]![0]!, `lower bound ${b[0]} vs ${wantBuckets[i]![0]}`);
    assert.ok(Math.abs(b[1]! - wantBuckets[i]![1]!) <= 1e-9 * wantBuckets[i]![1]!, `upper bound ${b[1]} vs ${wantBuckets[i]![1]}`);
    assert.equal(b[2], wantBuckets[i]![2]);
  });
  // each recorded value falls in a bucket that counts it
  for (const v of [1, 3, 100]) assert.ok(gotBuckets.some((b) => b[0]! < v && v <= b[1]!), `a bucket holds ${v}`);

  // Metadata entries are checked in translate.test.ts: Prometheus 2.42 keeps remote-written
  // metadata out of /api/v1/metadata (it only serves what it scraped).
});
