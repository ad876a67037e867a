import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';
import { Prometheus, seriesKey, waitFor, type MatrixSeries } from '../../helpers/prometheus.js';
import { metricValue } from '../../helpers/telemetry.js';

/**
 * Real Prometheus → Tollgate → real Prometheus. The sender scrapes an app
 * (counters, gauges, a histogram with exemplars, in OpenMetrics) and itself,
 * and remote-writes to Tollgate's /api/v1/receive; Tollgate remote-writes to
 * the target's /api/v1/write. Both are then queried over the same window and
 * must hold the same series with the same raw samples and exemplars.
 */

function appServer(): { server: Server; scrapes: () => number } {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    const now = Date.now() / 1000;
    const lines = [
      '# TYPE app_requests counter',
      '# HELP app_requests Requests served.',
      `app_requests_total{code="200",path="/api"} ${n * 3}`,
      `app_requests_total{code="500",path="/api"} ${Math.floor(n / 2)} # {trace_id="${n.toString(16).padStart(32, '0')}"} 1 ${now.toFixed(3)}`,
      '# TYPE app_temperature_celsius gauge',
      `app_temperature_celsius{room="a b \\"c\\""} ${(20 + Math.sin(n) * 3).toFixed(6)}`,
      `app_temperature_celsius{room="ü日"} ${-n / 7}`,
      '# TYPE app_latency_seconds histogram',
      `app_latency_seconds_bucket{le="0.1"} ${n} # {trace_id="b${n}"} 0.05 ${now.toFixed(3)}`,
      `app_latency_seconds_bucket{le="1.0"} ${2 * n}`,
      `app_latency_seconds_bucket{le="+Inf"} ${3 * n}`,
      `app_latency_seconds_sum ${(n * 1.7).toFixed(3)}`,
      `app_latency_seconds_count ${3 * n}`,
      '# EOF',
    ];
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end(`${lines.join('\n')}\n`);
  });
  return { server, scrapes: () => n };
}

function sameSamples(a: Map<string, MatrixSeries>, b: Map<string, MatrixSeries>): string | undefined {
  for (const [k, s] of a) {
    const t = b.get(k);
    if (!t) return `series missing in target: ${k}`;
    const av = JSON.stringify(s.values ?? []);
    const bv = JSON.stringify(t.values ?? []);
    if (av !== bv) return `series ${k} differs:\n sender ${av.slice(0, 300)}\n target ${bv.slice(0, 300)}`;
  }
  for (const k of b.keys()) if (!a.has(k)) return `series in target the sender does not have: ${k}`;
  return undefined;
}

test('real Prometheus → Tollgate → real Prometheus: every series arrives with identical labels, samples and exemplars', { timeout: 120_000 }, async () => {
  const app = appServer();
  await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', r));
  const appPort = (app.server.address() as { port: number }).port;
  const target = await Prometheus.start();
  const rwPort = await freePort();
  const svc = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${rwPort}` } },
      exporters: { prometheusremotewrite: { endpoint: target.writeUrl, remote_write_queue: { num_consumers: 4 } } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  let sender: Prometheus | undefined;
  try {
    const start = Date.now() / 1000;
    sender = await Prometheus.start({
      scrapeInterval: '1s',
      scrape: [{ job: 'app', targets: [`127.0.0.1:${appPort}`] }],
      scrapeSelf: true,
      metadataInterval: '1s',
      remoteWrite: [
        {
          url: `http://127.0.0.1:${rwPort}/api/v1/receive`,
          sendExemplars: true,
          headers: { 'THANOS-TENANT': 'e2e' },
          queueConfig: { batch_send_deadline: '500ms', max_shards: 4, min_backoff: '50ms' },
        },
      ],
    });
    await waitFor('6 scrapes of the app', async () => app.scrapes() >= 6, 30_000);
    const end = Math.floor(Date.now() / 1000) - 1;
    const window = end - start + 5;
    const all = '{__name__=~".+"}';
    const want = await sender.rawSamples(all, end, window);
    assert.ok(want.size > 100, `sender holds ${want.size} series`);
    assert.ok([...want.keys()].some((k) => k.includes('app_temperature_celsius') && k.includes('ü日')));
    let diff: string | undefined = 'not compared yet';
    await waitFor(
      'the target to hold what the sender wrote',
      async () => {
        diff = sameSamples(want, await target.rawSamples(all, end, window));
        return diff === undefined;
      },
      45_000,
      500,
    ).catch((err) => assert.fail(`${(err as Error).message}\n${diff}`));

    // Exemplars travel too (the sender scraped them from OpenMetrics).
    const ex = async (p: Prometheus) =>
      JSON.stringify(
        (await p.exemplars('{__name__=~"app_.+"}', start - 5, end))
          .map((e: { seriesLabels: Record<string, string>; exemplars: unknown[] }) => [seriesKey(e.seriesLabels), e.exemplars])
          .sort(),
      );
    const wantEx = await ex(sender);
    assert.match(wantEx, /trace_id/);
    await waitFor('exemplars in the target', async () => (await ex(target)) === wantEx, 20_000);

    const tel = svc.telemetry;
    for (const status of ['400', '409']) {
      assert.equal(await metricValue(tel, 'tollgate_exporter_remote_write_requests', { exporter: 'prometheusremotewrite', status }), 0);
    }
  } finally {
    await sender?.stop();
    await svc.shutdown();
    await target.stop();
    await new Promise<void>((r) => app.server.close(() => r()));
  }
});
