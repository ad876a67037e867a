// Error answers, Tollgate beside the OpenTelemetry Collector 0.165: the same
// config (current component names), the same scripted next hop, the same
// request over OTLP/HTTP and OTLP/gRPC; both must answer with the same HTTP
// status and gRPC code. Retry-After is recorded too: the collector sends it
// only when the status carries RetryInfo, Tollgate on every 429 and 503 (a
// documented difference; clients may always honour it).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ExportTraceServiceRequest } from '../../src/pdata/proto.js';
import { freePort } from '../helpers/ports.js';
import { GRPC_PATHS, grpcCall, httpRequest } from '../receivers/otlp/rawclient.js';
import { grpcDownstream, httpDownstream, type Downstream } from './downstream.js';
import { GATEWAYS, listening, startGateway, type GatewayKind } from './gateway.js';

const REQUEST = ExportTraceServiceRequest.encode({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'compat' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: Buffer.alloc(16, 1),
              spanId: Buffer.alloc(8, 2),
              name: 'op',
              kind: 1,
              startTimeUnixNano: 1_700_000_000_000_000_000,
              endTimeUnixNano: 1_700_000_001_000_000_000,
            },
          ],
        },
      ],
    },
  ],
}).finish();

interface Answer {
  http: number;
  retryAfter: string | undefined;
  grpc: string;
}

interface Scenario {
  name: string;
  /** The next hop (undefined: nothing listens on its port). */
  downstream?: () => Promise<Downstream>;
  /** exporters section: `$PORT` is the next hop's port. */
  exporter: string;
  processors?: string;
  pipelineProcessors?: string[];
  /** The requests sent before the one whose answer is compared (queue full). */
  warmup?: number;
}

const RETRY = 'retry_on_failure: {enabled: true, initial_interval: 100ms, max_interval: 200ms, max_elapsed_time: 1s}';
const httpExp = (extra = '') =>
  `otlp_http:\n    endpoint: http://127.0.0.1:$PORT\n    compression: none\n    sending_queue: {enabled: false}\n    ${RETRY}\n${extra}`;
const grpcExp = (extra = '') =>
  `otlp_grpc:\n    endpoint: 127.0.0.1:$PORT\n    tls: {insecure: true}\n    compression: none\n    sending_queue: {enabled: false}\n    ${RETRY}\n${extra}`;

const SCENARIOS: Scenario[] = [
  ...[400, 401, 403, 404, 413, 500, 501].map((s) => ({ name: `HTTP next hop answers ${s}`, downstream: () => httpDownstream(s), exporter: httpExp() })),
  { name: 'HTTP next hop answers 503 until retries run out', downstream: () => httpDownstream(503), exporter: httpExp() },
  { name: 'HTTP next hop answers 429 until retries run out', downstream: () => httpDownstream(429), exporter: httpExp() },
  { name: 'HTTP next hop answers 502 until retries run out', downstream: () => httpDownstream(502), exporter: httpExp() },
  ...(
    [
      'INVALID_ARGUMENT',
      'PERMISSION_DENIED',
      'UNAUTHENTICATED',
      'NOT_FOUND',
      'ALREADY_EXISTS',
      'FAILED_PRECONDITION',
      'INTERNAL',
      'UNIMPLEMENTED',
      'RESOURCE_EXHAUSTED',
    ] as const
  ).map((c) => ({ name: `gRPC next hop answers ${c}`, downstream: () => grpcDownstream(grpc.status[c]), exporter: grpcExp() })),
  { name: 'gRPC next hop answers UNAVAILABLE until retries run out', downstream: () => grpcDownstream(grpc.status.UNAVAILABLE), exporter: grpcExp() },
  {
    name: 'gRPC next hop answers RESOURCE_EXHAUSTED with RetryInfo until retries run out',
    downstream: () => grpcDownstream(grpc.status.RESOURCE_EXHAUSTED, 1000),
    exporter: grpcExp(),
  },
  { name: 'HTTP next hop down until retries run out', exporter: httpExp() },
  { name: 'gRPC next hop down until retries run out', exporter: grpcExp() },
  {
    name: 'retry disabled, HTTP next hop answers 503',
    downstream: () => httpDownstream(503),
    exporter: `otlp_http:\n    endpoint: http://127.0.0.1:$PORT\n    compression: none\n    sending_queue: {enabled: false}\n    retry_on_failure: {enabled: false}\n`,
  },
  {
    name: 'sending queue full (1 request, next hop never answers)',
    downstream: () => httpDownstream(0),
    exporter: `otlp_http:\n    endpoint: http://127.0.0.1:$PORT\n    compression: none\n    timeout: 60s\n    sending_queue: {enabled: true, num_consumers: 1, queue_size: 1}\n    retry_on_failure: {enabled: false}\n`,
    warmup: 4,
  },
  {
    name: 'memory limiter refuses',
    downstream: () => httpDownstream(200),
    exporter: httpExp(),
    processors: 'memory_limiter:\n    check_interval: 100ms\n    limit_mib: 2\n    spike_limit_mib: 1\n',
    pipelineProcessors: ['memory_limiter'],
  },
];

async function send(kind: GatewayKind, grpcPort: number, httpPort: number): Promise<Answer> {
  const h = await httpRequest(`http://127.0.0.1:${httpPort}/v1/traces`, { headers: { 'content-type': 'application/x-protobuf' }, body: REQUEST });
  const g = await grpcCall(grpcPort, GRPC_PATHS.traces, REQUEST);
  void kind;
  const ra = h.headers['retry-after'];
  return { http: h.status, retryAfter: Array.isArray(ra) ? ra[0] : ra, grpc: g.error ? grpc.status[g.error.code] : 'OK' };
}

async function answerOf(kind: GatewayKind, s: Scenario): Promise<Answer> {
  const down = s.downstream ? await s.downstream() : undefined;
  const port = down?.port ?? (await freePort());
  const [g, h] = [await freePort(), await freePort()];
  const yaml = `receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:${g}}
      http: {endpoint: 127.0.0.1:${h}}
${s.processors ? `processors:\n  ${s.processors}` : ''}
exporters:
  ${s.exporter.replaceAll('$PORT', String(port))}
service:
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], processors: [${(s.pipelineProcessors ?? []).join(', ')}], exporters: [${s.exporter.split(':')[0]}]}
`;
  const gw = await startGateway(kind, yaml, async () => (await listening(g)) && (await listening(h)));
  try {
    // The memory limiter measures on its first interval.
    if (s.processors) await new Promise((r) => setTimeout(r, 500));
    // Requests that fill what the scenario fills (a queue); their answers are not compared.
    for (let i = 0; i < (s.warmup ?? 0); i++) {
      await httpRequest(`http://127.0.0.1:${h}/v1/traces`, { headers: { 'content-type': 'application/x-protobuf' }, body: REQUEST });
      await new Promise((r) => setTimeout(r, 200));
    }
    return await send(kind, g, h);
  } finally {
    await gw.stop();
    await down?.close();
  }
}

const table: string[] = [];

describe('error answers match the collector 0.165', { concurrency: 1 }, () => {
  after(() => {
    // The measured table, for the documentation (docs/collector-compatibility.md).
    if (process.env.COMPAT_TABLE)
      console.log(['| scenario | collector HTTP / gRPC / Retry-After | Tollgate HTTP / gRPC / Retry-After |', '|---|---|---|', ...table].join('\n'));
  });
  for (const s of SCENARIOS) {
    test(s.name, { timeout: 120_000 }, async () => {
      const got = {} as Record<GatewayKind, Answer>;
      for (const kind of GATEWAYS) got[kind] = await answerOf(kind, s);
      const fmt = (a: Answer) => `${a.http} / ${a.grpc} / ${a.retryAfter ?? '—'}`;
      table.push(`| ${s.name} | ${fmt(got.collector)} | ${fmt(got.tollgate)} |`);
      assert.deepEqual(
        { http: got.tollgate.http, grpc: got.tollgate.grpc },
        { http: got.collector.http, grpc: got.collector.grpc },
        `collector ${fmt(got.collector)}, tollgate ${fmt(got.tollgate)}`,
      );
      // The collector says Retry-After only with RetryInfo; Tollgate on every 429 and 503.
      if (got.collector.retryAfter !== undefined) assert.equal(got.tollgate.retryAfter, got.collector.retryAfter);
      if (got.tollgate.http === 429 || got.tollgate.http === 503) assert.ok(got.tollgate.retryAfter !== undefined, 'Tollgate sends Retry-After on 429 and 503');
    });
  }
});
