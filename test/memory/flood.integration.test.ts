import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { encodeProto } from '../../src/pdata/otlpjson.js';
import type { PromWrite, Traces } from '../../src/pdata/proto.js';
import { WriteRequest } from '../../src/pdata/proto.js';
import { snappyEncode } from '../../src/prw/snappy.js';
import { ChildGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/waitfor.js';

// Floods and bursts against a real gateway process whose memory_limiter is at
// LIMIT_MIB and whose admission budget is BUDGET_MIB: many clients sending
// plain OTLP, gzip bodies that inflate about 100 times, 16 compression bombs
// at once, and large honest snappy remote-write bodies. What a user cares
// about: the process's resident memory stays under the limit plus MARGIN_MIB,
// every refusal is one a client retries (429/503 with Retry-After), and once
// the burst ends the gateway accepts data again within seconds.

const MIB = 1024 * 1024;
const LIMIT_MIB = 384;
const BUDGET_MIB = 48;
/** Documented in docs/operations/limits.md: what the process holds beyond the limiter's view (code, thread stacks, allocator slack). */
const MARGIN_MIB = 64;

const CONFIG = (p: { grpc: number; http: number; prw: number; health: number; metrics: number }) => `
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:${p.grpc}}
      http: {endpoint: 127.0.0.1:${p.http}}
  prometheusremotewrite: {endpoint: 127.0.0.1:${p.prw}}
processors:
  memory_limiter: {check_interval: 100ms, limit_mib: ${LIMIT_MIB}, spike_limit_mib: 96}
  batch: {}
exporters:
  debug: {verbosity: basic, sampling_initial: 1, sampling_thereafter: 1000000}
extensions:
  health_check: {endpoint: 127.0.0.1:${p.health}}
service:
  extensions: [health_check]
  admission: {request_limit_mib: ${BUDGET_MIB}}
  telemetry: {metrics: {address: 127.0.0.1:${p.metrics}}, logs: {level: error}}
  pipelines:
    traces: {receivers: [otlp], processors: [memory_limiter, batch], exporters: [debug]}
    metrics: {receivers: [prometheusremotewrite], processors: [memory_limiter, batch], exporters: [debug]}
`;

/** A traces request of about `bytes` protobuf bytes; `repetitive` makes it compress about 100×. */
function tracesBody(bytes: number, seed: number, repetitive: boolean): Buffer {
  const spans = [];
  const per = 2000;
  for (let i = 0; i * per < bytes; i++) {
    const tag = repetitive ? 'prompt text repeated over and over, '.repeat(50) : `${seed}-${i}-${Math.random().toString(36).repeat(40)}`;
    spans.push({
      traceId: Buffer.alloc(16, (seed + i) % 251),
      spanId: Buffer.alloc(8, (i % 250) + 1),
      name: 'chat',
      startTimeUnixNano: 1_700_000_000_000_000_000n.toString(),
      endTimeUnixNano: 1_700_000_001_000_000_000n.toString(),
      attributes: [{ key: 'gen_ai.prompt', value: { stringValue: tag.slice(0, per - 100) } }],
    });
  }
  const t = { resourceSpans: [{ scopeSpans: [{ spans }] }] } as unknown as Traces;
  return Buffer.from(encodeProto('traces', t));
}

function prwBody(series: number, seed: number): Buffer {
  const timeseries = [];
  for (let i = 0; i < series; i++) {
    timeseries.push({
      labels: [
        { name: '__name__', value: 'flood_metric' },
        { name: 'instance', value: `host-${seed}-${i}` },
        { name: 'pad', value: `${i}-${Math.random().toString(36).repeat(6)}` },
      ],
      samples: [{ value: i, timestamp: Date.now() }],
    });
  }
  const req: PromWrite = { timeseries };
  return snappyEncode(WriteRequest.encode(req).finish());
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(port: number, path: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      res.on('error', () => resolve({ status: -1, retryAfter: undefined }));
    });
    // A connection the gateway closes after refusing a body it did not read is a refusal too.
    req.on('error', () => resolve({ status: -1, retryAfter: undefined }));
    req.end(body);
  });
}

const OTLP_PROTO = { 'content-type': 'application/x-protobuf' };
const OTLP_GZIP = { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' };
const PRW = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

/** Runs `clients` loops for `ms`, each posting what `send` gives and waiting as Retry-After asks (as SDKs do); returns every answer. */
async function flood(clients: number, ms: number, send: (client: number, n: number) => Promise<Answer>): Promise<Answer[]> {
  const end = Date.now() + ms;
  const out: Answer[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let n = 0; Date.now() < end; n++) {
        const a = await send(c, n);
        out.push(a);
        if (a.retryAfter) await new Promise((r) => setTimeout(r, Math.min(Number(a.retryAfter) * 1000, Math.max(0, end - Date.now()))));
      }
    }),
  );
  return out;
}

function summary(answers: Answer[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const a of answers) m[a.status] = (m[a.status] ?? 0) + 1;
  return m;
}

/** Every refusal is one a client retries: 429/503 with Retry-After, 413 for a body over a size limit, or a connection closed after a refused oversize body. */
function assertRetryable(answers: Answer[], what: string, allow413 = false): void {
  for (const a of answers) {
    if (a.status === 200 || a.status === 204 || a.status === -1) continue;
    if (allow413 && a.status === 413) continue;
    assert.ok(a.status === 429 || a.status === 503, `${what}: status ${a.status} is not a retryable refusal`);
    assert.ok(a.retryAfter && Number(a.retryAfter) >= 1, `${what}: ${a.status} without Retry-After`);
  }
}

test(`floods and bursts: RSS stays under memory_limiter ${LIMIT_MIB} MiB + ${MARGIN_MIB} MiB, refusals are retryable, the gateway accepts again within seconds`, async () => {
  const gw = await ChildGateway.start(CONFIG);
  const figures: Record<string, unknown> = {};
  let peakSeen = 0;
  const sampler = setInterval(() => {
    try {
      peakSeen = Math.max(peakSeen, gw.memory().rss);
    } catch {
      // exited
    }
  }, 50);
  const { http, prw } = gw.ports;
  /** ms until a small request is accepted again. */
  const recovery = async (what: string) => {
    const t0 = Date.now();
    const small = tracesBody(2000, 1, false);
    await waitFor(async () => (await post(http, '/v1/traces', small, OTLP_PROTO)).status === 200, `${what}: the gateway to accept data again`, 30_000, 100);
    return Date.now() - t0;
  };
  try {
    // 1. Plain OTLP from many clients (1 MiB requests, 48 clients).
    const plain = Array.from({ length: 8 }, (_, i) => tracesBody(MIB, i, false));
    const a1 = await flood(48, 6000, (c, n) => post(http, '/v1/traces', plain[(c + n) % plain.length] ?? Buffer.alloc(0), OTLP_PROTO));
    assertRetryable(a1, 'plain flood');
    figures.plain = {
      answers: summary(a1),
      recovery_ms: await recovery('plain flood'),
      rss_mib: Math.round(peakSeen / MIB),
      rss_after_mib: Math.round(gw.memory().rss / MIB),
    };

    // 2. gzip bodies that inflate about 100× (about 60 KiB on the wire, 6 MiB inflated; 24 clients).
    const big = tracesBody(6 * MIB, 7, true);
    const gz = gzipSync(big, { level: 9 });
    figures.gzip_ratio = Math.round(big.length / gz.length);
    assert.ok(big.length / gz.length > 50, `gzip ratio ${big.length / gz.length}`);
    const a2 = await flood(24, 6000, () => post(http, '/v1/traces', gz, OTLP_GZIP));
    assertRetryable(a2, 'gzip flood');
    assert.ok(
      a2.some((a) => a.status === 200),
      'some inflating requests were accepted',
    );
    figures.gzip = {
      answers: summary(a2),
      recovery_ms: await recovery('gzip flood'),
      rss_mib: Math.round(peakSeen / MIB),
      rss_after_mib: Math.round(gw.memory().rss / MIB),
    };

    // 3. 16 compression bombs at once: 1 MiB of gzip'd zeros (about 1 GiB inflated) each.
    const bomb = gzipSync(Buffer.alloc(1024 * MIB), { level: 9 });
    const a3 = await Promise.all(Array.from({ length: 16 }, () => post(http, '/v1/traces', bomb, OTLP_GZIP)));
    assertRetryable(a3, 'bombs', true);
    assert.ok(
      a3.every((a) => a.status !== 200),
      'no bomb was accepted',
    );
    figures.bombs = {
      wire_kib: Math.round(bomb.length / 1024),
      answers: summary(a3),
      recovery_ms: await recovery('bombs'),
      rss_mib: Math.round(peakSeen / MIB),
      rss_after_mib: Math.round(gw.memory().rss / MIB),
    };

    // 4. Large honest snappy remote-write bodies (about 4 MiB decompressed each, 12 clients).
    const rw = Array.from({ length: 4 }, (_, i) => prwBody(25_000, i));
    const a4 = await flood(12, 8000, (c, n) => post(prw, '/api/v1/receive', rw[(c + n) % rw.length] ?? Buffer.alloc(0), PRW));
    assertRetryable(a4, 'remote-write flood');
    assert.ok(
      a4.some((a) => a.status === 200),
      'some remote-write bodies were accepted',
    );
    figures.remote_write = {
      answers: summary(a4),
      recovery_ms: await recovery('remote-write flood'),
      rss_mib: Math.round(peakSeen / MIB),
      rss_after_mib: Math.round(gw.memory().rss / MIB),
    };

    const { peak } = gw.memory();
    figures.peak_rss_mib = Math.round(Math.max(peak, peakSeen) / MIB);
    figures.limit_mib = LIMIT_MIB;
    figures.refused_at_admission = await gw.metric('tollgate_receiver_failed_requests', { status: '429' });
    console.log(`# flood figures: ${JSON.stringify(figures)}`);
    assert.ok(peak <= (LIMIT_MIB + MARGIN_MIB) * MIB, `peak RSS ${Math.round(peak / MIB)} MiB over ${LIMIT_MIB} + ${MARGIN_MIB} MiB`);
    // Requests in flight hold nothing once answered.
    await waitFor(async () => (await gw.metric('tollgate_memory_accounted_bytes', { account: 'inflight' })) === 0, 'in-flight bytes back to 0', 10_000, 100);
  } finally {
    clearInterval(sampler);
    agent.destroy();
    await gw.stop();
  }
});
