// The OpenTelemetry JS SDK's metric exporters (gRPC, HTTP/protobuf, HTTP/JSON)
// send to a running gateway; every metric is read back from the file
// exporter's output and compared field by field with what the SDK collected.
// (The SDK emits no summaries and no exemplars: handbuilt.test.ts covers them.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { IMetric, Metrics } from '../../../src/pdata/proto.js';
import { FLAVORS, exportOk, metricExporter, recordingMeter, type OtlpFlavor } from '../../helpers/otlp-sdk.js';
import { startFileGateway, type FileGateway } from './filegateway.js';
import { flavorOf, hrNanos, nanos, num, tagAttrs, tagJsAttrs } from './normalize.js';

let gw: FileGateway;
const sent = new Map<OtlpFlavor, ResourceMetrics>();
let received: Metrics[] = [];

// JSON goes out as delta, the others as cumulative: both temporalities cross the gateway.
const temporalityOf = (f: OtlpFlavor) => (f === 'http/json' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE);

async function produce(flavor: OtlpFlavor): Promise<ResourceMetrics> {
  const rec = recordingMeter(
    resourceFromAttributes({ 'service.name': 'inference', 'test.flavor': flavor, 'gpu.count': 8 }),
    [{ instrumentName: 'llm.tokens.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    temporalityOf(flavor),
  );
  const meter = rec.meter('llm-meter', '0.9.0', 'https://opentelemetry.io/schemas/1.30.0');
  const requests = meter.createCounter('llm.requests', { description: 'Requests served', unit: '{request}' });
  requests.add(3, { route: '/chat', ok: true });
  requests.add(2, { route: '/embed', ok: false });
  const tokens = meter.createCounter('llm.tokens', { valueType: ValueType.INT, unit: '{token}' });
  tokens.add(1200, { model: 'llama-3-70b' });
  const inflight = meter.createUpDownCounter('llm.inflight', { valueType: ValueType.INT });
  inflight.add(5);
  inflight.add(-2);
  meter.createGauge('gpu.temperature', { unit: 'Cel' }).record(71.5, { gpu: '0' });
  meter.createGauge('queue.depth', { valueType: ValueType.INT }).record(7);
  const latency = meter.createHistogram('llm.latency', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1, 10] } });
  for (const v of [0.05, 0.5, 0.7, 5, 50]) latency.record(v, { model: 'llama-3-70b' });
  const exp = meter.createHistogram('llm.tokens.exp', { unit: '{token}' });
  for (const v of [0, 1, 2, 4, 100, 1000]) exp.record(v);
  const rm = await rec.collect();
  await rec.shutdown();
  return rm;
}

before(async () => {
  gw = await startFileGateway();
  try {
    for (const flavor of FLAVORS) {
      const rm = await produce(flavor);
      sent.set(flavor, rm);
      const exporter = metricExporter(flavor, { grpcPort: gw.grpcPort, httpPort: gw.httpPort, gzip: flavor === 'grpc' }, temporalityOf(flavor));
      await exportOk(exporter, rm);
      await exporter.shutdown();
    }
    received = (await gw.stopAndRead()).metrics;
  } finally {
    await gw.stop();
  }
});

after(() => gw?.stop());

const OTLP_TEMPORALITY = (t: AggregationTemporality) => (t === AggregationTemporality.DELTA ? 1 : 2);
const byAttrs = <T extends { attrs: unknown }>(a: T, b: T) => JSON.stringify(a.attrs).localeCompare(JSON.stringify(b.attrs));

/** The SDK's metric as the OTLP fields it must become. */
function expected(m: MetricData) {
  const head = { name: m.descriptor.name, description: m.descriptor.description, unit: m.descriptor.unit };
  const temporality = OTLP_TEMPORALITY(m.aggregationTemporality);
  const times = (p: { startTime: [number, number]; endTime: [number, number]; attributes: object }) => ({
    attrs: tagJsAttrs(p.attributes as Record<string, unknown>),
    start: hrNanos(p.startTime),
    time: hrNanos(p.endTime),
  });
  const value = (v: number) => (m.descriptor.valueType === ValueType.INT ? { i: String(v) } : { d: v });
  switch (m.dataPointType) {
    case DataPointType.SUM:
      return { ...head, sum: { isMonotonic: m.isMonotonic, temporality, points: m.dataPoints.map((p) => ({ ...times(p), value: value(p.value) })).sort(byAttrs) } };
    case DataPointType.GAUGE:
      return { ...head, gauge: { points: m.dataPoints.map((p) => ({ ...times(p), value: value(p.value) })).sort(byAttrs) } };
    case DataPointType.HISTOGRAM:
      return {
        ...head,
        histogram: {
          temporality,
          points: m.dataPoints
            .map((p) => ({
              ...times(p),
              count: p.value.count,
              sum: p.value.sum,
              min: p.value.min,
              max: p.value.max,
              bounds: p.value.buckets.boundaries,
              counts: p.value.buckets.counts,
            }))
            .sort(byAttrs),
        },
      };
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return {
        ...head,
        exponentialHistogram: {
          temporality,
          points: m.dataPoints
            .map((p) => ({
              ...times(p),
              count: p.value.count,
              sum: p.value.sum,
              min: p.value.min,
              max: p.value.max,
              scale: p.value.scale,
              zeroCount: p.value.zeroCount,
              positive: { offset: p.value.positive.offset, counts: p.value.positive.bucketCounts },
              negative: { offset: p.value.negative.offset, counts: p.value.negative.bucketCounts },
            }))
            .sort(byAttrs),
        },
      };
  }
}

/** The received OTLP metric in the same shape. */
function actual(m: IMetric) {
  const head = { name: m.name ?? '', description: m.description ?? '', unit: m.unit ?? '' };
  const times = (p: { attributes?: any; startTimeUnixNano?: any; timeUnixNano?: any }) => ({
    attrs: tagAttrs(p.attributes),
    start: nanos(p.startTimeUnixNano),
    time: nanos(p.timeUnixNano),
  });
  const value = (p: { asInt?: any; asDouble?: number | null }) => (p.asInt != null ? { i: nanos(p.asInt) } : { d: p.asDouble });
  if (m.sum) {
    const points = (m.sum.dataPoints ?? []).map((p) => ({ ...times(p), value: value(p) })).sort(byAttrs);
    return { ...head, sum: { isMonotonic: m.sum.isMonotonic ?? false, temporality: m.sum.aggregationTemporality, points } };
  }
  if (m.gauge) return { ...head, gauge: { points: (m.gauge.dataPoints ?? []).map((p) => ({ ...times(p), value: value(p) })).sort(byAttrs) } };
  if (m.histogram) {
    const points = (m.histogram.dataPoints ?? []).map((p) => ({
      ...times(p),
      count: num(p.count),
      sum: p.sum ?? undefined,
      min: p.min ?? undefined,
      max: p.max ?? undefined,
      bounds: p.explicitBounds ?? [],
      counts: (p.bucketCounts ?? []).map(num),
    }));
    return { ...head, histogram: { temporality: m.histogram.aggregationTemporality, points: points.sort(byAttrs) } };
  }
  if (m.exponentialHistogram) {
    const points = (m.exponentialHistogram.dataPoints ?? []).map((p) => ({
      ...times(p),
      count: num(p.count),
      sum: p.sum ?? undefined,
      min: p.min ?? undefined,
      max: p.max ?? undefined,
      scale: p.scale ?? 0,
      zeroCount: num(p.zeroCount),
      positive: { offset: p.positive?.offset ?? 0, counts: (p.positive?.bucketCounts ?? []).map(num) },
      negative: { offset: p.negative?.offset ?? 0, counts: (p.negative?.bucketCounts ?? []).map(num) },
    }));
    return { ...head, exponentialHistogram: { temporality: m.exponentialHistogram.aggregationTemporality, points: points.sort(byAttrs) } };
  }
  return { ...head, unknown: true };
}

function requestOf(flavor: OtlpFlavor): Metrics {
  const found = received.filter((r) => r.resourceMetrics?.some((rm) => flavorOf(rm.resource?.attributes) === flavor));
  assert.equal(found.length, 1, `one request from ${flavor} in the file`);
  return found[0]!;
}

for (const flavor of FLAVORS) {
  test(`${flavor}: sums, gauges, histograms and exponential histograms arrive intact`, () => {
    const rm = sent.get(flavor)!;
    const req = requestOf(flavor);
    assert.equal(req.resourceMetrics!.length, 1);
    const got = req.resourceMetrics![0]!;
    assert.deepEqual(tagAttrs(got.resource?.attributes), tagJsAttrs(rm.resource.attributes as Record<string, unknown>), 'resource');
    assert.equal(got.scopeMetrics!.length, rm.scopeMetrics.length);
    for (const sm of rm.scopeMetrics) {
      const gsm = got.scopeMetrics!.find((s) => s.scope?.name === sm.scope.name)!;
      assert.ok(gsm, `scope ${sm.scope.name}`);
      assert.equal(gsm.scope?.version ?? '', sm.scope.version ?? '');
      assert.equal(gsm.schemaUrl ?? '', sm.scope.schemaUrl ?? '');
      assert.equal(gsm.metrics!.length, sm.metrics.length, 'metric count');
      for (const m of sm.metrics) {
        const gm = gsm.metrics!.find((x) => x.name === m.descriptor.name);
        assert.ok(gm, `metric ${m.descriptor.name} received`);
        assert.deepEqual(actual(gm), expected(m), `metric ${m.descriptor.name}`);
      }
    }
  });
}

test('metric types and values, literally (independent of the SDK model)', () => {
  const metrics = requestOf('grpc').resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
  const get = (n: string) => metrics.find((m) => m.name === n)!;
  assert.equal(get('llm.requests').sum?.isMonotonic, true);
  assert.equal(get('llm.requests').sum?.aggregationTemporality, 2);
  assert.equal(get('llm.inflight').sum?.isMonotonic ?? false, false);
  assert.equal(nanos(get('llm.inflight').sum!.dataPoints![0]!.asInt), '3');
  assert.equal(nanos(get('llm.tokens').sum!.dataPoints![0]!.asInt), '1200');
  assert.equal(get('gpu.temperature').gauge!.dataPoints![0]!.asDouble, 71.5);
  assert.equal(nanos(get('queue.depth').gauge!.dataPoints![0]!.asInt), '7');
  const h = get('llm.latency').histogram!.dataPoints![0]!;
  assert.deepEqual(h.explicitBounds, [0.1, 1, 10]);
  assert.deepEqual(h.bucketCounts!.map(num), [1, 2, 1, 1]);
  assert.equal(num(h.count), 5);
  const e = get('llm.tokens.exp').exponentialHistogram!.dataPoints![0]!;
  assert.equal(num(e.count), 6);
  assert.equal(num(e.zeroCount), 1);
  assert.equal(e.max, 1000);
  assert.equal(requestOf('http/json').resourceMetrics![0]!.scopeMetrics![0]!.metrics!.find((m) => m.name === 'llm.requests')!.sum!.aggregationTemporality, 1);
});
