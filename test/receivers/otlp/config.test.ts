// Config validation with the collector's keys, and the receiver's lifecycle:
// one shared instance per ID, bound ports, shutdown twice or without start.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import type { CreateSettings } from '../../../src/component/factory.js';
import { ConfigError } from '../../../src/config/load.js';
import { resolveGrpc, resolveHttp } from '../../../src/receivers/otlp/config.js';
import { otlpReceiverFactory } from '../../../src/receivers/otlp/factory.js';
import type { OtlpReceiver } from '../../../src/receivers/otlp/receiver.js';
import { checkConfig } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { encodeProto } from '../../../src/pdata/otlpjson.js';
import { GRPC_PATHS, grpcCall, httpRequest } from './rawclient.js';

const host = { health: () => 'ok' as const };
const nop = { capabilities: { mutatesData: false }, consume: async () => {} };
const settings = (id = 'otlp'): CreateSettings => ({ id, kind: 'receiver', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) });

function problems(receiver: unknown): string[] {
  const raw = {
    receivers: { otlp: receiver },
    exporters: { debug: {} },
    service: { pipelines: { traces: { receivers: ['otlp'], exporters: ['debug'] } } },
  };
  try {
    checkConfig(raw as never);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return (e as ConfigError).problems;
  }
}

test('at least one protocol is required', () => {
  assert.deepEqual(problems({}), ['receivers.otlp.protocols: must specify at least one protocol (grpc, http) when using the OTLP receiver']);
  assert.deepEqual(problems(null), ['receivers.otlp.protocols: must specify at least one protocol (grpc, http) when using the OTLP receiver']);
  assert.deepEqual(problems({ protocols: {} }), ['receivers.otlp.protocols: must specify at least one protocol (grpc, http) when using the OTLP receiver']);
});

test('an empty protocol section (YAML `grpc:`) enables it with the collector defaults', () => {
  assert.deepEqual(problems({ protocols: { grpc: null, http: null } }), []);
  const g = resolveGrpc(null)!;
  assert.equal(g.endpoint, 'localhost:4317');
  assert.equal(g.max_recv_msg_size_mib, 4);
  assert.equal(g.include_metadata, false);
  const h = resolveHttp(null)!;
  assert.equal(h.endpoint, 'localhost:4318');
  assert.equal(h.max_request_body_size, 20 * 1024 * 1024);
  assert.equal(h.max_decompressed_body_size, 64 * 1024 * 1024);
  assert.deepEqual([h.traces_url_path, h.metrics_url_path, h.logs_url_path], ['/v1/traces', '/v1/metrics', '/v1/logs']);
  assert.equal(resolveHttp({ max_request_body_size: 100 * 1024 * 1024 } as never)!.max_decompressed_body_size, 100 * 1024 * 1024, 'never under the wire limit');
  assert.equal(resolveGrpc(undefined), undefined, 'absent means off');
});

test('unknown keys, bad values and clashing paths are named with their path', () => {
  assert.deepEqual(problems({ protocols: { http: { endpoint: '127.0.0.1:0', max_body: 1 } } }).map((p) => p.split(' (known')[0]), [
    'receivers.otlp.protocols.http.max_body: unknown key',
  ]);
  assert.deepEqual(problems({ protocols: { grpc: { max_recv_msg_size_mib: 'big' } } }), ['receivers.otlp.protocols.grpc.max_recv_msg_size_mib: must be number']);
  assert.deepEqual(problems({ protocols: { http: { traces_url_path: '/ingest', logs_url_path: 'ingest' } } }), [
    'receivers.otlp.protocols.http.logs_url_path: "ingest" is also used by traces_url_path',
  ]);
  assert.deepEqual(problems({ protocols: { http: { max_request_body_size: 1000, max_decompressed_body_size: 10 } } }), [
    'receivers.otlp.protocols.http.max_decompressed_body_size: must not be smaller than max_request_body_size',
  ]);
  assert.deepEqual(problems({ protocols: { grpc: { keepalive: { server_parameters: { time: 'soon' } } } } }), [
    'receivers.otlp.protocols.grpc.keepalive.server_parameters.time: must be a duration such as "200ms", "5s" or "1m"',
  ]);
});

test('one instance serves every signal of an ID; ports are reported; shutdown is safe twice and without start', async () => {
  const cfg = { protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } };
  assert.deepEqual(problems(cfg), []);
  const set = settings();
  const t = otlpReceiverFactory.create.traces!(set, cfg as never, nop as never) as OtlpReceiver;
  const m = otlpReceiverFactory.create.metrics!(set, cfg as never, nop as never) as OtlpReceiver;
  const l = otlpReceiverFactory.create.logs!(set, cfg as never, nop as never) as OtlpReceiver;
  assert.equal(t, m);
  assert.equal(t, l);
  const other = otlpReceiverFactory.create.traces!(settings('otlp/b'), cfg as never, nop as never);
  assert.notEqual(other, t, 'another ID is another receiver');
  await other.shutdown(); // never started
  await other.shutdown();

  await t.start(host);
  try {
    assert.ok(t.grpcPort > 0 && t.httpPort > 0);
    const h = await httpRequest(`http://127.0.0.1:${t.httpPort}/v1/logs`, { headers: { 'Content-Type': 'application/x-protobuf' }, body: '' });
    assert.equal(h.status, 200);
    const g = await grpcCall(t.grpcPort, GRPC_PATHS.metrics, encodeProto('metrics', {}));
    assert.equal(g.error, null);
  } finally {
    await t.shutdown();
    await t.shutdown();
  }
  const again = otlpReceiverFactory.create.traces!(set, cfg as never, nop as never);
  assert.notEqual(again, t, 'a shut-down receiver is not handed out again');
  await again.shutdown();
});

test('only the configured protocols are started', async () => {
  const cfg = { protocols: { http: { endpoint: '127.0.0.1:0' } } };
  assert.deepEqual(problems(cfg), []);
  const r = otlpReceiverFactory.create.logs!(settings(), cfg as never, nop as never) as OtlpReceiver;
  await r.start(host);
  try {
    assert.equal(r.grpcPort, 0);
    assert.ok(r.httpPort > 0);
  } finally {
    await r.shutdown();
  }
});

test('a busy port is one clear error, and a started gRPC server does not outlive it', async () => {
  const busy = await occupy();
  const port = (busy.address() as { port: number }).port;
  const grpcPort = await occupyThenFree();
  const cfg = { protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}` }, http: { endpoint: `127.0.0.1:${port}` } } };
  assert.deepEqual(problems(cfg), []);
  const r = otlpReceiverFactory.create.traces!(settings(), cfg as never, nop as never);
  try {
    await assert.rejects(r.start(host), { message: `receivers.otlp: protocols.http: cannot listen on 127.0.0.1:${port}: address already in use` });
    const again = await occupy(grpcPort); // free again: the gRPC server was stopped
    again.close();
  } finally {
    busy.close();
    await r.shutdown();
  }
  const g = await occupy();
  const gp = (g.address() as { port: number }).port;
  const r2 = otlpReceiverFactory.create.traces!(settings('otlp/g'), { protocols: { grpc: { endpoint: `127.0.0.1:${gp}` } } } as never, nop as never);
  try {
    await assert.rejects(r2.start(host), { message: `receivers.otlp/g: protocols.grpc: cannot listen on 127.0.0.1:${gp}: address already in use` });
  } finally {
    g.close();
    await r2.shutdown();
  }
});

function occupy(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

async function occupyThenFree(): Promise<number> {
  const s = await occupy();
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
