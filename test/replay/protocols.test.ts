// Retry rules per protocol and per-series order under concurrency. (Waits between retries are capped
// at 10 ms with maxRetryDelayMs: the rules are under test here, not the backoff's timing.)
//
// The targets here are small stand-in servers: a real Prometheus, Thanos or
// collector cannot be made to answer 503-then-200, 429 with Retry-After or
// UNAVAILABLE on demand. Everything else (the replay, its client code) is real.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { CaptureRecord } from '../../src/capture/format.js';
import { decodeProto } from '../../src/pdata/otlpjson.js';
import { ExportLogsServiceResponse } from '../../src/pdata/proto.js';
import { compressWriteRequest, decompressWriteRequest } from '../../src/prw/codec.js';
import { runReplay } from '../../src/replay/replay.js';
import { logsRecord, writeCapture } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-proto-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const T0 = BigInt(Date.now()) * 1_000_000n;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const cs: Buffer[] = [];
    req.on('data', (c: Buffer) => cs.push(c));
    req.on('end', () => resolve(Buffer.concat(cs)));
  });
}

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

const logText = (b: Buffer) => decodeProto('logs', b).resourceLogs![0]!.scopeLogs![0]!.logRecords![0]!.body!.stringValue!;

test('OTLP/HTTP: 503 and 429 retried after Retry-After, 400 refused at once, partial success counted', async () => {
  const seen: string[] = [];
  const server = createServer(async (req, res) => {
    const text = logText(await body(req));
    seen.push(text);
    const n = seen.filter((t) => t === text).length;
    if (text === 'flaky' && n === 1) return res.writeHead(503, { 'retry-after': '0' }).end();
    if (text === 'busy' && n <= 2) return res.writeHead(429, { 'retry-after': '0' }).end();
    if (text === 'bad') return res.writeHead(400, { 'content-type': 'text/plain' }).end('no');
    if (text === 'partial') {
      const out = ExportLogsServiceResponse.encode({ partialSuccess: { rejectedLogRecords: 1, errorMessage: 'dropped one' } }).finish();
      return res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(out);
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  const port = await listen(server);
  try {
    const file = await writeCapture(dir, 'otlp.tgcap', ['ok', 'flaky', 'busy', 'bad', 'partial'].map((t, i) => logsRecord(t, T0 + BigInt(i))));
    const s = await runReplay({ files: [file], target: `http://127.0.0.1:${port}`, concurrency: 1, maxRetryDelayMs: 10 });
    assert.equal(s.requests.sent, 5);
    assert.equal(s.requests.accepted, 4);
    assert.equal(s.requests.retries, 3);
    assert.deepEqual(s.requests.refused, { '400': 1 });
    assert.deepEqual(s.items.refused, { '400': 1, partial: 1 });
    assert.equal(s.items.accepted, 3);
    assert.deepEqual(seen, ['ok', 'flaky', 'flaky', 'busy', 'busy', 'busy', 'bad', 'partial']);
  } finally {
    server.close();
  }
});

function prwRecord(i: number, series: number, tenant: string): CaptureRecord {
  const timeseries = Array.from({ length: series }, (_, k) => ({
    labels: [
      { name: '__name__', value: 'm_total' },
      { name: 'series', value: String(k) },
    ],
    samples: [{ value: i, timestamp: 1_700_000_000_000 + i * 1000 }],
  }));
  return {
    arrivalNs: T0 + BigInt(i),
    protocol: 'prw',
    signal: 'metrics',
    path: '/api/v1/write',
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    tenant,
    headers: {},
    body: compressWriteRequest({ timeseries }),
  };
}

test('remote-write: lanes keep every series in order; 429 and 5xx retried, 409 never; the tenant header is sent', async () => {
  const last = new Map<string, number>();
  let outOfOrder = 0;
  let calls = 0;
  let statusOnce: number | undefined;
  const tenants = new Set<string>();
  const server = createServer(async (req, res) => {
    calls++;
    const w = decompressWriteRequest(await body(req));
    tenants.add(String(req.headers['thanos-tenant']));
    assert.equal(req.headers['x-prometheus-remote-write-version'], '0.1.0');
    assert.equal(req.headers['content-encoding'], 'snappy');
    // Slow, uneven answers so lanes overtake each other.
    await new Promise((r) => setTimeout(r, Math.random() * 8));
    if (statusOnce !== undefined) {
      const st = statusOnce;
      statusOnce = undefined;
      return res.writeHead(st, { 'retry-after': '0' }).end('try later');
    }
    for (const ts of w.timeseries ?? []) {
      const key = ts.labels!.map((l) => `${l.name}=${l.value}`).join(',');
      const t = Number(ts.samples![0]!.timestamp);
      if ((last.get(key) ?? -1) >= t) outOfOrder++;
      last.set(key, t);
    }
    res.writeHead(204).end();
  });
  const port = await listen(server);
  try {
    const file = await writeCapture(dir, 'prw.tgcap', Array.from({ length: 40 }, (_, i) => prwRecord(i, 16, i % 2 ? 'team-a' : 'team-b')));
    const s = await runReplay({ files: [file], target: `http://127.0.0.1:${port}/api/v1/write`, concurrency: 4, maxRetryDelayMs: 10 });
    assert.equal(outOfOrder, 0, 'a series went backwards in time');
    assert.equal(s.requests.accepted, s.requests.sent);
    assert.equal(s.items.accepted, 40 * 16);
    assert.ok(s.requests.sent > 40, 'series were spread over lanes');
    assert.deepEqual(tenants, new Set(['team-a', 'team-b']));

    for (const [status, retried] of [
      [429, true],
      [503, true],
      [409, false],
      [400, false],
    ] as const) {
      statusOnce = status;
      const before = calls;
      const one = await writeCapture(dir, `one-${status}.tgcap`, [prwRecord(100 + status, 1, 't')]);
      const r = await runReplay({ files: [one], target: `http://127.0.0.1:${port}/api/v1/write`, concurrency: 1, maxRetryDelayMs: 10 });
      assert.equal(calls - before, retried ? 2 : 1, `status ${status}`);
      assert.equal(r.requests.accepted, retried ? 1 : 0, `status ${status}`);
      if (!retried) assert.deepEqual(r.requests.refused, { [String(status)]: 1 });
    }

    // Retries run out: failed, by status.
    const always = createServer((_req, res) => res.writeHead(500).end('down'));
    const p2 = await listen(always);
    try {
      const one = await writeCapture(dir, 'down.tgcap', [prwRecord(1, 1, 't')]);
      const r = await runReplay({ files: [one], target: `http://127.0.0.1:${p2}/api/v1/write`, retries: 2, maxRetryDelayMs: 10 });
      assert.deepEqual(r.requests.failed, { '500': 1 });
      assert.equal(r.requests.retries, 2);
      assert.deepEqual(r.items.failed, { '500': 1 });
    } finally {
      always.close();
    }
  } finally {
    server.close();
  }
});

test('OTLP/gRPC: UNAVAILABLE retried, RESOURCE_EXHAUSTED without RetryInfo and INVALID_ARGUMENT refused', async () => {
  const seen: string[] = [];
  const server = new grpc.Server();
  const id = (b: Buffer) => b;
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: id,
        requestDeserialize: id,
        responseSerialize: id,
        responseDeserialize: id,
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const text = logText(call.request);
        seen.push(text);
        const n = seen.filter((t) => t === text).length;
        if (text === 'flaky' && n === 1) return cb({ code: grpc.status.UNAVAILABLE, details: 'not yet' });
        if (text === 'exhausted') return cb({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'full' });
        if (text === 'bad') return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'bad data' });
        cb(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((r, j) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  try {
    const file = await writeCapture(dir, 'grpc.tgcap', ['ok', 'flaky', 'exhausted', 'bad'].map((t, i) => logsRecord(t, T0 + BigInt(i))));
    const s = await runReplay({ files: [file], target: `grpc://127.0.0.1:${port}`, concurrency: 1, maxRetryDelayMs: 10 });
    assert.deepEqual(seen, ['ok', 'flaky', 'flaky', 'exhausted', 'bad']);
    assert.equal(s.requests.accepted, 2);
    assert.deepEqual(s.requests.refused, { RESOURCE_EXHAUSTED: 1, INVALID_ARGUMENT: 1 });
    assert.equal(s.requests.retries, 1);
  } finally {
    server.forceShutdown();
  }
});

test('a request the target cannot take is counted as not sendable, never sent', async () => {
  let calls = 0;
  const server = createServer((_req, res) => {
    calls++;
    res.writeHead(200).end();
  });
  const port = await listen(server);
  try {
    const file = await writeCapture(dir, 'mixed.tgcap', [prwRecord(1, 3, 'x'), logsRecord('a log', T0 + 5n)]);
    const otlp = await runReplay({ files: [file], target: `http://127.0.0.1:${port}` });
    assert.deepEqual(otlp.requests.unsendable, { 'remote-write payload cannot be sent to an OTLP target': 1 });
    assert.equal(otlp.items.unsendable, 3);
    assert.equal(otlp.requests.accepted, 1);
    const rw = await runReplay({ files: [file], target: `http://127.0.0.1:${port}/api/v1/receive`, concurrency: 1 });
    assert.deepEqual(rw.requests.unsendable, { 'logs cannot be sent to a remote-write target': 1 });
    assert.equal(rw.requests.accepted, 1);
    assert.equal(calls, 2);
    // The filters: only logs.
    const only = await runReplay({ files: [file], target: `http://127.0.0.1:${port}`, signals: ['logs'] });
    assert.equal(only.requests.matched, 1);
    assert.deepEqual(only.requests.unsendable, {});
  } finally {
    server.close();
  }
});

test('filters (tenant, arrival time) and --loop with shifted timestamps: each pass lands after the previous, intervals kept', async () => {
  const samples: Array<[string, number, number]> = [];
  const server = createServer(async (req, res) => {
    const w = decompressWriteRequest(await body(req));
    for (const ts of w.timeseries ?? []) for (const s of ts.samples ?? []) samples.push([ts.labels!.find((l) => l.name === 'series')!.value!, Number(s.timestamp), s.value!]);
    res.writeHead(204).end();
  });
  const port = await listen(server);
  try {
    // 6 requests, 1 s apart in data time, alternating tenants; arrival times T0+i.
    const file = await writeCapture(dir, 'loop.tgcap', Array.from({ length: 6 }, (_, i) => prwRecord(i, 2, i % 2 ? 'team-a' : 'team-b')));
    const url = `http://127.0.0.1:${port}/api/v1/write`;
    const f = await runReplay({ files: [file], target: url, tenants: ['team-a'], fromNs: T0 + 2n, toNs: T0 + 5n, concurrency: 1, maxRetryDelayMs: 10 });
    assert.equal(f.requests.read, 6);
    assert.equal(f.requests.matched, 1); // only i = 3: team-a, arrived in [T0+2, T0+5)
    assert.deepEqual(samples.map((s) => s[1]), [1_700_000_003_000, 1_700_000_003_000]);

    samples.length = 0;
    const before = Date.now();
    const l = await runReplay({ files: [file], target: url, loop: 3, shiftTimestamps: true, concurrency: 1, maxRetryDelayMs: 10 });
    assert.equal(l.passes, 3);
    assert.equal(l.requests.accepted, 18);
    const s0 = samples.filter((s) => s[0] === '0').map((s) => s[1]);
    assert.equal(s0.length, 18);
    for (let i = 1; i < s0.length; i++) assert.ok(s0[i]! > s0[i - 1]!, `pass boundary at ${i}: ${s0[i - 1]} then ${s0[i]}`);
    // Within a pass the captured 1 s intervals are kept; the first pass ends at the replay's start.
    for (const pass of [0, 1, 2]) {
      const p = s0.slice(pass * 6, pass * 6 + 6);
      assert.deepEqual(p.map((t) => t - p[0]!), [0, 1000, 2000, 3000, 4000, 5000]);
    }
    assert.equal(s0[5]! - 1_700_000_005_000, l.shiftMs);
    assert.ok(Math.abs(s0[5]! - before) < 5000, 'the newest sample of the first pass lands at now');
  } finally {
    server.close();
  }
});
