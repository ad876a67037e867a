// Bad input, each answered with the collector's status and a message saying
// what was wrong — and the gateway still serving right after.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { encodeJSON, encodeProto } from '../../../src/pdata/otlpjson.js';
import { RpcStatus, type Traces } from '../../../src/pdata/proto.js';
import { spanAt } from '../../helpers/otlpparts.js';
import { selfMetric, startGateway, type Gateway } from './harness.js';
import { GRPC_PATHS, grpcCall, httpRequest, type HttpAnswer } from './rawclient.js';

const MIB = 1024 * 1024;
const PB = { 'Content-Type': 'application/x-protobuf' };
const JSON_CT = { 'Content-Type': 'application/json' };

function traces(name = 'ok', attrBytes = 0): Traces {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-input' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: Buffer.alloc(16, 1),
                spanId: Buffer.alloc(8, 2),
                name,
                attributes: attrBytes ? [{ key: 'blob', value: { stringValue: 'x'.repeat(attrBytes) } }] : [],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** google.rpc.Status from a protobuf error body. */
const statusOf = (a: HttpAnswer) => RpcStatus.decode(a.body);

let gw: Gateway;
let good = 0;

/** A valid request over each transport still goes through. */
async function stillServing(): Promise<void> {
  const before = gw.sink.of('traces').length;
  const h = await httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: encodeProto('traces', traces(`good-${++good}`)) });
  assert.equal(h.status, 200, `still serving over HTTP: ${h.body.toString()}`);
  const g = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, encodeProto('traces', traces(`good-${++good}`)));
  assert.equal(g.error, null, 'still serving over gRPC');
  assert.equal(gw.sink.of('traces').length, before + 2);
}

before(async () => {
  gw = await startGateway({
    grpc: { max_recv_msg_size_mib: 1 },
    http: { max_request_body_size: MIB, max_decompressed_body_size: 4 * MIB },
  });
});
after(() => gw?.stop());

describe('OTLP/HTTP', () => {
  test('truncated protobuf: 400 with a google.rpc.Status saying it cannot be decoded', async () => {
    const body = encodeProto('traces', traces('truncated'));
    const a = await httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: body.subarray(0, body.length - 5) });
    assert.equal(a.status, 400);
    assert.equal(a.headers['content-type'], 'application/x-protobuf');
    const st = statusOf(a);
    assert.equal(st.code, 3); // INVALID_ARGUMENT
    assert.match(st.message, /^TG_DECODE: invalid protobuf ExportTraceServiceRequest/);
    await stillServing();
  });

  test('trace and span IDs of the wrong size: 400 naming the field, nothing reaches the pipeline', async () => {
    const before = gw.sink.calls;
    const t = traces('short-id');
    spanAt(t).traceId = Buffer.alloc(15, 1);
    const a = await httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: encodeProto('traces', t) });
    assert.equal(a.status, 400);
    const st = statusOf(a);
    assert.equal(st.code, 3);
    assert.equal(st.message, 'TG_DECODE: invalid protobuf ExportTraceServiceRequest: resourceSpans[0].scopeSpans[0].spans[0].traceId: 15 bytes; a trace ID is 16 bytes (or empty)');
    const l = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, spanId: Buffer.alloc(9, 1) }] }] }] };
    const b = await httpRequest(gw.httpUrl('/v1/logs'), { headers: PB, body: encodeProto('logs', l) });
    assert.equal(b.status, 400);
    assert.match(statusOf(b).message, /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.spanId: 9 bytes; a span ID is 8 bytes/);
    assert.equal(gw.sink.calls, before);
    await stillServing();
  });

  test('invalid JSON: 400 with a JSON google.rpc.Status', async () => {
    const a = await httpRequest(gw.httpUrl('/v1/traces'), { headers: JSON_CT, body: '{"resourceSpans": [' });
    assert.equal(a.status, 400);
    assert.equal(a.headers['content-type'], 'application/json');
    const st = JSON.parse(a.body.toString());
    assert.equal(st.code, 3);
    assert.match(st.message, /^TG_DECODE: invalid JSON/);
    const wrongShape = await httpRequest(gw.httpUrl('/v1/traces'), { headers: JSON_CT, body: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}' });
    assert.equal(wrongShape.status, 400);
    assert.match(JSON.parse(wrongShape.body.toString()).message, /traceId/);
    await stillServing();
  });

  test('OTLP JSON: wrong-length trace and span IDs and out-of-range number timestamps are refused with 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f"}]}]}]}', /spans\[0\]\.traceId: invalid traceId "0102030405060708090a0b0c0d0e0f": expected 32 hex characters$/],
      ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"010203040506070809"}]}]}]}', /spans\[0\]\.spanId: invalid spanId "010203040506070809": expected 16 hex characters$/],
      ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"01"}]}]}]}', /logRecords\[0\]\.traceId: invalid traceId "01"/],
      ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1.5e300}]}]}]}', /startTimeUnixNano: unsigned 64-bit integer out of range: 1\.5e\+300$/],
    ];
    for (const [body, message] of cases) {
      const path = body.includes('resourceLogs') ? '/v1/logs' : '/v1/traces';
      const r = await httpRequest(gw.httpUrl(path), { headers: JSON_CT, body });
      assert.equal(r.status, 400, body);
      const st = JSON.parse(r.body.toString());
      assert.equal(st.code, 3);
      assert.match(st.message, message);
    }
    await stillServing();
  });

  test('wrong content type: 415 naming the supported ones', async () => {
    const a = await httpRequest(gw.httpUrl('/v1/traces'), { headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    assert.equal(a.status, 415);
    assert.equal(a.body.toString(), '415 unsupported media type, supported: [application/json, application/x-protobuf]');
    const none = await httpRequest(gw.httpUrl('/v1/traces'), { body: 'hello' });
    assert.equal(none.status, 415);
    const withParams = await httpRequest(gw.httpUrl('/v1/traces'), { headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: encodeJSON('traces', traces()) });
    assert.equal(withParams.status, 200, 'parameters of the media type are ignored');
    await stillServing();
  });

  test('wrong method: 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const a = await httpRequest(gw.httpUrl('/v1/metrics'), { method });
      assert.equal(a.status, 405, method);
      assert.equal(a.headers.allow, 'POST');
      assert.equal(a.body.toString(), '405 method not allowed, supported: [POST]');
    }
    await stillServing();
  });

  test('unknown path: 404', async () => {
    for (const path of ['/', '/v1/trace', '/v1/traces/extra', '/v2/logs']) {
      const a = await httpRequest(gw.httpUrl(path), { headers: PB, body: encodeProto('traces', traces()) });
      assert.equal(a.status, 404, path);
      assert.match(a.body.toString(), /^404 page not found/);
    }
    const q = await httpRequest(gw.httpUrl('/v1/traces?x=1'), { headers: PB, body: encodeProto('traces', traces()) });
    assert.equal(q.status, 200, 'a query string does not change the path');
    await stillServing();
  });

  test('empty body: an empty protobuf request is accepted, an empty JSON body is not (as the collector)', async () => {
    const before = gw.sink.calls;
    const pb = await httpRequest(gw.httpUrl('/v1/logs'), { headers: PB, body: '' });
    assert.equal(pb.status, 200);
    assert.equal(pb.body.length, 0, 'an ExportLogsServiceResponse without partial success is zero bytes');
    const obj = await httpRequest(gw.httpUrl('/v1/logs'), { headers: JSON_CT, body: '{}' });
    assert.equal(obj.status, 200);
    assert.equal(obj.body.toString(), '{}');
    assert.equal(gw.sink.calls, before, 'empty requests never reach the pipeline');
    const js = await httpRequest(gw.httpUrl('/v1/logs'), { headers: JSON_CT, body: '' });
    assert.equal(js.status, 400);
    assert.match(JSON.parse(js.body.toString()).message, /empty body/);
    await stillServing();
  });

  test('oversize body: 413 naming the limit, with or without Content-Length', async () => {
    const big = encodeProto('traces', traces('big', MIB + 1000));
    const a = await httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: big });
    assert.equal(a.status, 413);
    const st = statusOf(a);
    assert.equal(st.code, 8); // RESOURCE_EXHAUSTED
    assert.match(st.message, /^TG_BODY_TOO_LARGE: .*exceeds max_request_body_size of 1048576 bytes/);
    const chunked = await chunkedPost(gw.httpUrl('/v1/traces'), big);
    assert.equal(chunked.status, 413);
    assert.match(statusOf(chunked).message, /max_request_body_size of 1048576 bytes/);
    await stillServing();
  });

  test('an announced body far over the limit is refused before it is sent', async () => {
    const a = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = http.request(gw.httpUrl('/v1/traces'), { method: 'POST', headers: { ...PB, 'Content-Length': 500 * MIB }, agent: false });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders(); // headers only: the body never comes
    });
    assert.deepEqual(a, { status: 413, connection: 'close' });
    await stillServing();
  });

  test('gzip bomb: 413 once the decompressed size passes max_decompressed_body_size', async () => {
    // 64 concatenated gzip members of 4 MiB of zeros: ~260 KiB on the wire, 256 MiB inflated.
    const member = gzipSync(Buffer.alloc(4 * MIB));
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    assert.ok(bomb.length < MIB, 'the bomb itself is under the wire limit');
    const a = await httpRequest(gw.httpUrl('/v1/traces'), { headers: { ...PB, 'Content-Encoding': 'gzip' }, body: bomb });
    assert.equal(a.status, 413);
    const st = statusOf(a);
    assert.equal(st.code, 8);
    assert.match(st.message, /^TG_DECOMPRESSED_TOO_LARGE: gzip request body decompresses to more than max_decompressed_body_size of 4194304 bytes/);
    await stillServing();
  });

  test('corrupt gzip: 400; unknown Content-Encoding: 400 naming the supported ones', async () => {
    const corrupt = await httpRequest(gw.httpUrl('/v1/traces'), { headers: { ...PB, 'Content-Encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    assert.equal(corrupt.status, 400);
    assert.match(statusOf(corrupt).message, /^TG_DECODE: cannot decompress gzip request body/);
    const unknown = await httpRequest(gw.httpUrl('/v1/traces'), { headers: { ...JSON_CT, 'Content-Encoding': 'snappy' }, body: '{}' });
    assert.equal(unknown.status, 400);
    assert.match(JSON.parse(unknown.body.toString()).message, /^TG_UNSUPPORTED_ENCODING: unsupported Content-Encoding: snappy \(supported: .*gzip/);
    const gz = await httpRequest(gw.httpUrl('/v1/traces'), { headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: gzipSync(encodeJSON('traces', traces())) });
    assert.equal(gz.status, 200, 'gzip JSON is accepted');
    await stillServing();
  });

  test('every refusal is counted by status in the self-metrics', async () => {
    // Makes its own refusals, so it passes alone and in any order.
    const count = (status: string) => selfMetric(gw.svc, 'tollgate_receiver_failed_requests', { receiver: 'otlp', transport: 'http', status });
    const accepted = () => selfMetric(gw.svc, 'otelcol_receiver_accepted_spans', { receiver: 'otlp', transport: 'http' });
    const refusals: Record<string, () => Promise<HttpAnswer>> = {
      '400': () => httpRequest(gw.httpUrl('/v1/traces'), { headers: JSON_CT, body: '{"resourceSpans": [' }),
      '404': () => httpRequest(gw.httpUrl('/v2/logs'), { headers: PB, body: encodeProto('traces', traces()) }),
      '405': () => httpRequest(gw.httpUrl('/v1/metrics'), { method: 'GET' }),
      '413': () => httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: Buffer.alloc(MIB + 1) }),
      '415': () => httpRequest(gw.httpUrl('/v1/traces'), { headers: { 'Content-Type': 'text/plain' }, body: 'hello' }),
    };
    for (const [status, refuse] of Object.entries(refusals)) {
      const before = await count(status);
      assert.equal((await refuse()).status, Number(status));
      assert.equal(await count(status), before + 1, `failed requests with ${status} counted`);
    }
    const before = await accepted();
    assert.equal((await httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: encodeProto('traces', traces()) })).status, 200);
    assert.equal(await accepted(), before + 1, 'accepted spans counted');
  });
});

describe('OTLP/gRPC', () => {
  test('oversize message: RESOURCE_EXHAUSTED naming max_recv_msg_size_mib', async () => {
    const big = encodeProto('traces', traces('big', MIB + 1000));
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, big);
    assert.equal(r.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(r.error!.details, /max_recv_msg_size_mib = 1 MiB \(1048576 bytes\)/);
    await stillServing();
  });

  test('compressed message that inflates over the limit: RESOURCE_EXHAUSTED', async () => {
    const big = encodeProto('traces', traces('big', 2 * MIB));
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, big, { gzip: true });
    assert.equal(r.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    await stillServing();
  });

  test('truncated protobuf: INVALID_ARGUMENT saying it cannot be decoded', async () => {
    const body = encodeProto('metrics', { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asDouble: 1 }] } }] }] }] });
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS.metrics, body.subarray(0, body.length - 4));
    assert.equal(r.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.error!.details, /^TG_DECODE: invalid protobuf ExportMetricsServiceRequest/);
    await stillServing();
  });

  test('a span ID of the wrong size: INVALID_ARGUMENT naming the field', async () => {
    const t = traces('long-span-id');
    spanAt(t).parentSpanId = Buffer.alloc(16, 3);
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, encodeProto('traces', t));
    assert.equal(r.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.error?.details ?? '', /spans\[0\]\.parentSpanId: 16 bytes; a span ID is 8 bytes \(or empty\)$/);
    await stillServing();
  });

  test('garbage nested deep inside an attribute: INVALID_ARGUMENT, never a crash', async () => {
    const t = traces('nested-garbage');
    const good = Buffer.from(encodeProto('traces', t));
    // Replace the span name's bytes with a varint that never ends: still length-consistent outside.
    const at = good.indexOf(Buffer.from('nested-garbage'));
    good.fill(0xff, at - 2, at + 3);
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, good);
    assert.equal(r.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.error?.details ?? '', /^TG_DECODE: invalid protobuf ExportTraceServiceRequest: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]/);
    await stillServing();
  });

  test('empty request: OK without reaching the pipeline', async () => {
    const before = gw.sink.calls;
    const r = await grpcCall(gw.grpcPort, GRPC_PATHS.logs, new Uint8Array(0));
    assert.equal(r.error, null);
    assert.equal(r.response?.length, 0);
    assert.equal(gw.sink.calls, before);
  });

  test('refusals are counted by code in the self-metrics', async () => {
    // Makes its own refusals, so it passes alone and in any order.
    const count = (status: string) => selfMetric(gw.svc, 'tollgate_receiver_failed_requests', { receiver: 'otlp', transport: 'grpc', status });
    const exhausted = await count('RESOURCE_EXHAUSTED');
    const big = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, encodeProto('traces', traces('big', MIB + 1000)));
    assert.equal(big.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(await count('RESOURCE_EXHAUSTED'), exhausted + 1);
    const invalid = await count('INVALID_ARGUMENT');
    const body = encodeProto('traces', traces('truncated'));
    const bad = await grpcCall(gw.grpcPort, GRPC_PATHS.traces, body.subarray(0, body.length - 5));
    assert.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(await count('INVALID_ARGUMENT'), invalid + 1);
  });
});

describe('a signal without a pipeline', () => {
  let only: Gateway;
  before(async () => {
    only = await startGateway({ signals: ['traces'] });
  });
  after(() => only?.stop());

  test('HTTP answers 404 and gRPC UNIMPLEMENTED, saying there is no pipeline', async () => {
    const h = await httpRequest(only.httpUrl('/v1/logs'), { headers: PB, body: '' });
    assert.equal(h.status, 404);
    assert.match(h.body.toString(), /no logs pipeline/);
    const g = await grpcCall(only.grpcPort, GRPC_PATHS.metrics, new Uint8Array(0));
    assert.equal(g.error?.code, grpc.status.UNIMPLEMENTED);
    assert.match(g.error!.details, /no metrics pipeline/);
    const ok = await httpRequest(only.httpUrl('/v1/traces'), { headers: PB, body: encodeProto('traces', traces()) });
    assert.equal(ok.status, 200);
  });
});

/** POST without Content-Length (chunked), as streaming clients send. */
function chunkedPost(url: string, body: Uint8Array): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: PB, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

describe('shape limits (limits.max_attributes, limits.max_nesting)', () => {
  let g: Gateway;
  before(async () => {
    g = await startGateway({ signals: ['traces'], receiver: { limits: { max_attributes: 100, max_nesting: 3 } } });
  });
  after(() => g.stop());
  const span = (attributes: unknown[]): Traces =>
    ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 's', attributes }] }] }] }) as unknown as Traces;
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } }));
  const nested = (levels: number) => {
    let v: unknown = { stringValue: 'leaf' };
    for (let i = 1; i < levels; i++) v = { arrayValue: { values: [v] } };
    return [{ key: 'deep', value: v }];
  };

  test('too many attributes or too deep: 400 / INVALID_ARGUMENT with TG_SHAPE_LIMIT naming the limit, over protobuf, JSON and gRPC', async () => {
    for (const [what, t, limit] of [
      ['attributes', span(many(101)), /more than 100 attributes or values in one Span \(limits\.max_attributes\)$/],
      ['array values', span([{ key: 'a', value: { arrayValue: { values: many(101).map((kv) => kv.value) } } }]), /more than 100 attributes or values in one ArrayValue/],
      ['nesting', span(nested(5)), /AnyValue nesting deeper than 3 levels \(limits\.max_nesting\)$/],
    ] as const) {
      const pb = await httpRequest(g.httpUrl('/v1/traces'), { headers: PB, body: Buffer.from(encodeProto('traces', t)) });
      assert.equal(pb.status, 400, what);
      const st = statusOf(pb);
      assert.match(st.message, /^TG_SHAPE_LIMIT: /, what);
      assert.match(st.message, limit, what);
      const js = await httpRequest(g.httpUrl('/v1/traces'), { headers: JSON_CT, body: encodeJSON('traces', t) });
      assert.equal(js.status, 400, `${what} (JSON)`);
      assert.match(JSON.parse(js.body.toString()).message, /^TG_SHAPE_LIMIT: /, `${what} (JSON)`);
      const rpc = await grpcCall(g.grpcPort, GRPC_PATHS.traces, Buffer.from(encodeProto('traces', t)));
      assert.equal(rpc.error?.code, grpc.status.INVALID_ARGUMENT, what);
      assert.match(rpc.error?.details ?? '', /^TG_SHAPE_LIMIT: /, what);
    }
    // At the limits: accepted.
    assert.equal((await httpRequest(g.httpUrl('/v1/traces'), { headers: PB, body: Buffer.from(encodeProto('traces', span([...many(99), ...nested(3)]))) })).status, 200);
    assert.equal(
      (await httpRequest(g.httpUrl('/v1/traces'), { headers: JSON_CT, body: encodeJSON('traces', span([...many(99), ...nested(3)])) })).status,
      200,
    );
  });
});
