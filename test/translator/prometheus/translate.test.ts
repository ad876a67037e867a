import assert from 'node:assert/strict';
import { test } from 'node:test';
import Long from 'long';
import type { IKeyValue, IMetric, ITimeSeries, Metrics, PromWrite } from '../../../src/pdata/proto.js';
import { MetricType } from '../../../src/pdata/proto.js';
import { DeltaToCumulative, isStaleNaN, otlpToPromWrite, otlpToPromWriteWithDrops } from '../../../src/translator/prometheus/index.js';

const T0 = Long.fromString('1700000000123456789'); // ns
const T0_MS = 1700000000123;
const CUMULATIVE = 2;
const DELTA = 1;

function attrs(o: Record<string, string | number | boolean>): IKeyValue[] {
  return Object.entries(o).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v },
  }));
}

const RESOURCE = attrs({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-1', 'host.name': 'node-7' });

function md(metrics: IMetric[], resource = RESOURCE): Metrics {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'test' }, metrics }] }] };
}

/** Series as `name{a="b",...}` → values, for readable assertions. */
function flat(req: PromWrite): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const ts of req.timeseries ?? []) out.set(key(ts), (ts.samples ?? []).map((s) => s.value ?? 0));
  return out;
}
function key(ts: ITimeSeries): string {
  const ls = ts.labels ?? [];
  const name = ls.find((l) => l.name === '__name__')?.value ?? '';
  const rest = ls.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`);
  return `${name}{${rest.join(',')}}`;
}
function find(req: PromWrite, k: string): ITimeSeries {
  const ts = (req.timeseries ?? []).find((t) => key(t) === k);
  assert.ok(ts, `no series ${k}; have:\n${(req.timeseries ?? []).map(key).join('\n')}`);
  return ts;
}

const ID = 'instance="pod-1",job="shop/checkout"';

test('counter: _total, job/instance on every series, target_info with the other resource attributes', () => {
  const req = otlpToPromWrite(
    md([{ name: 'http.server.requests', unit: '{request}', description: 'Requests served.', sum: { isMonotonic: true, aggregationTemporality: CUMULATIVE, dataPoints: [{ attributes: attrs({ 'http.method': 'GET', code: 200 }), timeUnixNano: T0, asInt: 42 }] } }]),
  );
  const f = flat(req);
  assert.deepEqual(f.get(`http_server_requests_total{code="200",http_method="GET",${ID}}`), [42]);
  assert.deepEqual(f.get(`target_info{host_name="node-7",${ID}}`), [1]);
  const s = find(req, `http_server_requests_total{code="200",http_method="GET",${ID}}`);
  assert.equal(Number(s.samples![0]!.timestamp), T0_MS);
  // labels sorted by name, as remote-write requires
  const names = s.labels!.map((l) => l.name!);
  assert.deepEqual(names, [...names].sort());
  const meta = req.metadata!.find((m) => m.metricFamilyName === 'http_server_requests_total')!;
  assert.equal(meta.type, MetricType.COUNTER);
  assert.equal(meta.help, 'Requests served.');
  assert.equal(req.metadata!.find((m) => m.metricFamilyName === 'target_info')!.type, MetricType.GAUGE);
});

test('up-down counter and gauges: no _total; unit 1 gauge gets _ratio; doubles kept', () => {
  const req = otlpToPromWrite(
    md([
      { name: 'queue.depth', unit: '{item}', sum: { isMonotonic: false, aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: T0, asInt: -3 }] } },
      { name: 'gpu.utilization', unit: '1', gauge: { dataPoints: [{ timeUnixNano: T0, asDouble: 0.75 }] } },
      { name: 'mem.used', unit: 'By', gauge: { dataPoints: [{ timeUnixNano: T0, asInt: Long.fromNumber(2 ** 40) }] } },
    ]),
  );
  const f = flat(req);
  assert.deepEqual(f.get(`queue_depth{${ID}}`), [-3]);
  assert.deepEqual(f.get(`gpu_utilization_ratio{${ID}}`), [0.75]);
  assert.deepEqual(f.get(`mem_used_bytes{${ID}}`), [2 ** 40]);
  assert.equal(req.metadata!.find((m) => m.metricFamilyName === 'queue_depth')!.type, MetricType.GAUGE);
});

test('histogram: cumulative _bucket series with le up to +Inf, _sum, _count; exemplars land in their bucket', () => {
  const traceId = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
  const spanId = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');
  const req = otlpToPromWrite(
    md([
      {
        name: 'http.server.request.duration',
        unit: 's',
        histogram: {
          aggregationTemporality: CUMULATIVE,
          dataPoints: [
            {
              attributes: attrs({ route: '/a' }),
              timeUnixNano: T0,
              count: 10,
              sum: 3.5,
              explicitBounds: [0.005, 0.1, 1],
              bucketCounts: [1, 4, 3, 2],
              exemplars: [{ asDouble: 0.05, timeUnixNano: T0, traceId, spanId, filteredAttributes: attrs({ user: 'u1' }) }],
            },
          ],
        },
      },
    ]),
  );
  const f = flat(req);
  const b = (le: string) => f.get(`http_server_request_duration_seconds_bucket{${ID},le="${le}",route="/a"}`);
  assert.deepEqual(b('0.005'), [1]);
  assert.deepEqual(b('0.1'), [5]);
  assert.deepEqual(b('1'), [8]);
  assert.deepEqual(b('+Inf'), [10]);
  assert.deepEqual(f.get(`http_server_request_duration_seconds_sum{${ID},route="/a"}`), [3.5]);
  assert.deepEqual(f.get(`http_server_request_duration_seconds_count{${ID},route="/a"}`), [10]);
  const ex = find(req, `http_server_request_duration_seconds_bucket{${ID},le="0.1",route="/a"}`).exemplars!;
  assert.equal(ex.length, 1);
  assert.equal(ex[0]!.value, 0.05);
  assert.deepEqual(
    ex[0]!.labels!.map((l) => [l.name, l.value]),
    [
      ['trace_id', '0102030405060708090a0b0c0d0e0f10'],
      ['span_id', 'a1a2a3a4a5a6a7a8'],
      ['user', 'u1'],
    ],
  );
  assert.equal(req.metadata!.find((m) => m.metricFamilyName === 'http_server_request_duration_seconds')!.unit, 'seconds');
});

test('histogram without sum writes no _sum series', () => {
  const req = otlpToPromWrite(md([{ name: 'h', histogram: { aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: T0, count: 2, bucketCounts: [2], explicitBounds: [] }] } }]));
  const f = flat(req);
  assert.equal(f.has(`h_sum{${ID}}`), false);
  assert.deepEqual(f.get(`h_bucket{${ID},le="+Inf"}`), [2]);
});

test('exponential histogram → native histogram: schema, zero bucket, spans and deltas', () => {
  const req = otlpToPromWrite(
    md([
      {
        name: 'latency',
        unit: 'ms',
        exponentialHistogram: {
          aggregationTemporality: CUMULATIVE,
          dataPoints: [
            {
              timeUnixNano: T0,
              count: 12,
              sum: 99.5,
              scale: 2,
              zeroCount: 1,
              zeroThreshold: 0,
              // OTLP index -2 ..2 → native index -1 .. 3; gap of 3 empty buckets splits the span
              positive: { offset: -2, bucketCounts: [1, 0, 0, 0, 3, 2] },
              negative: { offset: 0, bucketCounts: [4, 0, 1] },
            },
          ],
        },
      },
    ]),
  );
  const ts = find(req, `latency_milliseconds{${ID}}`);
  assert.equal(ts.samples!.length, 0);
  const h = ts.histograms![0]!;
  assert.equal(h.schema, 2);
  assert.equal(Number(h.countInt), 12);
  assert.equal(h.sum, 99.5);
  assert.equal(Number(h.zeroCountInt), 1);
  assert.equal(h.zeroThreshold, 1e-128);
  assert.deepEqual(h.positiveSpans, [
    { offset: -1, length: 1 },
    { offset: 3, length: 2 },
  ]);
  assert.deepEqual(h.positiveDeltas, [1, 2, -1]);
  // a gap of one empty bucket stays inside the span as a zero
  assert.deepEqual(h.negativeSpans, [{ offset: 1, length: 3 }]);
  assert.deepEqual(h.negativeDeltas, [4, -4, 1]);
  assert.equal(Number(h.timestamp), T0_MS);
  assert.equal(req.metadata!.find((m) => m.metricFamilyName === 'latency_milliseconds')!.type, MetricType.HISTOGRAM);
});

test('exponential histogram scale above 8 is merged down to schema 8', () => {
  const req = otlpToPromWrite(
    md([
      {
        name: 'x',
        exponentialHistogram: {
          aggregationTemporality: CUMULATIVE,
          // scale 10: 4 OTLP buckets per schema-8 bucket. OTLP 0..3 → 0, 4..7 → 1
          dataPoints: [{ timeUnixNano: T0, count: 15, sum: 1, scale: 10, positive: { offset: 0, bucketCounts: [1, 2, 3, 4, 5] } }],
        },
      },
    ]),
  );
  const h = find(req, `x{${ID}}`).histograms![0]!;
  assert.equal(h.schema, 8);
  assert.deepEqual(h.positiveSpans, [{ offset: 1, length: 2 }]);
  assert.deepEqual(h.positiveDeltas, [10, -5]);
});

test('exponential histogram with scale below -4 is refused and counted', () => {
  const r = otlpToPromWriteWithDrops(md([{ name: 'x', exponentialHistogram: { aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: T0, count: 1, scale: -5 }] } }]));
  assert.deepEqual(r.dropped, [{ reason: 'TG_INVALID_DATA', count: 1 }]);
  assert.equal(r.request.timeseries!.filter((t) => key(t).startsWith('x{')).length, 0);
});

test('summary → quantile series, _sum and _count', () => {
  const req = otlpToPromWrite(
    md([
      {
        name: 'rpc.duration',
        unit: 's',
        summary: {
          dataPoints: [
            {
              timeUnixNano: T0,
              count: 7,
              sum: 2.25,
              quantileValues: [
                { quantile: 0.5, value: 0.2 },
                { quantile: 0.99, value: 1.1 },
              ],
            },
          ],
        },
      },
    ]),
  );
  const f = flat(req);
  assert.deepEqual(f.get(`rpc_duration_seconds{${ID},quantile="0.5"}`), [0.2]);
  assert.deepEqual(f.get(`rpc_duration_seconds{${ID},quantile="0.99"}`), [1.1]);
  assert.deepEqual(f.get(`rpc_duration_seconds_sum{${ID}}`), [2.25]);
  assert.deepEqual(f.get(`rpc_duration_seconds_count{${ID}}`), [7]);
  assert.equal(req.metadata!.find((m) => m.metricFamilyName === 'rpc_duration_seconds')!.type, MetricType.SUMMARY);
});

test('no recorded value → the stale marker NaN bit pattern', () => {
  const req = otlpToPromWrite(
    md([
      { name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, asDouble: 5, flags: 1 }] } },
      { name: 'h', histogram: { aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: T0, count: 1, sum: 1, bucketCounts: [1, 0], explicitBounds: [1], flags: 1 }] } },
      { name: 'e', exponentialHistogram: { aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: T0, count: 1, sum: 1, flags: 1 }] } },
    ]),
  );
  assert.ok(isStaleNaN(find(req, `g{${ID}}`).samples![0]!.value!));
  assert.ok(isStaleNaN(find(req, `h_bucket{${ID},le="1"}`).samples![0]!.value!));
  assert.ok(isStaleNaN(find(req, `h_count{${ID}}`).samples![0]!.value!));
  assert.ok(isStaleNaN(find(req, `e{${ID}}`).histograms![0]!.sum!));
  assert.equal(isStaleNaN(NaN), false);
});

test('colliding label names merge their values with ; in key order', () => {
  const req = otlpToPromWrite(md([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, asInt: 1, attributes: attrs({ a_b: 'two', 'a.b': 'one' }) }] } }]));
  assert.deepEqual(flat(req).get(`g{a_b="one;two",${ID}}`), [1]);
});

test('resource attributes: promoted ones, or all with resource_to_telemetry_conversion; point attributes win', () => {
  const m = () => md([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, asInt: 1, attributes: attrs({ 'host.name': 'override' }) }] } }], attrs({ 'service.name': 'svc', 'k8s.pod.name': 'p1', 'host.name': 'n1', 'cloud.region': 'eu' }));
  let f = flat(otlpToPromWrite(m(), { promoteResourceAttributes: ['k8s.pod.name'] }));
  assert.deepEqual(f.get('g{host_name="override",job="svc",k8s_pod_name="p1"}'), [1]);
  f = flat(otlpToPromWrite(m(), { resourceToTelemetryConversion: true }));
  assert.deepEqual(f.get('g{cloud_region="eu",host_name="override",job="svc",k8s_pod_name="p1",service_name="svc"}'), [1]);
  f = flat(otlpToPromWrite(m(), { targetInfo: false, extraLabels: { cluster: 'c1', job: 'ignored' } }));
  assert.deepEqual([...f.keys()], ['g{cluster="c1",host_name="override",job="svc"}']);
});

test('no service.namespace: job is the service name alone; no other attributes: no target_info', () => {
  const f = flat(otlpToPromWrite(md([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: T0, asInt: 1 }] } }], attrs({ 'service.name': 'api' }))));
  assert.deepEqual([...f.keys()], ['g{job="api"}']);
});

test('delta sums are refused and counted without a converter', () => {
  const r = otlpToPromWriteWithDrops(md([{ name: 'c', sum: { isMonotonic: true, aggregationTemporality: DELTA, dataPoints: [{ timeUnixNano: T0, asInt: 1 }, { timeUnixNano: T0, asInt: 2 }] } }]));
  assert.deepEqual(r.dropped, [{ reason: 'TG_DELTA_TEMPORALITY', count: 2 }]);
  assert.equal(r.request.timeseries!.some((t) => key(t).startsWith('c_total')), false);
});

test('delta sums and histograms become cumulative with a converter; duplicates are refused, not double counted', () => {
  const delta = new DeltaToCumulative();
  const ns = (s: number) => Long.fromNumber(1_700_000_000_000 + s * 1000).multiply(1_000_000);
  const batch = (start: number, end: number, v: number) =>
    md([
      { name: 'tokens', unit: '{token}', sum: { isMonotonic: true, aggregationTemporality: DELTA, dataPoints: [{ startTimeUnixNano: ns(start), timeUnixNano: ns(end), asInt: v }] } },
      {
        name: 'lat',
        unit: 's',
        histogram: { aggregationTemporality: DELTA, dataPoints: [{ startTimeUnixNano: ns(start), timeUnixNano: ns(end), count: v, sum: v, explicitBounds: [1], bucketCounts: [v, 0] }] },
      },
      {
        name: 'elat',
        exponentialHistogram: { aggregationTemporality: DELTA, dataPoints: [{ startTimeUnixNano: ns(start), timeUnixNano: ns(end), count: v, sum: v, scale: end === 2 ? 1 : 0, positive: { offset: 0, bucketCounts: [v] } }] },
      },
    ]);
  let r = otlpToPromWriteWithDrops(batch(0, 1, 5), { delta });
  assert.deepEqual(flat(r.request).get(`tokens_total{${ID}}`), [5]);
  r = otlpToPromWriteWithDrops(batch(1, 2, 3), { delta });
  const f = flat(r.request);
  assert.deepEqual(f.get(`tokens_total{${ID}}`), [8]);
  assert.deepEqual(f.get(`lat_seconds_count{${ID}}`), [8]);
  assert.deepEqual(f.get(`lat_seconds_bucket{${ID},le="1"}`), [8]);
  // scale changed 0 → 1: merged at the coarser scale 0
  const h = find(r.request, `elat{${ID}}`).histograms![0]!;
  assert.equal(h.schema, 0);
  assert.equal(Number(h.countInt), 8);
  assert.deepEqual(h.positiveSpans, [{ offset: 1, length: 1 }]);
  assert.deepEqual(h.positiveDeltas, [8]);
  assert.deepEqual(r.dropped, []);
  // the same batch again (an at-least-once redelivery) is refused
  r = otlpToPromWriteWithDrops(batch(1, 2, 3), { delta });
  assert.deepEqual(r.dropped, [{ reason: 'TG_DELTA_OUT_OF_ORDER', count: 3 }]);
});

test('delta converter is bounded by its series limit and forgets stale series', () => {
  let now = 0;
  const delta = new DeltaToCumulative({ maxSeries: 2, maxStaleMs: 60_000, now: () => now });
  const one = (series: string, end: number) =>
    otlpToPromWriteWithDrops(md([{ name: 'c', sum: { isMonotonic: true, aggregationTemporality: DELTA, dataPoints: [{ attributes: attrs({ series }), startTimeUnixNano: end - 1, timeUnixNano: end, asInt: 1 }] } }]), { delta });
  assert.deepEqual(one('a', 2e6).dropped, []);
  assert.deepEqual(one('b', 2e6).dropped, []);
  assert.deepEqual(one('c', 2e6).dropped, [{ reason: 'TG_DELTA_SERIES_LIMIT', count: 1 }]);
  now = 120_000;
  assert.deepEqual(one('c', 3e6).dropped, []);
  assert.equal(delta.size(), 1);
});

test('sum with unspecified temporality is refused as invalid', () => {
  const r = otlpToPromWriteWithDrops(md([{ name: 'c', sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: T0, asInt: 1 }] } }]));
  assert.deepEqual(r.dropped, [{ reason: 'TG_INVALID_DATA', count: 1 }]);
});

test('samples of one series in one request are in timestamp order', () => {
  const req = otlpToPromWrite(
    md([
      {
        name: 'g',
        gauge: {
          dataPoints: [
            { timeUnixNano: 3_000_000, asInt: 3 },
            { timeUnixNano: 1_000_000, asInt: 1 },
          ],
        },
      },
    ]),
  );
  const s = find(req, `g{${ID}}`).samples!;
  assert.deepEqual(
    s.map((x) => [Number(x.timestamp), x.value]),
    [
      [1, 1],
      [3, 3],
    ],
  );
});

test('rule-given names win over attributes of the same name; labels stay sorted with upper-case keys', () => {
  const req = otlpToPromWrite(
    md([{ name: 'h', histogram: { aggregationTemporality: CUMULATIVE, dataPoints: [{ timeUnixNano: T0, count: 1, bucketCounts: [1, 0], explicitBounds: [1], attributes: attrs({ le: 'x', Zone: 'A', __name__: 'evil' }) }] } }]),
  );
  const ts = find(req, `h_bucket{Zone="A",${ID},le="1"}`);
  const names = ts.labels!.map((l) => l.name!);
  assert.deepEqual(names, ['Zone', '__name__', 'instance', 'job', 'le']);
  assert.ok(flat(req).has(`h_count{Zone="A",${ID},le="x"}`), "only the bucket series replace le");
});
