// Receiver options a collector user carries over: include_metadata, CORS,
// custom URL paths, response headers, accepted encodings, TLS.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { deflateSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { encodeJSON, encodeProto } from '../../../src/pdata/otlpjson.js';
import type { Traces } from '../../../src/pdata/proto.js';
import { FLAVORS, exportOk, recordingTracer, traceExporter } from '../../helpers/otlp-sdk.js';
import { selfSignedCert } from '../../helpers/tlscerts.js';
import { startGateway, type Gateway } from './harness.js';
import { GRPC_PATHS, grpcCall, httpRequest } from './rawclient.js';

const PB = { 'Content-Type': 'application/x-protobuf' };
const one = (): Traces => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 3), spanId: Buffer.alloc(8, 4), name: 'x' }] }] }] });

describe('include_metadata', () => {
  let on: Gateway;
  let off: Gateway;
  before(async () => {
    on = await startGateway({ grpc: { include_metadata: true }, http: { include_metadata: true } });
    off = await startGateway();
  });
  after(async () => {
    await on?.stop();
    await off?.stop();
  });

  test('HTTP headers and gRPC metadata reach the pipeline with lower-case keys, only when asked', async () => {
    const h = await httpRequest(on.httpUrl('/v1/traces'), { headers: { ...PB, 'X-Tenant': 'acme' }, body: encodeProto('traces', one()) });
    assert.equal(h.status, 200);
    const g = await grpcCall(on.grpcPort, GRPC_PATHS.traces, encodeProto('traces', one()), { metadata: { 'X-Tenant': 'globex' } });
    assert.equal(g.error, null);
    const [viaHttp, viaGrpc] = on.sink.of('traces').map((r) => r.ctx);
    assert.equal(viaHttp!.receiver, 'otlp');
    assert.deepEqual(viaHttp!.metadata?.['x-tenant'], ['acme']);
    assert.deepEqual(viaHttp!.metadata?.['content-type'], ['application/x-protobuf']);
    assert.deepEqual(viaGrpc!.metadata?.['x-tenant'], ['globex']);

    await httpRequest(off.httpUrl('/v1/traces'), { headers: { ...PB, 'X-Tenant': 'acme' }, body: encodeProto('traces', one()) });
    await grpcCall(off.grpcPort, GRPC_PATHS.traces, encodeProto('traces', one()), { metadata: { 'x-tenant': 'globex' } });
    for (const r of off.sink.of('traces')) {
      assert.equal(r.ctx.receiver, 'otlp');
      assert.equal(r.ctx.metadata, undefined);
    }
    assert.equal(off.sink.of('traces').length, 2);
  });
});

describe('HTTP server options', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({
      grpc: false,
      http: {
        traces_url_path: 'ingest/spans',
        cors: { allowed_origins: ['https://*.example.com'], allowed_headers: ['X-Tenant'], max_age: 600 },
        response_headers: { 'X-Served-By': 'tollgate' },
        compression_algorithms: ['', 'deflate'],
      },
    });
  });
  after(() => gw?.stop());

  test('a custom path serves the signal, the default path no longer does; SDK exporters follow it', async () => {
    const ok = await httpRequest(gw.httpUrl('/ingest/spans'), { headers: PB, body: encodeProto('traces', one()) });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-served-by'], 'tollgate', 'response_headers on every answer');
    const old = await httpRequest(gw.httpUrl('/v1/traces'), { headers: PB, body: encodeProto('traces', one()) });
    assert.equal(old.status, 404);
    assert.equal(old.headers['x-served-by'], 'tollgate');
    const rec = recordingTracer(resourceFromAttributes({}));
    rec.tracer('t').startSpan('custom-path').end();
    const exporter = traceExporter('http/json', { grpcPort: 0, httpPort: gw.httpPort, urlPath: '/ingest/spans' });
    await exportOk(exporter, rec.finished());
    await exporter.shutdown();
    assert.ok(gw.sink.of('traces').some((r) => r.otlp.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name === 'custom-path'));
  });

  test('CORS: a preflight from an allowed origin is answered with the allowed method, headers and max age', async () => {
    const pre = await httpRequest(gw.httpUrl('/ingest/spans'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-tenant' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(pre.headers['access-control-allow-methods'], 'POST');
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type, x-tenant');
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.equal(pre.headers['access-control-max-age'], '600');

    const refused = await httpRequest(gw.httpUrl('/ingest/spans'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(refused.status, 204);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    const badHeader = await httpRequest(gw.httpUrl('/ingest/spans'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-secret' },
    });
    assert.equal(badHeader.headers['access-control-allow-origin'], undefined);

    const post = await httpRequest(gw.httpUrl('/ingest/spans'), { headers: { 'Content-Type': 'application/json', Origin: 'https://app.example.com' }, body: encodeJSON('traces', one()) });
    assert.equal(post.status, 200);
    assert.equal(post.headers['access-control-allow-origin'], 'https://app.example.com');
  });

  test('compression_algorithms limits the accepted encodings', async () => {
    const deflated = await httpRequest(gw.httpUrl('/ingest/spans'), { headers: { ...PB, 'Content-Encoding': 'deflate' }, body: deflateSync(encodeProto('traces', one())) });
    assert.equal(deflated.status, 200);
    const gz = await httpRequest(gw.httpUrl('/ingest/spans'), { headers: { ...PB, 'Content-Encoding': 'gzip' }, body: gzipSync(encodeProto('traces', one())) });
    assert.equal(gz.status, 400);
  });

  test('without a cors section, OPTIONS is a method not allowed', async () => {
    const plain = await startGateway({ grpc: false });
    try {
      const a = await httpRequest(plain.httpUrl('/v1/traces'), { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(a.status, 405);
    } finally {
      await plain.stop();
    }
  });
});

describe('gRPC server options', () => {
  test('keepalive settings written with their zero defaults still serve (0 means never)', async () => {
    const gw = await startGateway({
      http: false,
      grpc: { max_concurrent_streams: 8, keepalive: { server_parameters: { max_connection_idle: '0s', max_connection_age: '0s' }, enforcement_policy: {} } },
    });
    try {
      const rec = recordingTracer(resourceFromAttributes({}));
      rec.tracer('t').startSpan('first').end();
      const exporter = traceExporter('grpc', { grpcPort: gw.grpcPort, httpPort: 0 });
      await exportOk(exporter, rec.finished());
      await exportOk(exporter, rec.finished()); // the same channel, still open
      await exporter.shutdown();
      assert.equal(gw.sink.of('traces').length, 2);
    } finally {
      await gw.stop();
    }
  });
});

describe('TLS', () => {
  const tls = selfSignedCert();
  let gw: Gateway;
  before(async () => {
    const t = { cert_file: tls.cert, key_file: tls.key };
    gw = await startGateway({ grpc: { tls: t }, http: { tls: t } });
  });
  after(async () => {
    await gw?.stop();
    rmSync(tls.dir, { recursive: true, force: true });
  });

  test('SDK exporters of every flavour deliver over TLS', async () => {
    const ca = readFileSync(tls.cert);
    for (const flavor of FLAVORS) {
      const rec = recordingTracer(resourceFromAttributes({ 'test.flavor': flavor }));
      rec.tracer('t').startSpan(`tls-${flavor}`).end();
      const exporter = traceExporter(flavor, {
        grpcPort: gw.grpcPort,
        httpPort: gw.httpPort,
        scheme: 'https',
        host: 'localhost', // a name, as TLS server names must be (the certificate holds both)
        grpcCredentials: grpc.credentials.createSsl(ca),
        httpAgentOptions: { ca },
      });
      await exportOk(exporter, rec.finished());
      await exporter.shutdown();
    }
    assert.deepEqual(
      gw.sink.of('traces').map((r) => r.otlp.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name),
      ['tls-grpc', 'tls-http/protobuf', 'tls-http/json'],
    );
  });
});
