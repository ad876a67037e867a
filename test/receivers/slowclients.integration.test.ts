import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { connect, type Socket } from 'node:net';
import { ChildGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/waitfor.js';

// A thousand clients that never finish their requests, on every listener and
// in every way (headers never ending, bodies stopping, bodies trickling, gRPC
// connections that never speak HTTP/2 or never send their message), against
// a real gateway process with short timeouts: every one is closed by the
// gateway, counted by reason, and its file descriptors go back to the baseline.

const CONFIG = (p: { grpc: number; http: number; prw: number; health: number; metrics: number }, dir: string) => `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${p.grpc}
        read_header_timeout: 2s
        read_timeout: 2s
        keepalive: {server_parameters: {max_connection_idle: 2s}}
      http:
        endpoint: 127.0.0.1:${p.http}
        read_header_timeout: 2s
        read_timeout: 4s
        body_idle_timeout: 1s
        idle_timeout: 2s
  prometheusremotewrite:
    endpoint: 127.0.0.1:${p.prw}
    read_header_timeout: 2s
    read_timeout: 4s
    body_idle_timeout: 1s
exporters:
  file: {path: ${dir}/out.jsonl}
extensions:
  health_check: {endpoint: 127.0.0.1:${p.health}}
service:
  extensions: [health_check]
  telemetry: {metrics: {address: 127.0.0.1:${p.metrics}}}
  pipelines:
    traces: {receivers: [otlp], exporters: [file]}
    metrics: {receivers: [prometheusremotewrite], exporters: [file]}
`;

const kinds = new WeakMap<Socket, string>();

function open(port: number, first: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      if (first) s.write(first);
      resolve(s);
    });
    s.on('error', () => {}); // the gateway closing on us is the point
    s.once('error', reject);
    // The gateway ending the connection is the outcome awaited: close our side too.
    s.on('end', () => s.destroy());
    s.resume();
    kinds.set(s, `${port}:${first.slice(0, 40).replace(/\r\n/g, ' ')}`);
  });
}

const CHUNKED = (path: string, type: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`;

test('a thousand never-ending requests are closed by the listener timeouts; fds return to the baseline; the gateway keeps serving', async () => {
  const gw = await ChildGateway.start(CONFIG);
  const sockets: Socket[] = [];
  const sessions: http2.ClientHttp2Session[] = [];
  const trickles: NodeJS.Timeout[] = [];
  try {
    await new Promise((r) => setTimeout(r, 300));
    const baseline = gw.fds();
    const { http, prw, grpc } = gw.ports;
    let held = 0;
    const batch = async (n: number, make: () => Promise<Socket>) => {
      for (let i = 0; i < n; i += 50) sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, make))));
      held = Math.max(held, gw.fds());
    };
    // Bodies that stop after one chunk (body_idle_timeout).
    await batch(500, () => open(http, CHUNKED('/v1/traces', 'application/x-protobuf')));
    // Bodies that trickle a byte every 400 ms, never ending (read_timeout).
    const trickling: Socket[] = [];
    await batch(150, async () => {
      const s = await open(http, CHUNKED('/v1/traces', 'application/json'));
      trickling.push(s);
      return s;
    });
    trickles.push(
      setInterval(() => {
        for (const s of trickling) if (!s.destroyed) s.write('1\r\nx\r\n');
      }, 400),
    );
    // Headers that never end (read_header_timeout).
    await batch(100, () => open(http, 'POST /v1/traces HTTP/1.1\r\nHost: x\r\n'));
    // Remote-write bodies that stop.
    await batch(150, () => open(prw, CHUNKED('/api/v1/receive', 'application/x-protobuf')));
    // gRPC connections that never start HTTP/2.
    await batch(50, () => open(grpc, ''));
    // gRPC calls that never deliver their message (half a frame).
    for (let i = 0; i < 50; i++) {
      const session = http2.connect(`http://127.0.0.1:${grpc}`);
      session.on('error', () => {});
      const req = session.request({
        ':method': 'POST',
        ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      req.on('error', () => {});
      req.write(Buffer.from([0, 0, 0, 0, 100, 1, 2, 3]));
      sessions.push(session);
    }
    const opened = sockets.length + sessions.length;
    assert.equal(opened, 1000);
    held = Math.max(held, gw.fds());
    assert.ok(held > baseline + 100, `the gateway held the connections for a while (fds ${baseline} → ${held})`);

    const openCount = () =>
      `${JSON.stringify(
        sockets
          .filter((s) => !(s.destroyed || s.readyState === 'closed'))
          .map((s) => kinds.get(s))
          .reduce((m: Record<string, number>, k = '') => ((m[k] = (m[k] ?? 0) + 1), m), {}),
      )} sessions ${sessions.filter((s) => !(s.closed || s.destroyed)).length}`;
    await waitFor(
      () => sockets.every((s) => s.destroyed || s.readyState === 'closed') && sessions.every((s) => s.closed || s.destroyed),
      'the gateway to close every slow client',
      60_000,
      100,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}; still open: ${openCount()}`);
    });
    await waitFor(() => gw.fds() <= baseline + 3, `fds back to the baseline (${baseline}; held ${held})`, 30_000, 100);

    const closed = (reason: string) => gw.metric('tollgate_receiver_closed_connections', { reason });
    assert.ok((await closed('body_idle_timeout')) >= 650, `body_idle_timeout closes: ${await closed('body_idle_timeout')}`);
    assert.ok((await closed('read_timeout')) >= 150 + 50, `read_timeout closes: ${await closed('read_timeout')}`);
    assert.ok((await closed('header_timeout')) >= 100 + 50, `header_timeout closes: ${await closed('header_timeout')}`);

    // Still serving.
    const ok = await fetch(`http://127.0.0.1:${http}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    assert.equal(ok.status, 200);
  } finally {
    for (const t of trickles) clearInterval(t);
    for (const s of sockets) s.destroy();
    for (const s of sessions) s.destroy();
    await gw.stop();
  }
});
