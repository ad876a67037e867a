// What the SDKs cannot emit — summaries, exemplars on every point type,
// kvlist/bytes/empty span attributes, data point flags, negative exponential
// buckets — sent as hand-built requests over HTTP/protobuf (gzip), HTTP/JSON
// and gRPC, and read back from the file exporter's output unchanged.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { encodeJSON, encodeProto } from '../../../src/pdata/otlpjson.js';
import type { Logs, Metrics, Traces } from '../../../src/pdata/proto.js';
import { startFileGateway, type FileGateway } from './filegateway.js';
import { flavorOf, hex, nanos, num, tagAttrs } from './normalize.js';
import { GRPC_PATHS, grpcCall, httpRequest } from './rawclient.js';

type Way = 'http/protobuf+gzip' | 'http/json' | 'grpc';
const WAYS: Way[] = ['http/protobuf+gzip', 'http/json', 'grpc'];

const TRACE_ID = Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex');
const SPAN_ID = Buffer.from('00f067aa0ba902b7', 'hex');
const T0 = '1700000000000000000';
const T1 = '1700000060000000000';
const resource = (way: Way) => ({ attributes: [{ key: 'test.flavor', value: { stringValue: way } }] });
const exemplar = (v: { asDouble?: number; asInt?: number }) => ({
  filteredAttributes: [{ key: 'user', value: { stringValue: 'u-7' } }],
  timeUnixNano: '1700000030000000000',
  ...v,
  spanId: SPAN_ID,
  traceId: TRACE_ID,
});

function metrics(way: Way): Metrics {
  return {
    resourceMetrics: [
      {
        resource: resource(way),
        scopeMetrics: [
          {
            scope: { name: 'handbuilt', version: '1', attributes: [{ key: 'scope.k', value: { boolValue: true } }] },
            metrics: [
              {
                name: 'rpc.latency.summary',
                unit: 's',
                description: 'latency quantiles',
                summary: {
                  dataPoints: [
                    {
                      attributes: [{ key: 'route', value: { stringValue: '/chat' } }],
                      startTimeUnixNano: T0,
                      timeUnixNano: T1,
                      count: 10,
                      sum: 123.5,
                      quantileValues: [
                        { quantile: 0, value: 1 },
                        { quantile: 0.5, value: 10.25 },
                        { quantile: 0.99, value: 50 },
                        { quantile: 1, value: 60 },
                      ],
                    },
                  ],
                },
              },
              {
                name: 'tokens',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ startTimeUnixNano: T0, timeUnixNano: T1, asInt: 900, exemplars: [exemplar({ asInt: 7 }), exemplar({ asDouble: 1.5 })] }],
                },
              },
              {
                name: 'queue',
                gauge: { dataPoints: [{ timeUnixNano: T1, asDouble: 3.5, exemplars: [exemplar({ asDouble: 3.5 })] }, { timeUnixNano: T1, flags: 1 }] },
              },
              {
                name: 'latency',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      startTimeUnixNano: T0,
                      timeUnixNano: T1,
                      count: 4,
                      sum: 7.5,
                      min: 0.5,
                      max: 4,
                      bucketCounts: [1, 2, 1],
                      explicitBounds: [1, 2],
                      exemplars: [exemplar({ asDouble: 0.5 })],
                    },
                  ],
                },
              },
              {
                name: 'latency.exp',
                exponentialHistogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      startTimeUnixNano: T0,
                      timeUnixNano: T1,
                      count: 9,
                      sum: -3,
                      scale: 3,
                      zeroCount: 1,
                      zeroThreshold: 0.001,
                      positive: { offset: -2, bucketCounts: [1, 0, 3] },
                      negative: { offset: 1, bucketCounts: [2, 2] },
                      min: -5,
                      max: 4,
                      exemplars: [exemplar({ asDouble: -5 })],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  } as unknown as Metrics;
}

function traces(way: Way): Traces {
  return {
    resourceSpans: [
      {
        resource: resource(way),
        scopeSpans: [
          {
            scope: { name: 'handbuilt' },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: SPAN_ID,
                name: 'kvlist-and-bytes',
                kind: 5,
                flags: 0x301,
                startTimeUnixNano: T0,
                endTimeUnixNano: T1,
                droppedAttributesCount: 2,
                droppedEventsCount: 3,
                droppedLinksCount: 4,
                attributes: [
                  { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: '-9007199254740993' as never } }, { key: 'b', value: { arrayValue: { values: [] } } }] } } },
                  { key: 'bytes', value: { bytesValue: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) } },
                  { key: 'empty', value: {} },
                  { key: 'big', value: { intValue: '9223372036854775807' as never } },
                ],
                status: { code: 1 },
              },
            ],
          },
        ],
      },
    ],
  } as unknown as Traces;
}

function logs(way: Way): Logs {
  return { resourceLogs: [{ resource: resource(way), scopeLogs: [{ logRecords: [{ timeUnixNano: T0, body: { kvlistValue: { values: [] } }, flags: 1 }] }] }] } as unknown as Logs;
}

async function send(gw: FileGateway, way: Way, signal: 'traces' | 'metrics' | 'logs', data: Traces | Metrics | Logs): Promise<void> {
  if (way === 'grpc') {
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS[signal], encodeProto(signal, data as never), { gzip: true });
    assert.equal(r.error, null, `${way} ${signal}: ${r.error?.message}`);
    return;
  }
  const json = way === 'http/json';
  const body = json ? encodeJSON(signal, data as never) : gzipSync(encodeProto(signal, data as never));
  const headers: Record<string, string> = { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' };
  if (!json) headers['Content-Encoding'] = 'gzip';
  const r = await httpRequest(`http://127.0.0.1:${gw.httpPort}/v1/${signal}`, { headers, body });
  assert.equal(r.status, 200, `${way} ${signal}: ${r.body.toString()}`);
}

let gw: FileGateway;
let got: { traces: Traces[]; metrics: Metrics[]; logs: Logs[] };

before(async () => {
  gw = await startFileGateway();
  try {
    for (const way of WAYS) {
      await send(gw, way, 'metrics', metrics(way));
      await send(gw, way, 'traces', traces(way));
      await send(gw, way, 'logs', logs(way));
    }
    got = await gw.stopAndRead();
  } finally {
    await gw.stop();
  }
});

after(() => gw?.stop());

const pick = <T extends Traces | Metrics | Logs>(list: T[], way: Way): T => {
  const found = list.filter((r) => {
    const rs = ((r as Traces).resourceSpans ?? (r as Metrics).resourceMetrics ?? (r as Logs).resourceLogs)!;
    return flavorOf(rs[0]?.resource?.attributes) === way;
  });
  assert.equal(found.length, 1);
  return found[0]!;
};

for (const way of WAYS) {
  test(`${way}: hand-built requests are written back exactly as sent`, () => {
    assert.equal(encodeJSON('metrics', pick(got.metrics, way)), encodeJSON('metrics', metrics(way)));
    assert.equal(encodeJSON('traces', pick(got.traces, way)), encodeJSON('traces', traces(way)));
    assert.equal(encodeJSON('logs', pick(got.logs, way)), encodeJSON('logs', logs(way)));
  });
}

test('summary, exemplars, kvlist and bytes, literally', () => {
  const m = pick(got.metrics, 'grpc').resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
  const summary = m.find((x) => x.name === 'rpc.latency.summary')!.summary!.dataPoints![0]!;
  assert.deepEqual(summary.quantileValues!.map((q) => [q.quantile ?? 0, q.value ?? 0]), [[0, 1], [0.5, 10.25], [0.99, 50], [1, 60]]);
  assert.equal(num(summary.count), 10);
  assert.equal(summary.sum, 123.5);
  const ex = m.find((x) => x.name === 'tokens')!.sum!.dataPoints![0]!.exemplars!;
  assert.equal(nanos(ex[0]!.asInt), '7');
  assert.equal(ex[1]!.asDouble, 1.5);
  assert.equal(hex(ex[0]!.traceId), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(hex(ex[0]!.spanId), '00f067aa0ba902b7');
  assert.deepEqual(tagAttrs(ex[0]!.filteredAttributes), { user: { s: 'u-7' } });
  assert.equal(m.find((x) => x.name === 'latency')!.histogram!.dataPoints![0]!.exemplars![0]!.asDouble, 0.5);
  const exp = m.find((x) => x.name === 'latency.exp')!.exponentialHistogram!.dataPoints![0]!;
  assert.equal(exp.exemplars![0]!.asDouble, -5);
  assert.deepEqual([exp.negative!.offset, exp.negative!.bucketCounts!.map(num)], [1, [2, 2]]);
  const span = pick(got.traces, 'http/json').resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  assert.deepEqual(tagAttrs(span.attributes), {
    kv: { kv: { a: { i: '-9007199254740993' }, b: { a: [] } } },
    bytes: { bytes: 'deadbeef' },
    empty: { empty: true },
    big: { i: '9223372036854775807' },
  });
});
