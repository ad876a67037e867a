// Event-loop health under hostile single requests: while each request below
// is sent to a gateway process, the health endpoint is polled every 10 ms;
// reported are the worst health-endpoint latency and the worst event-loop
// delay the gateway itself measured (tollgate_nodejs_nodejs_eventloop_lag_max_seconds,
// reset at each scrape, read just before and after the request).
//
//   node dist/benchmarks/hostile.bench.js [--cli path/to/dist/src/cli/main.js] [--only name]
//
// --cli runs another build (an older checkout) to compare before and after.
// The requests: the built-in e-mail mask on a 100 KB prompt that makes the
// regular expression backtrack (`a.` repeated); card/phone/api_key masks on
// hostile inputs; a remote-write body whose snappy header announces more than
// it holds; four large honest snappy bodies at once (about 16 MiB
// decompressed each); one span with 1M attributes; 16 gzip bombs at once.
//
// Measured (2026-12, this 2-core machine, shared; worst event-loop delay in
// ms, main at 8cc88cb before this work → main with it, the encoded OTLP and
// remote-write data paths included): e-mail mask 4953 → 12; card/phone/
// api_key 11 → 11; lying snappy length 11 → 11 (refused before any work);
// 4 large honest snappy bodies at once 475 → 94; one span with 1M attributes
// 516 → 22 (400 from the scan's shape limit); 16 gzip bombs 32 → 24
// (inflating runs in zlib's pool; the budget stops them). Table in
// docs/operations/limits.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeJSON, encodeProto } from '../src/pdata/otlpjson.js';
import { WriteRequest, type Traces } from '../src/pdata/proto.js';
import { snappyEncode } from '../src/prw/snappy.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const CLI = opt('cli') ?? join(import.meta.dirname, '..', 'src', 'cli', 'main.js');
const ONLY = opt('only');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const spanJson = (attrs: Array<{ key: string; value: { stringValue: string } }>) =>
  Buffer.from(
    encodeJSON('traces', {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'chat', attributes: attrs }] }] }],
    } as unknown as Traces),
  );

function prw(series: number): Buffer {
  const timeseries = [];
  for (let i = 0; i < series; i++) {
    timeseries.push({
      labels: [
        { name: '__name__', value: 'm' },
        { name: 'i', value: `${i}-${'x'.repeat(60)}` },
      ],
      samples: [{ value: i, timestamp: 1_700_000_000_000 }],
    });
  }
  return snappyEncode(WriteRequest.encode({ timeseries }).finish());
}

interface Case {
  name: string;
  requests: () => Array<{ path: 'http' | 'prw'; url: string; headers: Record<string, string>; body: Buffer }>;
}

const JSON_CT = { 'content-type': 'application/json' };
const PB = { 'content-type': 'application/x-protobuf' };
const RW = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

const CASES: Case[] = [
  {
    name: 'mask e-mail, 100 KB of "a."',
    requests: () => [
      { path: 'http', url: '/v1/traces', headers: JSON_CT, body: spanJson([{ key: 'gen_ai.prompt', value: { stringValue: 'a.'.repeat(50_000) } }]) },
    ],
  },
  {
    name: 'mask card/phone/api_key hostile',
    requests: () => [
      {
        path: 'http',
        url: '/v1/traces',
        headers: JSON_CT,
        body: spanJson([{ key: 'gen_ai.prompt', value: { stringValue: `${'1 '.repeat(50_000)}sk-${'-'.repeat(50_000)}` } }]),
      },
    ],
  },
  {
    name: 'snappy length that lies (announces 100 MiB, holds 80 KB)',
    requests: () => {
      const real = prw(1000);
      // Replace the varint length header by one announcing 100 MiB.
      let p = 0;
      while ((real[p] ?? 0) & 0x80) p++;
      const head = Buffer.from([0x80, 0x80, 0x80, 0x32]); // 100 MiB as a varint
      return [{ path: 'prw', url: '/api/v1/receive', headers: RW, body: Buffer.concat([head, real.subarray(p + 1)]) }];
    },
  },
  {
    name: '4 large honest snappy bodies at once (~16 MiB decompressed each)',
    requests: () => {
      const b = prw(200_000);
      return [0, 1, 2, 3].map(() => ({ path: 'prw' as const, url: '/api/v1/receive', headers: RW, body: b }));
    },
  },
  {
    name: 'one span with 1M attributes',
    requests: () => {
      const attributes = Array.from({ length: 1_000_000 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } }));
      const t = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), name: 'x', attributes }] }] }] };
      return [{ path: 'http', url: '/v1/traces', headers: PB, body: Buffer.from(encodeProto('traces', t as unknown as Traces)) }];
    },
  },
  {
    name: '16 gzip bombs at once (1 MiB → 1 GiB)',
    requests: () => {
      const bomb = gzipSync(Buffer.alloc(1024 * 1024 * 1024), { level: 9 });
      return Array.from({ length: 16 }, () => ({ path: 'http' as const, url: '/v1/traces', headers: { ...PB, 'content-encoding': 'gzip' }, body: bomb }));
    },
  },
];

async function main(): Promise<void> {
  const ports = { http: await freePort(), prw: await freePort(), health: await freePort(), metrics: await freePort() };
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-hostile-'));
  const cfg = join(dir, 'c.yaml');
  writeFileSync(
    cfg,
    `receivers:
  otlp: {protocols: {http: {endpoint: 127.0.0.1:${ports.http}}}}
  prometheusremotewrite: {endpoint: 127.0.0.1:${ports.prw}}
processors:
  memory_limiter: {limit_mib: 2048}
  redaction: {action: mask}
exporters:
  debug: {verbosity: basic}
extensions:
  health_check: {endpoint: 127.0.0.1:${ports.health}}
service:
  extensions: [health_check]
  telemetry: {metrics: {address: 127.0.0.1:${ports.metrics}}, logs: {level: error}}
  pipelines:
    traces: {receivers: [otlp], processors: [memory_limiter, redaction], exporters: [debug]}
    metrics: {receivers: [prometheusremotewrite], processors: [memory_limiter], exporters: [debug]}
`,
  );
  const child = spawn(process.execPath, [CLI, '--config', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  const lag = async () => {
    const t = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    return Number(/^tollgate_nodejs_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(t)?.[1] ?? 0) * 1000;
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${ports.health}/`)).status === 200) break;
      } catch {
        // starting
      }
      if (i > 300) throw new Error('gateway did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`gateway: ${CLI}`);
    console.log('| request | answers | worst health latency ms | worst event-loop delay ms | wall ms |');
    console.log('|---|---|---|---|---|');
    for (const c of CASES) {
      if (ONLY && !c.name.includes(ONLY)) continue;
      const reqs = c.requests();
      await new Promise((r) => setTimeout(r, 500));
      await lag(); // resets the gateway's maximum
      let worst = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const t0 = performance.now();
          try {
            await fetch(`http://127.0.0.1:${ports.health}/`);
          } catch {
            // counted as latency
          }
          worst = Math.max(worst, performance.now() - t0);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const t0 = performance.now();
      const statuses = await Promise.all(
        reqs.map(async (r) => {
          try {
            const res = await fetch(`http://127.0.0.1:${r.path === 'http' ? ports.http : ports.prw}${r.url}`, {
              method: 'POST',
              headers: r.headers,
              body: r.body,
            });
            await res.arrayBuffer();
            return res.status;
          } catch {
            return 0;
          }
        }),
      );
      const wall = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 100));
      polling = false;
      await poller;
      const delay = await lag();
      const counts: Record<number, number> = {};
      for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
      const answers = Object.entries(counts)
        .map(([s, n]) => `${n}×${s}`)
        .join(' ');
      console.log(`| ${c.name} | ${answers} | ${worst.toFixed(0)} | ${delay.toFixed(0)} | ${wall.toFixed(0)} |`);
    }
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
