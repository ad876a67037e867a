// Cutting batches into Kafka messages (no broker needed): every part fits the
// budget, nothing is lost or reordered, structure (resource, scope, metric) is
// kept, and a leaf that alone is too large is reported, not sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countItems } from '../../../src/pdata/count.js';
import { encodeProto } from '../../../src/pdata/otlpjson.js';
import { ExportMetricsServiceRequest, ExportTraceServiceRequest, WriteRequest, type Metrics, type Traces } from '../../../src/pdata/proto.js';
import type { PromMetrics } from '../../../src/component/signal.js';
import { metricsByResource } from '../../../src/exporters/kafka/keys.js';
import { metricsShape, promShape, tracesByTraceId, tracesShape } from '../../../src/exporters/kafka/shapes.js';
import { pack } from '../../../src/exporters/kafka/split.js';
import { otlpPoints, otlpSpans } from '../../kafka/normalize.js';

const enc = (t: Traces) => Buffer.from(encodeProto('traces', t));
const encM = (m: Metrics) => Buffer.from(encodeProto('metrics', m));
const encP = (p: PromMetrics) => Buffer.from(WriteRequest.encode(p.request).finish());

function traces(resources: number, spansPer: number, pad = 0, traceIds = 1000): Traces {
  let n = 0;
  return {
    resourceSpans: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${r}` } }] },
      schemaUrl: `https://schema/${r}`,
      scopeSpans: [0, 1].map((s) => ({
        scope: { name: `scope-${s}`, version: '1' },
        spans: Array.from({ length: spansPer }, () => {
          const i = n++;
          const traceId = Buffer.alloc(16);
          traceId.writeUInt32BE(i % traceIds, 12);
          const spanId = Buffer.alloc(8);
          spanId.writeUInt32BE(i, 4);
          return { traceId, spanId, name: `span-${i}`, attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(pad) } }] };
        }),
      })),
    })),
  };
}

test('a batch under the budget is one message, encoded once', () => {
  const t = traces(2, 5);
  const p = pack(tracesShape, [{ key: undefined, data: t }], enc, () => 1_000_000);
  assert.equal(p.messages.length, 1);
  assert.equal(p.messages[0]!.items, 20);
  assert.deepEqual(p.messages[0]!.value, enc(t));
  assert.equal(p.tooLargeItems, 0);
});

test('a batch ten times the budget is cut into parts that each fit, losing and reordering nothing', () => {
  const t = traces(3, 100, 300);
  const budget = Math.ceil(enc(t).length / 10);
  const p = pack(tracesShape, [{ key: undefined, data: t }], enc, () => budget);
  assert.ok(p.messages.length >= 10, `${p.messages.length} parts`);
  for (const m of p.messages) assert.ok(m.value.length <= budget, `${m.value.length} <= ${budget}`);
  const back = p.messages.map((m) => ExportTraceServiceRequest.decode(m.value));
  assert.deepEqual(otlpSpans(back), otlpSpans([t]), 'same spans, same order, same resource/scope');
  assert.equal(
    p.messages.reduce((n, m) => n + m.items, 0),
    600,
  );
  // resource schema URLs travel with their spans
  for (const b of back) for (const rs of b.resourceSpans ?? []) assert.match(rs.schemaUrl ?? '', /^https:\/\/schema\/\d$/);
});

test('a span that alone exceeds the budget is reported, the rest is sent', () => {
  const t = traces(1, 10, 50);
  t.resourceSpans![0]!.scopeSpans![0]!.spans![3]!.attributes = [{ key: 'blob', value: { stringValue: 'y'.repeat(5000) } }];
  const p = pack(tracesShape, [{ key: undefined, data: t }], enc, () => 2000);
  assert.equal(p.tooLargeItems, 1);
  assert.ok(p.tooLargeBytes > 5000);
  const names = otlpSpans(p.messages.map((m) => ExportTraceServiceRequest.decode(m.value))).map((s) => JSON.parse(s).name);
  assert.equal(names.length, 19);
  assert.ok(!names.includes('span-3'));
});

test('trace partitioning: one piece per trace, keyed by the trace ID in hex', () => {
  const t = traces(2, 30, 0, 7);
  const pieces = tracesByTraceId(t);
  assert.equal(pieces.length, 7);
  let total = 0;
  for (const p of pieces) {
    const ids = new Set(tracesShape.leaves(p.data).map((l) => Buffer.from(l.x.traceId!).toString('hex')));
    assert.deepEqual([...ids], [p.key]);
    total += countItems('traces', p.data);
  }
  assert.equal(total, 120);
});

test('metrics are cut between data points of one metric, keeping its type and temporality', () => {
  const m: Metrics = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'host', value: { stringValue: 'a' } }] },
        scopeMetrics: [
          {
            scope: { name: 's' },
            metrics: [
              {
                name: 'requests',
                unit: '1',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: Array.from({ length: 400 }, (_, i) => ({ asInt: i, timeUnixNano: 1000 + i, attributes: [{ key: 'k', value: { stringValue: `v${i}`.padEnd(40, '.') } }] })),
                },
              },
              { name: 'empty', gauge: { dataPoints: [] } },
            ],
          },
        ],
      },
    ],
  };
  const budget = Math.ceil(encM(m).length / 4);
  const p = pack(metricsShape, [{ key: undefined, data: m }], encM, () => budget);
  assert.ok(p.messages.length >= 4);
  const back = p.messages.map((x) => ExportMetricsServiceRequest.decode(x.value));
  assert.deepEqual(otlpPoints(back), otlpPoints([m]));
  for (const b of back) {
    for (const metric of b.resourceMetrics![0]!.scopeMetrics![0]!.metrics!) {
      if (metric.name === 'requests') {
        assert.equal(metric.sum!.aggregationTemporality, 2);
        assert.equal(metric.sum!.isMonotonic, true);
      }
    }
  }
  assert.equal(back.flatMap((b) => b.resourceMetrics![0]!.scopeMetrics![0]!.metrics!).filter((x) => x.name === 'empty').length, 1, 'a metric without points still travels once');
});

test('resource partitioning groups equal resources whatever their attribute order', () => {
  const res = (a: string, b: string) => ({ attributes: [{ key: a, value: { stringValue: a } }, { key: b, value: { stringValue: b } }] });
  const m: Metrics = {
    resourceMetrics: [
      { resource: res('x', 'y'), scopeMetrics: [] },
      { resource: res('y', 'x'), scopeMetrics: [] },
      { resource: res('x', 'z'), scopeMetrics: [] },
    ],
  };
  const pieces = metricsByResource(m);
  assert.equal(pieces.length, 2);
  assert.equal(pieces[0]!.data.resourceMetrics!.length, 2);
  assert.match(pieces[0]!.key!, /^[0-9a-f]{32}$/);
});

test('remote-write series are cut by series; metadata goes out once', () => {
  const pm: PromMetrics = {
    format: 'prw',
    request: {
      timeseries: Array.from({ length: 300 }, (_, i) => ({
        labels: [
          { name: '__name__', value: 'vllm:num_requests_running' },
          { name: 'pod', value: `vllm-${i}`.padEnd(60, '-') },
        ],
        samples: [{ value: i, timestamp: 1_700_000_000_000 + i }],
      })),
      metadata: [{ type: 1, metricFamilyName: 'vllm:num_requests_running', help: 'running', unit: '' }],
    },
  };
  const budget = Math.ceil(encP(pm).length / 5);
  const p = pack(promShape, [{ key: undefined, data: pm }], encP, () => budget);
  assert.ok(p.messages.length >= 5);
  const back = p.messages.map((m) => WriteRequest.decode(m.value));
  assert.equal(back.flatMap((w) => w.timeseries).length, 300);
  assert.equal(back.flatMap((w) => w.metadata).length, 1);
  assert.equal(p.messages.reduce((n, m) => n + m.items, 0), 300);
});
