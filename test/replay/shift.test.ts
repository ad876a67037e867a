import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJSON, decodeProto, encodeJSON, encodeProto } from '../../src/pdata/otlpjson.js';
import { decodeWriteRequest, encodeWriteRequest } from '../../src/prw/codec.js';
import { shiftPayload, timeRange, type Payload } from '../../src/replay/shift.js';

const T = 1_700_000_000_000_000_000n; // ns
const D = 3_600_000n; // 1 h in ms
const DN = D * 1_000_000n;

const traces = {
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'chat gpt-4o',
              startTimeUnixNano: String(T),
              endTimeUnixNano: String(T + 2_500_000_123n),
              events: [{ name: 'gen_ai.evaluation.result', timeUnixNano: String(T + 1_000_000_000n) }, { name: 'no time' }],
            },
          ],
        },
      ],
    },
  ],
};

const metrics = {
  resourceMetrics: [
    {
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'gen_ai.client.token.usage',
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    startTimeUnixNano: String(T - 86_400_000_000_000n), // a day before: the process start
                    timeUnixNano: String(T + 10_000_000_000n),
                    count: '3',
                    bucketCounts: ['1', '2'],
                    explicitBounds: [4],
                    exemplars: [{ timeUnixNano: String(T + 9_000_000_000n), asDouble: 3 }],
                  },
                ],
              },
            },
            { name: 'up', gauge: { dataPoints: [{ timeUnixNano: String(T + 5_000_000_000n), asDouble: 1 }] } },
            { name: 'unset start', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: String(T), asInt: '7' }] } },
          ],
        },
      ],
    },
  ],
};

const logs = {
  resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: String(T), observedTimeUnixNano: String(T + 1n), body: { stringValue: 'x' } }, { body: { stringValue: 'no times' } }] }] }],
};

/** Every ...TimeUnixNano value in the OTLP JSON form, in document order. */
function times(json: string): bigint[] {
  return [...json.matchAll(/"(?:start|end|observed)?[tT]imeUnixNano":"(\d+)"/g)].map((m) => BigInt(m[1]!));
}

for (const [signal, data] of [
  ['traces', traces],
  ['metrics', metrics],
  ['logs', logs],
] as const) {
  test(`OTLP ${signal}: every timestamp moves by the offset, unset ones stay unset, intervals are kept (protobuf and JSON)`, () => {
    const before = times(encodeJSON(signal, decodeJSON(signal, JSON.stringify(data))));
    for (const via of ['proto', 'json'] as const) {
      const d = decodeJSON(signal, JSON.stringify(data));
      const decoded = via === 'proto' ? decodeProto(signal, encodeProto(signal, d)) : decodeJSON(signal, encodeJSON(signal, d));
      const p = { kind: 'otlp', signal, data: decoded } as Payload;
      shiftPayload(p, D);
      const after = times(encodeJSON(signal, p.data as never));
      assert.deepEqual(after, before.map((t) => t + DN), via);
    }
  });
}

test('time range: observation times only (a cumulative start time long before the capture is not part of it)', () => {
  const p = { kind: 'otlp', signal: 'metrics', data: decodeJSON('metrics', JSON.stringify(metrics)) } as Payload;
  assert.deepEqual(timeRange(p), { minNs: T, maxNs: T + 10_000_000_000n });
  const t = { kind: 'otlp', signal: 'traces', data: decodeJSON('traces', JSON.stringify(traces)) } as Payload;
  assert.deepEqual(timeRange(t), { minNs: T, maxNs: T + 2_500_000_123n });
});

test('remote-write: sample, histogram and exemplar timestamps move by the offset; values (stale NaN bits included) are untouched', () => {
  const staleBits = Buffer.from([2, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
  const stale = staleBits.readDoubleLE(0);
  const req = {
    timeseries: [
      {
        labels: [{ name: '__name__', value: 'x_total' }],
        samples: [
          { value: 1, timestamp: 1_700_000_000_000 },
          { value: stale, timestamp: 1_700_000_015_000 },
        ],
        exemplars: [{ labels: [{ name: 'trace_id', value: 'a' }], value: 1, timestamp: 1_700_000_000_500 }],
      },
      { labels: [{ name: '__name__', value: 'h' }], histograms: [{ countInt: 2, sum: 1, schema: 0, zeroThreshold: 0, timestamp: 1_700_000_010_000 }] },
    ],
    metadata: [{ type: 1, metricFamilyName: 'x_total', help: 'x' }],
  };
  const p: Payload = { kind: 'prw1', data: decodeWriteRequest(encodeWriteRequest(req as never)) };
  assert.deepEqual(timeRange(p), { minNs: 1_700_000_000_000n * 1_000_000n, maxNs: 1_700_000_015_000n * 1_000_000n });
  shiftPayload(p, D);
  const back = decodeWriteRequest(encodeWriteRequest(p.data));
  const ts = back.timeseries!;
  assert.deepEqual(ts[0]!.samples!.map((s) => Number(s.timestamp)), [1_700_000_000_000 + 3_600_000, 1_700_000_015_000 + 3_600_000]);
  assert.equal(Number(ts[0]!.exemplars![0]!.timestamp), 1_700_000_000_500 + 3_600_000);
  assert.equal(Number(ts[1]!.histograms![0]!.timestamp), 1_700_000_010_000 + 3_600_000);
  const out = Buffer.alloc(8);
  out.writeDoubleLE(ts[0]!.samples![1]!.value!, 0);
  assert.deepEqual(out, staleBits);
});
