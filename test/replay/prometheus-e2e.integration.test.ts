import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { freePort } from '../helpers/ports.js';
import { Prometheus, seriesKey, waitFor } from '../helpers/prometheus.js';
import { replay } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-prom-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An app to scrape: counters, a gauge and a histogram that move with every scrape. */
function appServer(): { server: Server; scrapes: () => number } {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    const lines = [
      '# TYPE app_requests_total counter',
      `app_requests_total{code="200"} ${n * 3}`,
      `app_requests_total{code="500"} ${Math.floor(n / 2)}`,
      '# TYPE app_temperature_celsius gauge',
      `app_temperature_celsius ${(20 + Math.sin(n) * 3).toFixed(6)}`,
      '# TYPE app_latency_seconds histogram',
      `app_latency_seconds_bucket{le="0.1"} ${n}`,
      `app_latency_seconds_bucket{le="0.5"} ${n + Math.floor(n / 3)}`,
      `app_latency_seconds_bucket{le="1"} ${2 * n}`,
      `app_latency_seconds_bucket{le="+Inf"} ${3 * n}`,
      `app_latency_seconds_sum ${(n * 1.7).toFixed(3)}`,
      `app_latency_seconds_count ${3 * n}`,
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  return { server, scrapes: () => n };
}

/** The sender's own gauge of the newest sample it has remote-written, read from its /metrics. */
async function highestSent(p: Prometheus): Promise<number> {
  const text = await (await fetch(`${p.url}/metrics`)).text();
  const m = /^prometheus_remote_storage_queue_highest_sent_timestamp_seconds\{[^}]*\} (\S+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

const QUERIES = [
  'rate(app_requests_total[5s])',
  'sum(app_requests_total)',
  'sum by (code) (increase(app_requests_total[10s]))',
  'histogram_quantile(0.9, sum by (le) (rate(app_latency_seconds_bucket[5s])))',
  'histogram_quantile(0.5, rate(app_latency_seconds_bucket[5s]))',
  'sum(rate(app_latency_seconds_sum[5s])) / sum(rate(app_latency_seconds_count[5s]))',
  'app_temperature_celsius',
  'count_over_time(app_temperature_celsius[10s])',
];

async function results(p: Prometheus, expr: string, t: number): Promise<Map<string, number>> {
  const d = await p.query(expr, t);
  const out = new Map<string, number>();
  if (d.resultType === 'scalar') out.set('', Number((d.result as unknown as [number, string])[1]));
  else for (const r of d.result as Array<{ metric: Record<string, string>; value: [number, string] }>) out.set(seriesKey(r.metric), Number(r.value[1]));
  return out;
}

/**
 * A real Prometheus scrapes an app and remote-writes to a Tollgate whose
 * remote-write receiver captures. The capture is replayed with
 * --shift-timestamps into a fresh Prometheus: rates, sums and histogram
 * quantiles over the shifted window equal those the sender itself computes
 * over the original window.
 */
test('a real Prometheus sender captured, replayed with --shift-timestamps into a fresh Prometheus: same query results over the shifted window', { timeout: 150_000 }, async () => {
  const app = appServer();
  await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
  const appPort = (app.server.address() as { port: number }).port;
  const rwPort = await freePort();
  const capDir = join(dir, 'capture');
  const svc = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${rwPort}`, capture: { path: join(capDir, 'prw.tgcap') } } },
      exporters: { debug: { verbosity: 'basic' } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['debug'] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  let svcUp = true;
  let sender: Prometheus | undefined;
  let fresh: Prometheus | undefined;
  try {
    sender = await Prometheus.start({
      scrapeInterval: '1s',
      scrape: [{ job: 'app', targets: [`127.0.0.1:${appPort}`] }],
      remoteWrite: [{ url: `http://127.0.0.1:${rwPort}/api/v1/write`, queueConfig: { batch_send_deadline: '200ms', max_shards: 4, min_backoff: '50ms' } }],
    });
    await waitFor('14 scrapes of the app', async () => app.scrapes() >= 14, 60_000);
    const end = Math.floor(Date.now() / 1000) - 2;
    const start = end - 8;
    // Everything up to the window's end has been remote-written (so captured).
    await waitFor(
      'the sender to have remote-written past the window',
      async () => (await highestSent(sender!)) >= end + 1,
      30_000,
    );
    await svc.shutdown(); // closes the capture file
    svcUp = false;

    fresh = await Prometheus.start();
    const r = await replay([capDir, '--target', fresh.writeUrl, '--shift-timestamps']);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.summary)}`);
    assert.ok(r.summary.requests.accepted > 5);
    const shiftMs = r.summary.shiftMs!;
    assert.ok(shiftMs > 0, `shift ${shiftMs}`);
    const shift = shiftMs / 1000;

    let compared = 0;
    for (let t = start; t <= end; t++) {
      for (const q of QUERIES) {
        const want = await results(sender, q, t);
        const got = await results(fresh, q, t + shift);
        assert.ok(want.size > 0, `${q} at ${t} is empty in the sender`);
        assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${q} at ${t}: series differ`);
        for (const [k, v] of want) {
          const g = got.get(k)!;
          assert.ok(g === v || Math.abs(g - v) <= 1e-9 * Math.max(1, Math.abs(v)) || (Number.isNaN(g) && Number.isNaN(v)), `${q} ${k} at ${t}: sender ${v}, replayed ${g}`);
        }
        compared++;
      }
    }
    assert.equal(compared, 9 * QUERIES.length);
  } finally {
    await sender?.stop();
    await fresh?.stop();
    if (svcUp) await svc.shutdown();
    await new Promise<void>((r) => app.server.close(() => r()));
  }
});
