// Remote-write in → remote-write out: gateway throughput (samples per second
// per core of gateway CPU time) and the latency the gateway adds, against a
// null target (an HTTP server answering 200).
//
//   node dist/benchmarks/remote-write.bench.js [--persistent] [--requests N] [--series S] [--shards K]
//
// Two processes, so the gateway's CPU time is its own: this one runs the
// gateway (remote-write receiver → prometheusremotewrite exporter); a child
// runs the load generator and the null target.
//   1. throughput: the client sends N requests of S series × 1 sample as fast
//      as they are delivered (8 in flight, at most 32 not yet at the target);
//      samples / gateway CPU seconds.
//   2. latency: the client sends at half the measured rate; added latency is
//      the time from sending a request to its marker sample reaching the
//      target (one marker series per request), p50 and p99.
// --persistent puts the exporter on the persistent queue (sending_queue.storage,
// fsync on) in a temp dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ITimeSeries } from '../src/pdata/proto.js';
import { compressWriteRequest } from '../src/prw/codec.js';
import { snappyDecode } from '../src/prw/snappy.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const num = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};

const REQUESTS = num('requests', 3000);
const SERIES = num('series', 1000);
const SHARDS = num('shards', 5);
const IN_FLIGHT = 8;
const WINDOW = 32;
const POOL = 1000;
const MARKER = Buffer.from([0x0a, 0x02, 0x69, 0x64, 0x12]); // Label{name: "id", value: ...}

if (flag('peer')) await peer();
else await gateway();

// ---- the child: load generator and null target ------------------------------
async function peer(): Promise<void> {
  const sentAt = new Float64Array(POOL);
  let arrived = 0;
  const latencies: number[] = [];
  let recording = false;
  let onArrive: (() => void) | undefined;

  const target = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = snappyDecode(Buffer.concat(chunks), 1 << 30);
      const now = performance.now();
      for (let at = raw.indexOf(MARKER); at >= 0; at = raw.indexOf(MARKER, at + 1)) {
        const len = raw[at + 5]!;
        const id = Number(raw.subarray(at + 6, at + 6 + len).toString('latin1'));
        if (recording) latencies.push(now - sentAt[id]!);
        arrived++;
      }
      res.writeHead(200).end();
      onArrive?.();
    });
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  say({ target: (target.address() as { port: number }).port });
  const line = await new Promise<string>((r) => createInterface({ input: process.stdin }).once('line', r));
  const url = `http://127.0.0.1:${JSON.parse(line).receiver}/api/v1/write`;

  // Pre-encoded bodies: the client's own encoding must not limit the rate.
  const bodies: Buffer[] = [];
  for (let id = 0; id < POOL; id++) {
    const ts: ITimeSeries[] = [];
    const t = 1_700_000_000_000 + id * 15_000;
    for (let i = 0; i < SERIES; i++) {
      ts.push({
        labels: [
          { name: '__name__', value: `node_metric_${i % 50}` },
          { name: 'instance', value: `10.0.${(i >> 8) & 255}.${i & 255}:9100` },
          { name: 'job', value: 'node' },
          { name: 'series', value: String(i) },
        ],
        samples: [{ value: id + i / 7, timestamp: t }],
      });
    }
    ts.push({ labels: [{ name: '__name__', value: 'bench_marker' }, { name: 'id', value: String(id) }], samples: [{ value: id, timestamp: t }] });
    bodies.push(compressWriteRequest({ timeseries: ts }));
  }
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
  const send = async (seq: number) => {
    const id = seq % POOL;
    sentAt[id] = performance.now();
    for (;;) {
      const r = await fetch(url, { method: 'POST', body: bodies[id]!, headers });
      await r.arrayBuffer();
      if (r.ok) return;
      await new Promise((x) => setTimeout(x, 10)); // queue full: the gateway asks to retry
    }
  };
  // Waiters for arrivals at the target (flow control and phase ends).
  let waiters: Array<{ n: number; go: () => void }> = [];
  onArrive = () => {
    const ready = waiters.filter((w) => arrived >= w.n);
    if (ready.length === 0) return;
    waiters = waiters.filter((w) => arrived < w.n);
    for (const w of ready) w.go();
  };
  const allArrived = (n: number) => (arrived >= n ? Promise.resolve() : new Promise<void>((go) => waiters.push({ n, go })));

  // Warm-up.
  for (let s = 0; s < 200; s++) await send(s);
  await allArrived(200);

  // 1. Throughput.
  arrived = 0;
  say({ phase: 'throughput-start' });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < REQUESTS) {
        const seq = next++;
        // Keep at most WINDOW requests between the client and the target, as a
        // sender pacing itself on delivery would: the gateway's queue then
        // holds a bounded amount instead of the whole run.
        await allArrived(seq - WINDOW);
        await send(seq);
      }
    }),
  );
  await allArrived(REQUESTS);
  const wall = (performance.now() - t0) / 1000;
  say({ phase: 'throughput-end', wall });

  // 2. Latency at half the measured rate (open loop).
  const rate = REQUESTS / wall / 2;
  const n = Math.min(REQUESTS, Math.max(200, Math.round(rate * 10)));
  arrived = 0;
  recording = true;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let s = 0; s < n; s++) {
    const due = start + (s * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((x) => setTimeout(x, wait));
    pending.push(send(s));
  }
  await Promise.all(pending);
  await allArrived(n);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  say({ phase: 'latency', rate, requests: n, p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1] });
  target.closeAllConnections();
  target.close();
  process.exit(0);
}

// ---- this process: the gateway -----------------------------------------------
async function gateway(): Promise<void> {
  const { Service } = await import('../src/service/service.js');
  const { silentLogger } = await import('../src/telemetry/logger.js');
  const { freePort } = await import('../test/helpers/ports.js');
  const persistent = flag('persistent');
  const dir = persistent ? mkdtempSync(join(tmpdir(), 'tollgate-bench-queue-')) : undefined;
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--peer', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const messages: Array<Record<string, any>> = [];
  let wake: (() => void) | undefined;
  lines.on('line', (l) => {
    const m = JSON.parse(l);
    if (m.phase === 'throughput-start' || m.phase === 'throughput-end') m.cpu = process.cpuUsage();
    messages.push(m);
    wake?.();
  });
  const next = async (): Promise<Record<string, any>> => {
    while (messages.length === 0) await new Promise<void>((r) => (wake = r));
    return messages.shift()!;
  };

  const { target } = await next();
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${port}` } },
      exporters: {
        prometheusremotewrite: {
          endpoint: `http://127.0.0.1:${target}/api/v1/receive`,
          remote_write_queue: { num_consumers: SHARDS },
          ...(dir ? { sending_queue: { storage: { directory: dir } } } : {}),
        },
      },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  child.stdin!.end(`${JSON.stringify({ receiver: port })}\n`);

  const a = await next();
  const b = await next();
  const lat = await next();
  const cpu = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1e6;
  const samples = REQUESTS * (SERIES + 1);
  console.log(
    JSON.stringify(
      {
        benchmark: 'remote-write in → remote-write out (null target)',
        queue: persistent ? 'persistent (fsync)' : 'memory',
        shards: SHARDS,
        requests: REQUESTS,
        samples_per_request: SERIES + 1,
        samples,
        wall_s: +b.wall.toFixed(3),
        samples_per_s: Math.round(samples / b.wall),
        gateway_cpu_s: +cpu.toFixed(3),
        samples_per_cpu_s: Math.round(samples / cpu),
        latency_at_requests_per_s: +lat.rate.toFixed(1),
        added_latency_ms_p50: +lat.p50.toFixed(2),
        added_latency_ms_p99: +lat.p99.toFixed(2),
        added_latency_ms_max: +lat.max.toFixed(2),
      },
      null,
      2,
    ),
  );
  await svc.shutdown();
  await new Promise((r) => child.once('exit', r));
  if (dir) rmSync(dir, { recursive: true, force: true });
}
