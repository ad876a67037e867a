import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { isEncodedPrw, type PromData } from '../../../src/component/signal.js';
import { readProm } from '../../../src/pdata/batch.js';
import { permanentError, retryableError, throttledError } from '../../../src/errors/consumererror.js';
import { WriteV2Request, type PromWrite } from '../../../src/pdata/proto.js';
import { PRW_V2_CONTENT_TYPE, STALE_NAN, compressWriteRequest, encodeWriteRequest, float64Bits } from '../../../src/prw/codec.js';
import { snappyEncode } from '../../../src/prw/snappy.js';
import { v1ToV2 } from '../../../src/prw/v2.js';
import { PrwReceiverSchema, type PrwReceiverConfig } from '../../../src/receivers/prometheusremotewrite/config.js';
import { PrwReceiver } from '../../../src/receivers/prometheusremotewrite/receiver.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer } from '../../helpers/sink.js';
import { metricValue, testSettings } from '../../helpers/telemetry.js';
import { seriesBytes } from '../../helpers/prwgen.js';
import { must } from '../../helpers/must.js';

const telemetry = new SelfTelemetry({ processMetrics: false });
const sink = new SinkConsumer<PromData>({ signal: 'metrics' });
let rx: PrwReceiver;
let base: string;

function config(over: Partial<PrwReceiverConfig> = {}): PrwReceiverConfig {
  return Value.Default(PrwReceiverSchema, { endpoint: '127.0.0.1:0', max_request_body_size: 64 * 1024, max_decompressed_size: 256 * 1024, ...over }) as PrwReceiverConfig;
}

before(async () => {
  rx = new PrwReceiver(testSettings('prometheusremotewrite', 'receiver', telemetry), config(), sink);
  await rx.start({ health: () => 'ok' });
  base = `http://127.0.0.1:${rx.port}`;
});
after(async () => {
  await rx.shutdown();
  await rx.shutdown(); // safe twice
});
beforeEach(() => sink.reset());

const WRITE: PromWrite = {
  timeseries: [
    {
      labels: [
        { name: '__name__', value: 'http_requests_total' },
        { name: 'code', value: '200' },
        { name: 'job', value: 'api' },
      ],
      samples: [
        { value: 1, timestamp: 1000 },
        { value: STALE_NAN, timestamp: 2000 },
      ],
      exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 1, timestamp: 1000 }],
    },
    {
      labels: [{ name: '__name__', value: 'latency_seconds' }],
      histograms: [{ countInt: 3, sum: 1.5, schema: 1, zeroThreshold: 0.001, zeroCountInt: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveDeltas: [1, 0], timestamp: 1000 }],
    },
  ],
  metadata: [{ type: 1, metricFamilyName: 'http_requests_total', help: 'Requests.', unit: '' }],
};

function post(path: string, body: Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers },
  });
}

test('remote-write 1.0 on /api/v1/receive: 200 as Thanos Receive; data, stale marker and tenant arrive unchanged', async () => {
  const res = await post('/api/v1/receive', compressWriteRequest(WRITE), { 'THANOS-TENANT': 'team-a' });
  assert.equal(res.status, 200);
  assert.equal(sink.calls.length, 1);
  const got = sink.calls[0]!;
  // Handed on encoded: the very bytes the sender wrote, indexed, with the points counted.
  assert.ok(isEncodedPrw(got.data));
  assert.equal(got.data.toBuffer().toString('hex'), Buffer.from(encodeWriteRequest(WRITE)).toString('hex'));
  assert.equal(got.data.points, 3);
  assert.equal(got.data.seriesCount, 2);
  assert.equal(Buffer.from(encodeWriteRequest(readProm(got.data))).toString('hex'), Buffer.from(encodeWriteRequest(WRITE)).toString('hex'));
  assert.equal(float64Bits(must(must(readProm(got.data).timeseries?.[0]).samples?.[1]?.value)), 0x7ff0000000000002n);
  assert.equal(got.ctx.tenant, 'team-a');
  assert.equal(got.ctx.receiver, 'prometheusremotewrite');
  assert.equal(got.ctx.metadata, undefined);
});

test('remote-write 1.0 on /api/v1/write: 204 as Prometheus; no tenant header → default tenant', async () => {
  const res = await post('/api/v1/write', compressWriteRequest(WRITE));
  assert.equal(res.status, 204);
  assert.equal(sink.calls[0]!.ctx.tenant, 'default-tenant');
});

test('a sender that names no content type or encoding is read as 1.0 snappy', async () => {
  const res = await fetch(`${base}/api/v1/receive`, { method: 'POST', body: compressWriteRequest(WRITE) });
  assert.equal(res.status, 200);
  assert.equal(sink.calls.length, 1);
});

test('remote-write 2.0: 204 with the written counts; downstream sees the 1.0 shape', async () => {
  const body = snappyEncode(WriteV2Request.encode(v1ToV2(WRITE)).finish());
  const res = await post('/api/v1/write', body, { 'content-type': PRW_V2_CONTENT_TYPE, 'x-prometheus-remote-write-version': '2.0.0' });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('x-prometheus-remote-write-samples-written'), '2');
  assert.equal(res.headers.get('x-prometheus-remote-write-histograms-written'), '1');
  assert.equal(res.headers.get('x-prometheus-remote-write-exemplars-written'), '1');
  const got = readProm(must(sink.calls[0]).data);
  assert.deepEqual((got.timeseries ?? []).map(seriesBytes), (WRITE.timeseries ?? []).map(seriesBytes));
  const m = must(got.metadata?.[0]);
  assert.deepEqual({ type: m.type, metricFamilyName: m.metricFamilyName, help: m.help, unit: m.unit }, { type: 1, metricFamilyName: 'http_requests_total', help: 'Requests.', unit: '' });
});

const invalid: Array<[string, PromWrite, RegExp]> = [
  ['unsorted labels', { timeseries: [{ labels: [{ name: '__name__', value: 'up' }, { name: 'b', value: '1' }, { name: 'a', value: '1' }], samples: [{ value: 1, timestamp: 1 }] }] }, /invalid series #0 up\{b="1", a="1"\}: labels not sorted by name/],
  ['duplicate labels', { timeseries: [{ labels: [{ name: '__name__', value: 'up' }, { name: 'a', value: '1' }, { name: 'a', value: '2' }], samples: [{ value: 1, timestamp: 1 }] }] }, /duplicate label name "a"/],
  ['an empty label value', { timeseries: [{ labels: [{ name: '__name__', value: 'up' }, { name: 'a', value: '' }], samples: [{ value: 1, timestamp: 1 }] }] }, /empty label value for "a"/],
  ['an invalid metric name', { timeseries: [{ labels: [{ name: '__name__', value: 'bad-name' }], samples: [{ value: 1, timestamp: 1 }] }] }, /invalid metric name "bad-name"/],
];
for (const [what, req, msg] of invalid) {
  test(`400 for ${what}, naming the series; nothing reaches the pipeline`, async () => {
    const res = await post('/api/v1/receive', compressWriteRequest(req));
    assert.equal(res.status, 400);
    assert.match(await res.text(), msg);
    assert.equal(sink.attempts, 0);
  });
}

test('400 for a body that is not snappy, and for snappy that is not protobuf', async () => {
  let res = await post('/api/v1/receive', Buffer.from('definitely not snappy'));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /invalid snappy block/);
  res = await post('/api/v1/receive', snappyEncode(Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02])));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /undecodable protobuf/);
  const v2bad = snappyEncode(WriteV2Request.encode({ symbols: ['', '__name__'], timeseries: [{ labelsRefs: [1, 5] }] }).finish());
  res = await post('/api/v1/write', v2bad, { 'content-type': PRW_V2_CONTENT_TYPE });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /label ref 5 out of range/);
  assert.equal(sink.attempts, 0);
});

test('415 for a content type or encoding remote-write does not use', async () => {
  let res = await post('/api/v1/receive', compressWriteRequest(WRITE), { 'content-type': 'application/json' });
  assert.equal(res.status, 415);
  assert.match(await res.text(), /unsupported content type "application\/json"/);
  res = await post('/api/v1/receive', compressWriteRequest(WRITE), { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v3.Request' });
  assert.equal(res.status, 415);
  res = await post('/api/v1/receive', compressWriteRequest(WRITE), { 'content-encoding': 'gzip' });
  assert.equal(res.status, 415);
  assert.match(await res.text(), /unsupported content encoding "gzip"/);
});

test('413 over max_request_body_size, and over max_decompressed_size from the snappy header alone', async () => {
  let res = await post('/api/v1/receive', Buffer.alloc(65 * 1024, 1));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /max_request_body_size/);
  // 1 MiB of zeros compresses to a few KiB but announces 1 MiB.
  res = await post('/api/v1/receive', snappyEncode(Buffer.alloc(1024 * 1024)));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /decompresses to 1048576 bytes, over max_decompressed_size \(262144\)/);
});

test('404 elsewhere, 405 for other methods', async () => {
  assert.equal((await fetch(`${base}/api/v1/push`, { method: 'POST' })).status, 404);
  const res = await fetch(`${base}/api/v1/receive`);
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST');
});

test('downstream errors: retryable → 503, throttled → 429 with Retry-After, permanent → 400', async () => {
  sink.failNext(1, retryableError('TG_QUEUE_FULL', 'sending queue is full'));
  let res = await post('/api/v1/receive', compressWriteRequest(WRITE));
  assert.equal(res.status, 503);
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
  assert.match(await res.text(), /sending queue is full/);

  sink.failNext(1, throttledError('TG_MEMORY_LIMIT', 'memory limit', 7000));
  res = await post('/api/v1/receive', compressWriteRequest(WRITE));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '7');

  sink.failNext(1, permanentError('TG_INVALID_DATA', 'refused for good'));
  res = await post('/api/v1/write', compressWriteRequest(WRITE));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /refused for good/);
});

test('self-telemetry counts accepted and refused points (samples + histograms)', async () => {
  const id = { receiver: 'prometheusremotewrite', transport: 'http' };
  const accepted = await metricValue(telemetry, 'otelcol_receiver_accepted_metric_points', id);
  const refused = await metricValue(telemetry, 'otelcol_receiver_refused_metric_points', id);
  assert.equal((await post('/api/v1/receive', compressWriteRequest(WRITE))).status, 200);
  sink.failNext(1, retryableError('TG_QUEUE_FULL', 'full'));
  assert.equal((await post('/api/v1/receive', compressWriteRequest(WRITE))).status, 503);
  assert.equal(await metricValue(telemetry, 'otelcol_receiver_accepted_metric_points', id), accepted + 3);
  assert.equal(await metricValue(telemetry, 'otelcol_receiver_refused_metric_points', id), refused + 3);
});

test('include_metadata passes request headers downstream; tenant_header and default_tenant are configurable', async () => {
  const s2 = new SinkConsumer<PromData>({ signal: 'metrics' });
  const r2 = new PrwReceiver(testSettings('prometheusremotewrite/2', 'receiver'), config({ include_metadata: true, tenant_header: 'X-Scope-OrgID', default_tenant: 'anon' }), s2);
  await r2.start({ health: () => 'ok' });
  try {
    const url = `http://127.0.0.1:${r2.port}/api/v1/receive`;
    await fetch(url, { method: 'POST', body: compressWriteRequest(WRITE), headers: { 'x-scope-orgid': 'tenant-7', 'x-extra': 'yes' } });
    await fetch(url, { method: 'POST', body: compressWriteRequest(WRITE) });
    assert.equal(s2.calls[0]!.ctx.tenant, 'tenant-7');
    assert.deepEqual(s2.calls[0]!.ctx.metadata!['x-extra'], ['yes']);
    assert.equal(s2.calls[1]!.ctx.tenant, 'anon');
  } finally {
    await r2.shutdown();
  }
});
