// Requests with several resources, scopes and items, for the wire scan,
// split and merge tests: every field kind the schema knows appears.
import type { IKeyValue, ISpan, Logs, Metrics, Traces } from '../../../src/pdata/proto.js';

const id = (n: number, size: number, seed: number): Buffer => {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(seed >>> 0, 0);
  b.writeUInt32BE(n >>> 0, size - 4);
  return b;
};

function attrs(tag: string): IKeyValue[] {
  return [
    { key: `${tag}.s`, value: { stringValue: `value of ${tag} ✓` } },
    { key: `${tag}.i`, value: { intValue: -42 } },
    { key: `${tag}.d`, value: { doubleValue: 0.25 } },
    { key: `${tag}.b`, value: { boolValue: true } },
    { key: `${tag}.bytes`, value: { bytesValue: Buffer.from([0, 1, 2, 255]) } },
    {
      key: `${tag}.arr`,
      value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } }] } },
    },
  ];
}

/** `resources` resources × `scopes` scopes × `spans` spans, with events, links and status. */
export function richTraces(resources: number, scopes: number, spans: number): Traces {
  let n = 0;
  return {
    resourceSpans: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${r}` } }, ...attrs(`res${r}`)], droppedAttributesCount: r },
      schemaUrl: `https://opentelemetry.io/schemas/1.${r}`,
      scopeSpans: Array.from({ length: scopes }, (_, s) => ({
        scope: { name: `scope-${r}-${s}`, version: '1.0', attributes: attrs('scope') },
        schemaUrl: s % 2 ? 'https://example.com/scope' : '',
        spans: Array.from({ length: spans }, (): ISpan => {
          n++;
          return {
            traceId: id(n, 16, 0xabc),
            spanId: id(n, 8, 0xdef),
            parentSpanId: n % 3 ? id(n + 1, 8, 0x111) : Buffer.alloc(0),
            traceState: n % 2 ? 'k=v' : '',
            name: `span-${n}`,
            kind: (n % 5) as ISpan['kind'],
            startTimeUnixNano: `17000000000${String(n).padStart(8, '0')}` as never,
            endTimeUnixNano: `17000000001${String(n).padStart(8, '0')}` as never,
            attributes: attrs(`span${n}`),
            droppedAttributesCount: n % 2,
            events: [{ timeUnixNano: '1700000000500000000' as never, name: 'gen_ai.content.prompt', attributes: attrs('ev') }],
            links: n % 2 ? [{ traceId: id(n, 16, 7), spanId: id(n, 8, 7), attributes: attrs('link'), flags: 256 }] : [],
            status: { code: (n % 3) as never, message: n % 3 === 2 ? 'boom' : '' },
            flags: 257,
          };
        }),
      })),
    })),
  };
}

/** Every metric type, several points each, over `resources` resources. */
export function richMetrics(resources: number, points: number): Metrics {
  const pts = (f: (i: number) => object) =>
    Array.from({ length: points }, (_, i) => ({
      attributes: [{ key: 'p', value: { intValue: i } }],
      timeUnixNano: `1700000000${i}000000000` as never,
      ...f(i),
    }));
  return {
    resourceMetrics: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: attrs(`res${r}`) },
      scopeMetrics: [
        {
          scope: { name: 'meter' },
          metrics: [
            { name: 'g', unit: '1', description: 'a gauge', gauge: { dataPoints: pts((i) => ({ asDouble: i / 2 })) } },
            { name: 's', unit: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: pts((i) => ({ asInt: i })) } },
            {
              name: 'h',
              metadata: [{ key: 'm', value: { stringValue: 'x' } }],
              histogram: {
                aggregationTemporality: 1,
                dataPoints: pts((i) => ({
                  count: 3,
                  sum: i,
                  bucketCounts: [1, 1, 1],
                  explicitBounds: [1, 2],
                  min: 0,
                  max: 9,
                  exemplars: [{ asDouble: 1, spanId: id(i, 8, 1), traceId: id(i, 16, 1) }],
                })),
              },
            },
            {
              name: 'e',
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: pts((i) => ({ count: 2, scale: -1, zeroCount: 1, positive: { offset: -2, bucketCounts: [1, i] }, zeroThreshold: 0.5 })),
              },
            },
            { name: 'q', summary: { dataPoints: pts((i) => ({ count: 5, sum: i, quantileValues: [{ quantile: 0.5, value: 1 }] })) } },
            { name: 'empty', gauge: {} },
          ],
        },
      ],
    })),
  };
}

export function richLogs(resources: number, records: number): Logs {
  return {
    resourceLogs: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: attrs(`res${r}`) },
      scopeLogs: [
        {
          scope: { name: 'logger' },
          logRecords: Array.from({ length: records }, (_, i) => ({
            timeUnixNano: '1700000000000000000' as never,
            observedTimeUnixNano: '1700000000000000001' as never,
            severityNumber: 9,
            severityText: 'INFO',
            body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: `log ${i}` } }] } },
            attributes: attrs('log'),
            traceId: id(i, 16, 3),
            spanId: id(i, 8, 3),
            flags: 1,
            eventName: i % 2 ? 'gen_ai.choice' : '',
          })),
        },
      ],
    })),
  };
}
