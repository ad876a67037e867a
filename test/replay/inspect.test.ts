import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CaptureRecord } from '../../src/capture/format.js';
import { decodeJSON, encodeJSON, encodeProto } from '../../src/pdata/otlpjson.js';
import { compressWriteRequest } from '../../src/prw/codec.js';
import type { InspectReport } from '../../src/replay/inspect.js';
import { tollgate } from './cli.js';
import { writeCapture } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_764_000_000_000_000_000n;
const sec = (s: number) => T0 + BigInt(s) * 1_000_000_000n;
const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });

function span(model: string) {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: `chat ${model}`,
    startTimeUnixNano: '1764000000000000000',
    endTimeUnixNano: '1764000001000000000',
    attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', model)],
  };
}

function records(): CaptureRecord[] {
  const traces = { resourceSpans: [{ scopeSpans: [{ spans: [span('gpt-4o'), span('gpt-4o'), span('llama-3'), span('gpt-4o')] }] }] };
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
                    { attributes: [attr('gen_ai.request.model', 'gpt-4o')], timeUnixNano: '1764000005000000000', count: '1', bucketCounts: ['1'] },
                    { attributes: [attr('gen_ai.request.model', 'claude')], timeUnixNano: '1764000005000000000', count: '1', bucketCounts: ['1'] },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const prw = compressWriteRequest({
    timeseries: [
      {
        labels: [
          { name: '__name__', value: 'vllm:num_requests_running' },
          { name: 'model_name', value: 'llama-3' },
        ],
        samples: [
          { value: 1, timestamp: 1_764_000_010_000 },
          { value: 2, timestamp: 1_764_000_011_000 },
          { value: 3, timestamp: 1_764_000_012_000 },
        ],
      },
      { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1_764_000_010_000 }] },
    ],
  });
  const base = { headers: {}, tenant: '' };
  return [
    { ...base, arrivalNs: sec(0), protocol: 'otlp_http', signal: 'traces', path: '/v1/traces', contentType: 'application/json', contentEncoding: 'gzip', body: gzipSync(encodeJSON('traces', decodeJSON('traces', JSON.stringify(traces)))) },
    { ...base, arrivalNs: sec(5), protocol: 'otlp_grpc', signal: 'metrics', path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', contentType: 'application/grpc+proto', contentEncoding: '', body: Buffer.from(encodeProto('metrics', decodeJSON('metrics', JSON.stringify(metrics)))) },
    { ...base, arrivalNs: sec(12), protocol: 'prw', signal: 'metrics', path: '/api/v1/write', contentType: 'application/x-protobuf', contentEncoding: 'snappy', tenant: 'team-a', body: prw },
    { ...base, arrivalNs: sec(30), protocol: 'prw', signal: 'metrics', path: '/api/v1/write', contentType: 'application/x-protobuf', contentEncoding: 'snappy', tenant: 'team-b', body: prw },
  ];
}

test('capture inspect: time range, requests and items per signal and tenant, top metrics and models, damage', async () => {
  const file = await writeCapture(dir, 'mixed.tgcap', records());
  appendFileSync(file, Buffer.from('TGR\x1e\xff\x00\x00\x00partial')); // a torn tail, as a crash leaves it

  const r = await tollgate(['capture', 'inspect', file, '--json']);
  assert.equal(r.code, 2, 'damage found: exit 2');
  const rep = JSON.parse(r.stdout) as InspectReport;
  assert.equal(rep.requests, 4);
  assert.equal(rep.firstArrival, '2025-11-24T16:00:00.000Z');
  assert.equal(rep.lastArrival, '2025-11-24T16:00:30.000Z');
  assert.equal(rep.spanSeconds, 30);
  assert.deepEqual(rep.byProtocol, { otlp_http: 1, otlp_grpc: 1, prw: 2 });
  assert.deepEqual(
    rep.bySignalTenant.map((x) => [x.signal, x.tenant, x.requests, x.items]),
    [
      ['metrics', '', 1, 2],
      ['metrics', 'team-a', 1, 4],
      ['metrics', 'team-b', 1, 4],
      ['traces', '', 1, 4],
    ],
  );
  assert.deepEqual(rep.topMetrics, [
    { name: 'vllm:num_requests_running', points: 6 },
    { name: 'gen_ai.client.token.usage', points: 2 },
    { name: 'up', points: 2 },
  ]);
  assert.deepEqual(rep.topModels, [
    { model: 'llama-3', items: 7 },
    { model: 'gpt-4o', items: 4 },
    { model: 'claude', items: 1 },
  ]);
  assert.equal(rep.damage.length, 1);
  assert.equal(rep.damage[0]!.kind, 'torn');

  const text = await tollgate(['capture', 'inspect', file]);
  assert.match(text.stdout, /time range: 2025-11-24T16:00:00\.000Z \.\. 2025-11-24T16:00:30\.000Z \(30\.000 s\)/);
  assert.match(text.stdout, /damage: 1 \(1 torn, 0 corrupt\)/);
  assert.match(text.stdout, /llama-3/);

  const clean = await writeCapture(dir, 'clean.tgcap', records().slice(0, 1));
  const c = await tollgate(['capture', 'inspect', clean]);
  assert.equal(c.code, 0);
  assert.match(c.stdout, /damage: none/);
});
