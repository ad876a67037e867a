import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import bcrypt from 'bcryptjs';
import { WriteRequest } from '../../src/pdata/proto.js';
import { snappyEncode } from '../../src/prw/snappy.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { readTopics, uniqueTopic, useKafka, type KafkaUnderTest } from '../helpers/kafka.js';
import { traceExporter, type OtlpFlavor } from '../helpers/otlp-sdk.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/waitfor.js';

// Authentication on every receiver and transport, with real clients (the
// OpenTelemetry SDK exporters for OTLP gRPC and HTTP, HTTP for remote-write)
// against a real gateway: missing, wrong and rotated-out tokens and bad
// basic credentials are refused with 401 / UNAUTHENTICATED and no detail; a
// token file changed on disk takes effect without a restart; and a client
// holding tenant A's token can never write as tenant B — checked in the
// THANOS-TENANT header a second gateway receives as a remote-write target, and
// in the tenant header of the Kafka records both gateways write.

let kafka: KafkaUnderTest;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-auth-'));
const tokenFile = join(dir, 'tokens');
const services: Service[] = [];
const ports = { grpc: 0, http: 0, prw: 0, prwBasic: 0, target: 0 };
const topics = { traces: uniqueTopic('auth-traces'), metrics: uniqueTopic('auth-metrics') };

before(async () => {
  kafka = await useKafka();
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  writeFileSync(tokenFile, 'token-a team-a\ntoken-b team-b\n');
  // The remote-write target: a second gateway, as Thanos Receive would be, that keeps the tenant it is sent.
  const target = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${ports.target}` } },
      exporters: { kafka: { brokers: kafka.brokers, metrics: { topic: topics.metrics, encoding: 'prometheus_remote_write' } } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['kafka'] } } },
    },
    { logger: silentLogger() },
  );
  services.push(target);
  await target.start();
  const hash = bcrypt.hashSync('s3cret', 4);
  const gw = new Service(
    {
      extensions: {
        'bearertokenauth/in': { filename: tokenFile },
        'basicauth/in': { htpasswd: { inline: `alice:${hash}\nbob:plain-pw` }, tenants: { alice: 'team-a' } },
      },
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `127.0.0.1:${ports.grpc}`, auth: { authenticator: 'bearertokenauth/in' } },
            http: { endpoint: `127.0.0.1:${ports.http}`, auth: { authenticator: 'bearertokenauth/in' } },
          },
        },
        prometheusremotewrite: { endpoint: `127.0.0.1:${ports.prw}`, auth: { authenticator: 'bearertokenauth/in' } },
        'prometheusremotewrite/basic': { endpoint: `127.0.0.1:${ports.prwBasic}`, auth: { authenticator: 'basicauth/in' } },
      },
      exporters: {
        kafka: { brokers: kafka.brokers, traces: { topic: topics.traces } },
        prometheusremotewrite: { endpoint: `http://127.0.0.1:${ports.target}/api/v1/receive`, tenant: { from_context: true } },
      },
      service: {
        extensions: ['bearertokenauth/in', 'basicauth/in'],
        telemetry: { metrics: { address: '' } },
        pipelines: {
          traces: { receivers: ['otlp'], exporters: ['kafka'] },
          metrics: { receivers: ['prometheusremotewrite', 'prometheusremotewrite/basic'], exporters: ['prometheusremotewrite'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  services.push(gw);
  await gw.start();
});

after(async () => {
  for (const s of services.reverse()) await s.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** Exports one span named `name` with the SDK exporter of `flavor`, sending `headers`; resolves the export's result. */
async function exportSpan(flavor: OtlpFlavor, name: string, headers: Record<string, string>): Promise<{ code: ExportResultCode; error?: Error }> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.getTracer('auth-test').startSpan(name).end();
  const spans: ReadableSpan[] = memory.getFinishedSpans();
  const exporter = traceExporter(flavor, { grpcPort: ports.grpc, httpPort: ports.http, headers, timeoutMillis: 5000 });
  try {
    return await new Promise((resolve) => exporter.export(spans, (r) => resolve(r)));
  } finally {
    await exporter.shutdown();
    await provider.shutdown();
  }
}

function writeBody(name: string): Buffer {
  return snappyEncode(
    WriteRequest.encode({ timeseries: [{ labels: [{ name: '__name__', value: name }], samples: [{ value: 1, timestamp: Date.now() }] }] }).finish(),
  );
}

async function remoteWrite(port: number, name: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/receive`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers },
    body: writeBody(name),
  });
  return { status: r.status, text: await r.text() };
}

const FLAVORS: OtlpFlavor[] = ['grpc', 'http/protobuf', 'http/json'];

test('OTLP over gRPC, HTTP protobuf and HTTP JSON: missing and wrong tokens are refused with no detail; a valid one is accepted', async () => {
  for (const flavor of FLAVORS) {
    const cases: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: 'token-a' }, { Authorization: 'Basic dG9rZW4tYQ==' }];
    for (const headers of cases) {
      const r = await exportSpan(flavor, 'refused', headers);
      assert.equal(r.code, ExportResultCode.FAILED, `${flavor} ${JSON.stringify(headers)}`);
      const msg = String(r.error?.message ?? '');
      assert.match(msg, flavor === 'grpc' ? /UNAUTHENTICATED|16/ : /401|Unauthorized/, `${flavor}: ${msg}`);
      assert.ok(!msg.includes('token-a') && !msg.includes('wrong'), `${flavor}: the answer leaks the credentials: ${msg}`);
    }
    assert.equal((await exportSpan(flavor, `ok-${flavor}`, { Authorization: 'Bearer token-a' })).code, ExportResultCode.SUCCESS, flavor);
  }
  // The 401 body says nothing about why.
  const r = await fetch(`http://127.0.0.1:${ports.http}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
    body: '{}',
  });
  assert.equal(r.status, 401);
  assert.deepEqual(await r.json(), { code: 16, message: 'TG_UNAUTHENTICATED: missing or invalid credentials' });
});

test('remote-write: missing, wrong token and bad basic credentials are 401; htpasswd bcrypt and plain users are accepted', async () => {
  assert.equal((await remoteWrite(ports.prw, 'm', {})).status, 401);
  assert.equal((await remoteWrite(ports.prw, 'm', { authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await remoteWrite(ports.prw, 'm', { authorization: 'Bearer token-a' })).status, 200);
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  assert.equal((await remoteWrite(ports.prwBasic, 'm', basic('alice', 'wrong'))).status, 401);
  assert.equal((await remoteWrite(ports.prwBasic, 'm', basic('mallory', 's3cret'))).status, 401);
  assert.equal((await remoteWrite(ports.prwBasic, 'm', { authorization: 'Bearer token-a' })).status, 401);
  const denied = await remoteWrite(ports.prwBasic, 'm', {});
  assert.equal(denied.status, 401);
  assert.equal(denied.text.trim(), 'missing or invalid credentials');
  assert.equal((await remoteWrite(ports.prwBasic, 'm', basic('alice', 's3cret'))).status, 200);
  assert.equal((await remoteWrite(ports.prwBasic, 'm', basic('bob', 'plain-pw'))).status, 200);
});

test("tenant isolation: tenant A's token never writes as B (403), and the tenant reaches THANOS-TENANT at a real remote-write target and the Kafka tenant header", async () => {
  const spoof = await remoteWrite(ports.prw, 'spoofed_metric', { authorization: 'Bearer token-a', 'THANOS-TENANT': 'team-b' });
  assert.equal(spoof.status, 403);
  assert.match(spoof.text, /may not write as tenant "team-b"/);
  assert.equal((await remoteWrite(ports.prw, 'tenant_a_metric', { authorization: 'Bearer token-a' })).status, 200);
  assert.equal((await remoteWrite(ports.prw, 'tenant_a_same_header', { authorization: 'Bearer token-a', 'THANOS-TENANT': 'team-a' })).status, 200);
  assert.equal((await remoteWrite(ports.prw, 'tenant_b_metric', { authorization: 'Bearer token-b' })).status, 200);
  assert.equal(
    (await remoteWrite(ports.prwBasic, 'alice_metric', { authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}`, 'THANOS-TENANT': 'team-b' }))
      .status,
    403,
  );
  assert.equal((await exportSpan('http/protobuf', 'span-of-a', { Authorization: 'Bearer token-a' })).code, ExportResultCode.SUCCESS);
  assert.equal((await exportSpan('grpc', 'span-of-b', { Authorization: 'Bearer token-b' })).code, ExportResultCode.SUCCESS);

  // The target gateway read THANOS-TENANT and wrote it as the Kafka tenant header.
  const names = (v: Buffer) => (WriteRequest.decode(v).timeseries ?? []).map((ts) => ts.labels?.find((l) => l.name === '__name__')?.value ?? '');
  const metrics = await readTopics(kafka.brokers, [topics.metrics], (rs) =>
    ['tenant_a_metric', 'tenant_a_same_header', 'tenant_b_metric'].every((n) => rs.some((r) => names(r.value).includes(n))),
  );
  const tenantOf = (n: string) => metrics.filter((r) => names(r.value).includes(n)).map((r) => r.headers['tollgate-tenant']);
  assert.deepEqual(tenantOf('tenant_a_metric'), ['team-a']);
  assert.deepEqual(tenantOf('tenant_a_same_header'), ['team-a']);
  assert.deepEqual(tenantOf('tenant_b_metric'), ['team-b']);
  assert.deepEqual(tenantOf('spoofed_metric'), [], 'a refused write reached the target');
  // Spans carry the tenant of the token they came with.
  const spans = await readTopics(kafka.brokers, [topics.traces], (rs) => ['span-of-a', 'span-of-b'].every((n) => rs.some((r) => r.value.includes(n))));
  assert.deepEqual(
    spans.filter((r) => r.value.includes('span-of-a')).map((r) => r.headers['tollgate-tenant']),
    ['team-a'],
  );
  assert.deepEqual(
    spans.filter((r) => r.value.includes('span-of-b')).map((r) => r.headers['tollgate-tenant']),
    ['team-b'],
  );
});

test('a token file changed on disk takes effect without a restart: a rotated-out token is refused, a new one accepted', async () => {
  writeFileSync(tokenFile, 'token-c team-a\n');
  await waitFor(
    async () => (await remoteWrite(ports.prw, 'm', { authorization: 'Bearer token-c' })).status === 200,
    'the new token to be accepted',
    10_000,
    100,
  );
  assert.equal((await remoteWrite(ports.prw, 'm', { authorization: 'Bearer token-a' })).status, 401, 'the rotated-out (expired) token is refused');
  for (const flavor of FLAVORS) {
    assert.equal((await exportSpan(flavor, 'old-token', { Authorization: 'Bearer token-a' })).code, ExportResultCode.FAILED, flavor);
    assert.equal((await exportSpan(flavor, 'new-token', { Authorization: 'Bearer token-c' })).code, ExportResultCode.SUCCESS, flavor);
  }
  writeFileSync(tokenFile, 'token-a team-a\ntoken-b team-b\n');
  await waitFor(async () => (await remoteWrite(ports.prw, 'm', { authorization: 'Bearer token-b' })).status === 200, 'the tokens to be restored', 10_000, 100);
});

test('client side: otlp (gRPC), otlphttp and prometheusremotewrite exporters send credentials from bearertokenauth and basicauth', async () => {
  const port = await freePort();
  const edge = new Service(
    {
      extensions: { 'bearertokenauth/out': { token: 'token-b' }, 'basicauth/out': { client_auth: { username: 'alice', password: 's3cret' } } },
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      exporters: {
        otlp: { endpoint: `127.0.0.1:${ports.grpc}`, tls: { insecure: true }, auth: { authenticator: 'bearertokenauth/out' } },
        otlphttp: { endpoint: `http://127.0.0.1:${ports.http}`, auth: { authenticator: 'bearertokenauth/out' } },
        prometheusremotewrite: { endpoint: `http://127.0.0.1:${ports.prwBasic}/api/v1/receive`, auth: { authenticator: 'basicauth/out' } },
      },
      service: {
        extensions: ['bearertokenauth/out', 'basicauth/out'],
        telemetry: { metrics: { address: '' } },
        pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp', 'otlphttp'] }, metrics: { receivers: ['otlp'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  services.push(edge);
  await edge.start();
  const span = {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'through-the-edge',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
  };
  const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
  });
  assert.equal(r.status, 200);
  const g = { name: 'edge_gauge', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: String(Date.now() * 1e6) }] } };
  const m = await fetch(`http://127.0.0.1:${port}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [g] }] }] }),
  });
  assert.equal(m.status, 200);
  // Both trace exporters authenticated as team-b (token-b); the metric went through basicauth as alice (team-a).
  const spans = await readTopics(kafka.brokers, [topics.traces], (rs) => rs.filter((x) => x.value.includes('through-the-edge')).length >= 2);
  assert.deepEqual(
    spans.filter((x) => x.value.includes('through-the-edge')).map((x) => x.headers['tollgate-tenant']),
    ['team-b', 'team-b'],
  );
  const names = (v: Buffer) => (WriteRequest.decode(v).timeseries ?? []).map((ts) => ts.labels?.find((l) => l.name === '__name__')?.value ?? '');
  const metrics = await readTopics(kafka.brokers, [topics.metrics], (rs) => rs.some((x) => names(x.value).includes('edge_gauge')));
  assert.deepEqual(
    metrics.filter((x) => names(x.value).includes('edge_gauge')).map((x) => x.headers['tollgate-tenant']),
    ['team-a'],
  );
});
