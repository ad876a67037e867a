import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ITimeSeries } from '../../../src/pdata/proto.js';
import { compressWriteRequest } from '../../../src/prw/codec.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';
import { Prometheus, waitFor } from '../../helpers/prometheus.js';
import { metricValue } from '../../helpers/telemetry.js';

/**
 * Out-of-order safety against a real Prometheus, which answers 400 to any
 * sample older than the newest of its series: 10k series × 100 samples sent
 * through 8 shards must all land, with no 400/409 and nothing dropped.
 */
test('8 shards, 10k series × 100 samples: the target answers no 400/409 and holds every sample', { timeout: 180_000 }, async () => {
  const SERIES = 10_000;
  const ROUNDS = 100;
  const target = await Prometheus.start();
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${port}` } },
      exporters: { prometheusremotewrite: { endpoint: target.writeUrl, remote_write_queue: { num_consumers: 8 } } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  try {
    const t0 = Date.now() - 150_000;
    const labels = Array.from({ length: SERIES }, (_, i) => [
      { name: '__name__', value: 'oo_test' },
      { name: 'pod', value: `pod-${i % 100}` },
      { name: 'series', value: String(i) },
    ]);
    for (let r = 0; r < ROUNDS; r++) {
      const timeseries: ITimeSeries[] = labels.map((l, i) => ({ labels: l, samples: [{ value: r * SERIES + i, timestamp: t0 + r * 1000 }] }));
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/receive`, {
        method: 'POST',
        body: compressWriteRequest({ timeseries }),
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      });
      assert.equal(res.status, 200, await res.text());
    }
    const tel = svc.telemetry;
    const sent = () => metricValue(tel, 'otelcol_exporter_sent_metric_points', { exporter: 'prometheusremotewrite' });
    await waitFor('every sample sent', async () => (await sent()) >= SERIES * ROUNDS, 120_000, 500);
    assert.equal(await sent(), SERIES * ROUNDS);

    for (const status of ['400', '409']) {
      assert.equal(await metricValue(tel, 'tollgate_exporter_remote_write_requests', { exporter: 'prometheusremotewrite', status }), 0, `target answered ${status}`);
    }
    const drops = (await tel.registry.getSingleMetric('tollgate_dropped_items')?.get())?.values ?? [];
    assert.deepEqual(drops.filter((v) => v.value > 0), [], 'nothing dropped');
    const ok = await metricValue(tel, 'tollgate_exporter_remote_write_requests', { exporter: 'prometheusremotewrite', status: '204' });
    assert.ok(ok >= (SERIES * ROUNDS) / 2000, `${ok} requests accepted`);

    const now = Date.now() / 1000;
    assert.equal(await target.queryValue('count(oo_test)', now), SERIES);
    assert.equal(await target.queryValue('sum(count_over_time(oo_test[300s]))', now), SERIES * ROUNDS);
    // Values are where they belong: the last sample of each series is from the last round.
    assert.equal(await target.queryValue(`count(last_over_time(oo_test[300s]) >= ${(ROUNDS - 1) * SERIES})`, now), SERIES);
  } finally {
    await svc.shutdown();
    await target.stop();
  }
});
