import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { PromWrite } from '../../../src/pdata/proto.js';
import { compressWriteRequest, decompressWriteRequest } from '../../../src/prw/codec.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';
import { Prometheus, waitFor } from '../../helpers/prometheus.js';
import { metricValue } from '../../helpers/telemetry.js';

/**
 * The target goes away for 30 s in the middle of a stream and comes back.
 * The target is a real Prometheus behind a thin recording proxy; both are
 * stopped (connections refused) and restarted on the same port. The proxy
 * counts every (series, timestamp) Prometheus accepted, which shows a sample
 * sent twice even where Prometheus would silently take an identical duplicate.
 */

class RecordingProxy {
  private server: Server | undefined;
  private stopping = false;
  readonly accepted = new Map<string, number>();
  refusedByTarget = 0;
  constructor(
    private upstream: () => string,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        try {
          const r = await fetch(this.upstream(), { method: 'POST', body, headers: req.headers as Record<string, string> });
          const text = await r.text();
          if (r.ok) this.record(decompressWriteRequest(body));
          else this.refusedByTarget++;
          // While stopping, every answer ends its keep-alive connection so close() can finish.
          res.writeHead(r.status, this.stopping ? { connection: 'close' } : {}).end(text);
        } catch (err) {
          res.writeHead(502).end(String(err));
        }
      });
    });
    this.stopping = false;
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  private record(req: PromWrite): void {
    for (const ts of req.timeseries ?? []) {
      const key = ts.labels!.map((l) => `${l.name}=${l.value}`).join(',');
      for (const s of ts.samples ?? []) {
        const k = `${key}@${String(s.timestamp)}`;
        this.accepted.set(k, (this.accepted.get(k) ?? 0) + 1);
      }
    }
  }

  /** Stops taking connections; requests already inside finish first. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    this.stopping = true;
    const idle = setInterval(() => s.closeIdleConnections(), 20);
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeIdleConnections();
    });
    clearInterval(idle);
  }
}

test('target down for 30 s mid-stream, then back: every sample arrives, none twice', { timeout: 180_000 }, async () => {
  let prom = await Prometheus.start();
  const proxy = new RecordingProxy(() => prom.writeUrl, await freePort());
  await proxy.start();
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${port}` } },
      // Default retry settings (max_elapsed_time 1m) ride out a 30 s outage.
      exporters: { prometheusremotewrite: { endpoint: `http://127.0.0.1:${proxy.port}/api/v1/write`, remote_write_queue: { num_consumers: 4 } } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const SERIES = 100;
  const t0 = Date.now() - 60_000;
  let sent = 0;
  let round = 0;
  let streaming = true;
  const stream = (async () => {
    while (streaming) {
      const r = round++;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
        method: 'POST',
        body: compressWriteRequest({
          timeseries: Array.from({ length: SERIES }, (_, i) => ({
            labels: [
              { name: '__name__', value: 'outage_test' },
              { name: 'series', value: String(i) },
            ],
            samples: [{ value: r + i / 1000, timestamp: t0 + r * 100 }],
          })),
        }),
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      });
      assert.equal(res.status, 204, await res.text());
      sent += SERIES;
      await new Promise((x) => setTimeout(x, 100));
    }
  })();
  try {
    await waitFor('data flowing', async () => proxy.accepted.size > 0, 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    // Down: nothing listens on the target port for 30 s.
    await proxy.stop();
    await prom.stop({ keepData: true });
    const sentBefore = sent;
    await new Promise((r) => setTimeout(r, 30_000));
    assert.ok(sent > sentBefore + 100 * SERIES, 'the stream went on while the target was down');
    prom = await Prometheus.restart(prom);
    await proxy.start();
    await new Promise((r) => setTimeout(r, 2000));
    streaming = false;
    await stream;

    await waitFor(`all ${sent} samples at the target`, async () => proxy.accepted.size >= sent, 60_000, 250);
    assert.equal(proxy.accepted.size, sent);
    const twice = [...proxy.accepted].filter(([, n]) => n > 1);
    assert.deepEqual(twice.slice(0, 5), [], `${twice.length} samples were accepted more than once`);
    assert.equal(proxy.refusedByTarget, 0);

    const now = Date.now() / 1000;
    const window = Math.ceil(now - t0 / 1000) + 10;
    assert.equal(await prom.queryValue(`sum(count_over_time(outage_test[${window}s]))`, now), sent);
    const raw = await prom.rawSamples('outage_test{series="42"}', now, window);
    const values = [...raw.values()][0]!.values!;
    assert.equal(values.length, round);
    values.forEach(([t, v], r) => {
      assert.equal(Math.round(t * 1000), t0 + r * 100);
      assert.equal(Number(v), r + 0.042);
    });
    const drops = (await svc.telemetry.registry.getSingleMetric('tollgate_dropped_items')?.get())?.values ?? [];
    assert.deepEqual(drops.filter((v) => v.value > 0), [], 'nothing dropped');
    assert.ok((await metricValue(svc.telemetry, 'tollgate_exporter_remote_write_requests', { exporter: 'prometheusremotewrite', status: '0' })) > 0, 'the exporter saw the outage');
  } finally {
    streaming = false;
    await stream.catch(() => {});
    await svc.shutdown();
    await proxy.stop();
    await prom.stop();
    prom.cleanup();
  }
});
