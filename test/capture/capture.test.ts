import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CaptureSchema, createCapture, type CaptureConfig } from '../../src/capture/index.js';
import { readCaptures } from '../../src/capture/merge.js';
import type { CaptureRecord } from '../../src/capture/format.js';
import { validateAgainst } from '../../src/config/validate.js';
import { decodeJSON, decodeProto, encodeJSON, encodeProto } from '../../src/pdata/otlpjson.js';
import type { Traces } from '../../src/pdata/proto.js';
import { SelfTelemetry } from '../../src/telemetry/selftelemetry.js';
import { metricValue, testSettings } from '../helpers/telemetry.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-cap-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function config(raw: Record<string, unknown>): CaptureConfig {
  const cfg: any = { ...raw };
  assert.deepEqual(validateAgainst(CaptureSchema, cfg, 'capture'), []);
  return cfg;
}

async function records(files: readonly string[]): Promise<CaptureRecord[]> {
  const out: CaptureRecord[] = [];
  for await (const e of readCaptures(files)) out.push(e.record);
  return out;
}

test('schema: path required, defaults filled, unknown keys refused', () => {
  const cfg: any = { path: '/tmp/x.tgcap' };
  assert.deepEqual(validateAgainst(CaptureSchema, cfg, 'capture'), []);
  assert.deepEqual(cfg, { path: '/tmp/x.tgcap', max_bytes: 256 * 1024 * 1024, rotate: 0, headers: [], secret_headers: [] });
  assert.deepEqual(validateAgainst(CaptureSchema, {}, 'receivers.otlp.capture'), ['receivers.otlp.capture.path: required']);
  assert.equal(validateAgainst(CaptureSchema, { path: 'x', bogus: 1 }, 'capture').length, 1);
});

test('no capture section, no capture', () => {
  assert.equal(createCapture(testSettings('otlp', 'receiver'), undefined), undefined);
});

test('credentials are never written; allow-listed headers are', async () => {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const set = testSettings('prometheusremotewrite/in', 'receiver', telemetry);
  const cap = createCapture(set, config({ path: join(dir, `h${++n}.tgcap`), headers: ['X-Team', 'Authorization', 'x-internal-token'], secret_headers: ['X-Internal-Token'] }))!;
  cap.record({
    protocol: 'prw',
    signal: 'metrics',
    path: '/api/v1/write',
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    tenant: 'team-a',
    headers: {
      authorization: 'Bearer secret',
      Cookie: 'session=secret',
      'x-api-key': 'secret',
      'x-internal-token': 'secret',
      'X-Team': 'payments',
      'user-agent': 'Prometheus/2.42.0',
      'x-prometheus-remote-write-version': '0.1.0',
      'x-other': 'not listed',
    },
    body: Buffer.from([1, 2, 3]),
  });
  await cap.close();
  const [r] = await records(cap.files);
  assert.deepEqual(r!.headers, { 'x-team': ['payments'], 'user-agent': ['Prometheus/2.42.0'], 'x-prometheus-remote-write-version': ['0.1.0'] });
  assert.equal(r!.tenant, 'team-a');
  for (const f of cap.files) assert.equal(readFileSync(f).includes('secret'), false, 'a credential reached the capture file');
  assert.equal(await metricValue(telemetry, 'tollgate_capture_requests', { receiver: 'prometheusremotewrite/in' }), 1);
});

test('tap() keeps the wire bytes of an HTTP request (still gzip) while the server reads it decompressed', async () => {
  const cap = createCapture(testSettings('otlp', 'receiver'), config({ path: join(dir, `tap${++n}.tgcap`) }))!;
  const seen: Buffer[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    cap.tap(req, 'otlp_http', { signal: 'traces' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(gunzipSync(Buffer.concat(chunks)));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const payload = Buffer.from(JSON.stringify({ resourceSpans: [] }).repeat(2000));
  const wire = gzipSync(payload);
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { port, host: '127.0.0.1', method: 'POST', path: '/v1/traces?x=1', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: 'Basic c2VjcmV0' } },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    // In pieces, as a slow client would send it.
    req.write(wire.subarray(0, 100));
    setTimeout(() => req.end(wire.subarray(100)), 20);
  });
  await new Promise<void>((r) => server.close(() => r()));
  await cap.close();
  assert.deepEqual(seen[0], payload);
  const [r] = await records(cap.files);
  assert.deepEqual(r!.body, wire);
  assert.equal(r!.path, '/v1/traces');
  assert.equal(r!.protocol, 'otlp_http');
  assert.equal(r!.signal, 'traces');
  assert.equal(r!.contentType, 'application/json');
  assert.equal(r!.contentEncoding, 'gzip');
  assert.deepEqual(r!.headers, {});
});

test('grpc(): the message and allow-listed metadata; records after close are counted as not captured', async () => {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const cap = createCapture(testSettings('otlp', 'receiver', telemetry), config({ path: join(dir, `g${++n}.tgcap`) }))!;
  const md = { getMap: () => ({ 'user-agent': 'grpc-node-js/1.14', authorization: 'Bearer x' }) };
  cap.grpc('/opentelemetry.proto.collector.logs.v1.LogsService/Export', 'logs', Buffer.from('abc'), md);
  await cap.close();
  cap.grpc('/opentelemetry.proto.collector.logs.v1.LogsService/Export', 'logs', Buffer.from('late'), md);
  const rs = await records(cap.files);
  assert.equal(rs.length, 1);
  assert.equal(rs[0]!.protocol, 'otlp_grpc');
  assert.equal(rs[0]!.signal, 'logs');
  assert.deepEqual(rs[0]!.headers, { 'user-agent': ['grpc-node-js/1.14'] });
  assert.equal(await metricValue(telemetry, 'tollgate_capture_dropped_requests', { receiver: 'otlp', reason: 'TG_CAPTURE_BACKLOG' }), 1);
});

test('capture files are readable by their owner only (0600): they may hold prompts', async () => {
  const cap = createCapture(testSettings('otlp', 'receiver'), config({ path: join(dir, `mode${++n}.tgcap`) }));
  assert.ok(cap);
  cap.grpc('/opentelemetry.proto.collector.logs.v1.LogsService/Export', 'logs', Buffer.from('abc'));
  await cap.close();
  assert.equal(cap.files.length, 1);
  for (const f of cap.files) assert.equal(statSync(f).mode & 0o777, 0o600);
});

const PROMPT = 'write to alice@example.com about card 4111 1111 1111 1111';
function promptTraces(): Traces {
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                name: 'chat',
                traceId: Buffer.alloc(16, 1),
                spanId: Buffer.alloc(8, 2),
                attributes: [
                  { key: 'gen_ai.prompt', value: { stringValue: PROMPT } },
                  { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

test('capture.redaction applies the redaction rules before writing: no prompt reaches the file (protobuf gzip and JSON)', async () => {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const cfg = config({ path: join(dir, `red${++n}.tgcap`), redaction: { action: 'mask' } });
  const cap = createCapture(testSettings('otlp', 'receiver', telemetry), cfg);
  assert.ok(cap);
  const proto = encodeProto('traces', promptTraces());
  cap.record({ protocol: 'otlp_http', signal: 'traces', path: '/v1/traces', contentType: 'application/x-protobuf', contentEncoding: 'gzip', body: gzipSync(proto) });
  cap.record({ protocol: 'otlp_http', signal: 'traces', path: '/v1/traces', contentType: 'application/json', body: Buffer.from(encodeJSON('traces', promptTraces())) });
  // Metrics carry no content: written as they arrived.
  cap.record({ protocol: 'prw', signal: 'metrics', path: '/api/v1/write', contentType: 'application/x-protobuf', contentEncoding: 'snappy', body: Buffer.from([9, 9]) });
  // Undecodable: not captured at all (it could hold anything), counted.
  cap.record({ protocol: 'otlp_grpc', signal: 'traces', path: '/x', contentType: 'application/grpc+proto', body: Buffer.concat([Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), Buffer.from('alice@example.com')]) });
  await cap.close();
  for (const f of cap.files) {
    const text = readFileSync(f).toString('latin1');
    assert.equal(text.includes('alice@example.com'), false, 'an e-mail address reached the capture file');
    assert.equal(text.includes('4111'), false, 'a card number reached the capture file');
  }
  const [proto0, json1, prw2, ...rest] = await records(cap.files);
  assert.ok(proto0 && json1 && prw2);
  assert.equal(rest.length, 0);
  assert.equal(proto0.contentEncoding, '', 'stored decompressed');
  const spanAttrs = (t: Traces) =>
    Object.fromEntries((t.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? a.value?.intValue]));
  const attrs = spanAttrs(decodeProto('traces', proto0.body) as Traces);
  assert.equal(attrs['gen_ai.prompt'], 'write to [REDACTED:email] about card [REDACTED:card]');
  assert.equal(attrs['gen_ai.request.model'], 'gpt-4o');
  assert.equal(spanAttrs(decodeJSON('traces', json1.body) as Traces)['gen_ai.prompt'], 'write to [REDACTED:email] about card [REDACTED:card]');
  assert.deepEqual(prw2.body, Buffer.from([9, 9]));
  assert.equal(await metricValue(telemetry, 'tollgate_capture_dropped_requests', { receiver: 'otlp', reason: 'TG_DECODE' }), 1);
});
