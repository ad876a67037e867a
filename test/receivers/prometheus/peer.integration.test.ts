// The same targets scraped by a real Prometheus (2.42) and by Tollgate's
// prometheus receiver remote-writing into a second real Prometheus: the two
// stores must hold the same series with the same values; a series that goes
// away, a target that dies and a target that discovery drops must go stale in
// both; relabelling must give the same labels.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { NodeExporter } from '../../helpers/nodeexporter.js';
import { freePort } from '../../helpers/ports.js';
import { Prometheus, seriesKey, waitFor } from '../../helpers/prometheus.js';
import { FixtureTarget } from '../../helpers/scrapetarget.js';
import { selfSignedCert } from '../../helpers/tlscerts.js';
import { OM_CONTENT_TYPE, omBody, textBody } from './fixtures.js';

let scraper: Prometheus; // real Prometheus scraping
let store: Prometheus; // real Prometheus receiving Tollgate's remote-write
let svc: Service;
let node: NodeExporter;
let text: FixtureTarget;
let om: FixtureTarget;
let secure: FixtureTarget;
let bearer: FixtureTarget;
let sdTarget: FixtureTarget;
let dir: string;
let sdFile: string;
let flap = true;
const explicitTs = Date.now() - 30_000;

const SMALL = '# TYPE fx_small gauge\nfx_small{kind="small"} 5\n';

function scrapeConfigs(promPort: number, certFile: string) {
  const every = { scrape_interval: '1s', scrape_timeout: '900ms' };
  return [
    { job_name: 'fixture', ...every, static_configs: [{ targets: [text.address], labels: { env: 'test' } }] },
    { job_name: 'openmetrics', ...every, static_configs: [{ targets: [om.address] }] },
    { job_name: 'node', ...every, static_configs: [{ targets: [node.address] }] },
    { job_name: 'prometheus', ...every, static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] },
    { job_name: 'honor', ...every, honor_labels: true, honor_timestamps: false, static_configs: [{ targets: [text.address] }] },
    {
      job_name: 'relabel',
      ...every,
      metrics_path: '/probe',
      params: { module: ['a', 'b'], other: ['x'] },
      static_configs: [
        { targets: [text.address, om.address], labels: { team: 'core', extra_zone: 'eu', Mixed: 'MiXeD' } },
        { targets: [secure.address], labels: { skip: 'yes' } },
      ],
      relabel_configs: [
        { action: 'drop', source_labels: ['skip'], regex: 'yes' },
        { source_labels: ['__address__'], regex: '127\\.0\\.0\\.1:(\\d+)', target_label: 'port', replacement: 'p$1' },
        { source_labels: ['team'], regex: '(.+)', target_label: '${1}_team', replacement: 'yes' },
        { action: 'hashmod', source_labels: ['__address__'], modulus: 7, target_label: 'shard' },
        { action: 'labelmap', regex: 'extra_(.+)', replacement: 'x_$1' },
        { action: 'labeldrop', regex: 'extra_.*' },
        { action: 'lowercase', source_labels: ['Mixed'], target_label: 'mixed' },
        { action: 'labeldrop', regex: 'Mixed' },
        { source_labels: ['port'], target_label: 'gotcha', replacement: '$1x' },
        { source_labels: ['port'], regex: 'p(\\d)(?P<rest>\\d+)', target_label: 'named', replacement: '${rest}-$1' },
        { source_labels: ['port'], target_label: '__param_module', replacement: 'from-$1' },
        { action: 'keep', source_labels: ['__address__'], regex: '127\\.0\\.0\\.1:\\d+' },
      ],
      metric_relabel_configs: [
        { action: 'drop', source_labels: ['__name__'], regex: 'fx_special|om_feature' },
        { source_labels: ['__name__', 'code'], separator: '@', regex: 'fx_requests_total@(\\d)00', target_label: 'class', replacement: '${1}xx' },
        { action: 'uppercase', source_labels: ['method'], target_label: 'method_uc' },
        { action: 'labelkeep', regex: '__name__|job|instance|class|port|shard|x_.*|le|quantile|method.*|code|.*_team|mixed|named|esc|empty|spaced|exported_.*|path|version|trace_id' },
        { action: 'replace', source_labels: ['__name__'], regex: 'fx_temp', target_label: '__name__', replacement: 'fx_temperature' },
      ],
    },
    { job_name: 'secure', ...every, scheme: 'https', tls_config: { ca_file: certFile }, basic_auth: { username: 'u', password: 'p w' }, static_configs: [{ targets: [secure.address] }] },
    { job_name: 'bearer', ...every, authorization: { credentials: 's3cret' }, static_configs: [{ targets: [bearer.address] }] },
    {
      job_name: 'filesd',
      ...every,
      file_sd_configs: [{ files: [sdFile], refresh_interval: '1s' }],
      relabel_configs: [{ source_labels: ['__meta_filepath'], regex: '.*/(.*)', target_label: 'sdfile' }],
    },
  ];
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-scrape-'));
  sdFile = join(dir, 'targets.json');
  const cert = selfSignedCert();
  text = await FixtureTarget.start({ body: () => textBody(explicitTs, flap) });
  om = await FixtureTarget.start({ body: omBody(explicitTs), contentType: OM_CONTENT_TYPE });
  secure = await FixtureTarget.start({ body: SMALL, tls: cert, authorization: `Basic ${Buffer.from('u:p w').toString('base64')}` });
  bearer = await FixtureTarget.start({ body: SMALL, authorization: 'Bearer s3cret' });
  sdTarget = await FixtureTarget.start({ body: SMALL });
  writeFileSync(sdFile, JSON.stringify([{ targets: [sdTarget.address], labels: { team: 'sd' } }]));
  node = await NodeExporter.start();
  store = await Prometheus.start();
  const promPort = await freePort();
  const configs = scrapeConfigs(promPort, cert.cert);
  scraper = await Prometheus.start({ port: promPort, scrapeConfigs: configs, features: 'exemplar-storage' });
  svc = new Service(
    {
      receivers: { prometheus: { config: { scrape_configs: configs } } },
      exporters: { prometheusremotewrite: { endpoint: store.writeUrl } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { metrics: { receivers: ['prometheus'], exporters: ['prometheusremotewrite'] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  // Prometheus hands discovered targets to its scrapers every 5 s; then several scrapes of every target by both.
  const jobs = configs.length;
  await waitFor('the scraping Prometheus to scrape every job', async () => (await scraper.query('count(count by (job) (up))')).result[0]?.value[1] === String(jobs), 20_000);
  await new Promise((r) => setTimeout(r, 4000));
});

after(async () => {
  await svc?.shutdown();
  await Promise.all([scraper?.stop(), store?.stop(), node?.stop()]);
  await Promise.all([text, om, secure, bearer, sdTarget].map((t) => t?.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Vec = Map<string, string>;

/** Fails naming only the differences: series only Prometheus has, and only Tollgate has. */
function sameKeys(prom: Vec, tollgate: Vec, what: string): void {
  const onlyProm = [...prom.keys()].filter((k) => !tollgate.has(k));
  const onlyTollgate = [...tollgate.keys()].filter((k) => !prom.has(k));
  assert.deepEqual({ onlyProm, onlyTollgate }, { onlyProm: [], onlyTollgate: [] }, `series of ${what}`);
}

async function vector(p: Prometheus, expr: string, at: number): Promise<Vec> {
  const d = await p.query(expr, at);
  return new Map(d.result.map((r: { metric: Record<string, string>; value: [number, string] }) => [seriesKey(r.metric), r.value[1]]));
}

/** The series both stores hold for `expr` at one instant (values compared unless a metric name is listed in `anyValue`). */
async function sameSeries(expr: string, anyValue: RegExp = /^scrape_duration_seconds$/): Promise<Vec> {
  const at = Date.now() / 1000 - 1.5;
  const [a, b] = await Promise.all([vector(scraper, expr, at), vector(store, expr, at)]);
  assert.ok(a.size > 0, `the scraping Prometheus has series for ${expr}`);
  sameKeys(a, b, expr);
  for (const [k, v] of a) {
    if (anyValue.test(/__name__="([^"]+)"/.exec(k)?.[1] ?? '')) continue;
    assert.equal(b.get(k), v, `value of ${k}`);
  }
  return a;
}

test('text-format target: same series, labels (exported_ clashes, escapes, empty values) and values', async () => {
  const v = await sameSeries('{job="fixture"}');
  assert.ok([...v.keys()].some((k) => k.includes('exported_instance="other"') && k.includes('exported_job="exposed"')));
  assert.ok([...v.keys()].some((k) => k.includes('exported_exported_job="y"') && k.includes('exported_job="x"')));
  assert.equal(v.get(seriesKey({ __name__: 'up', job: 'fixture', instance: text.address, env: 'test' })), '1');
  assert.equal(v.get(seriesKey({ __name__: 'scrape_samples_scraped', job: 'fixture', instance: text.address, env: 'test' })), '23');
});

test('explicit timestamps are kept (honor_timestamps) and replaced (honor_timestamps: false), identically', async () => {
  const end = Date.now() / 1000;
  for (const job of ['fixture', 'honor', 'openmetrics']) {
    const sel = job === 'openmetrics' ? `om_timed{job="${job}"}` : `fx_with_ts{job="${job}"}`;
    const [a, b] = await Promise.all([scraper.rawSamples(sel, end, 120), store.rawSamples(sel, end, 120)]);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [k, s] of a) {
      const tb = b.get(k)!.values!.map((x) => x[0]);
      if (job === 'honor') {
        assert.ok(tb.length >= 3 && tb.every((t) => t * 1000 > explicitTs + 20_000), 'scrape-time timestamps');
      } else {
        assert.deepEqual(tb, s.values!.map((x) => x[0]), `${job}: the exposed timestamp`);
        assert.deepEqual(tb, [Math.floor(explicitTs) / 1000], `${job}: one sample, at the exposed timestamp`);
      }
    }
  }
});

test('honor_labels: scraped job/instance win', async () => {
  await sameSeries('{job="honor"} or {job="exposed"} or fx_temp{exported_job="x"}');
});

test('OpenMetrics target: same series and values', async () => {
  await sameSeries('{job="openmetrics"}');
});

test('node exporter: same series; same values for the ones that do not move', async () => {
  const at = Date.now() / 1000 - 1.5;
  const [a, b] = await Promise.all([vector(scraper, '{job="node"}', at), vector(store, '{job="node"}', at)]);
  assert.ok(a.size > 200, `node exporter exposes many series (${a.size})`);
  sameKeys(a, b, 'node exporter');
  await sameSeries('node_memory_MemTotal_bytes{job="node"} or node_uname_info{job="node"} or node_exporter_build_info or node_filesystem_size_bytes{job="node"} or up{job="node"}');
});

test('Prometheus /metrics: same metric names', async () => {
  const at = Date.now() / 1000 - 1.5;
  const names = async (p: Prometheus) => new Set([...(await vector(p, '{job="prometheus"}', at)).keys()].map((k) => /__name__="([^"]+)"/.exec(k)![1]));
  const [a, b] = await Promise.all([names(scraper), names(store)]);
  assert.ok(a.size > 100);
  assert.deepEqual([...b].sort(), [...a].sort());
});

test('relabel_configs and metric_relabel_configs: the labels Prometheus gives', async () => {
  const v = await sameSeries('{job="relabel"}');
  const keys = [...v.keys()].join('\n');
  assert.match(keys, /core_team="yes"/);
  assert.match(keys, /x_zone="eu"/);
  assert.match(keys, /mixed="mixed"/);
  assert.match(keys, /class="2xx"/);
  assert.match(keys, /method_uc="GET"/);
  assert.match(keys, /fx_temperature/);
  assert.doesNotMatch(keys, /gotcha|fx_special|om_feature|extra_zone|Mixed=/);
  assert.ok(!keys.includes(secure.address), 'the target with skip=yes was dropped');
  // The query string each sent: params plus the relabelled __param_module.
  const urls = (ua: RegExp) => [...new Set(text.requests.filter((r) => ua.test(String(r.headers['user-agent'])) && r.url.startsWith('/probe')).map((r) => r.url))];
  assert.deepEqual(urls(/^Tollgate/), urls(/^Prometheus/));
  assert.equal(urls(/^Tollgate/).length, 1);
});

test('TLS with basic auth, and bearer authorization', async () => {
  await sameSeries('{job="secure"} or {job="bearer"}');
  assert.equal((await vector(store, 'up{job=~"secure|bearer"}', Date.now() / 1000)).size, 2);
  assert.equal(await store.queryValue('min(up{job=~"secure|bearer"})'), 1);
});

test('a series that disappears gets a stale marker in both', async () => {
  flap = false;
  for (const p of [scraper, store]) {
    await waitFor('fx_flap to go stale', async () => (await p.query('fx_flap{job="fixture"}')).result.length === 0, 10_000);
    assert.equal((await p.query('last_over_time(fx_flap{job="fixture"}[1m])')).result.length, 1, 'it was there before');
  }
});

test('a target that dies: up=0 and all its series stale, in both', async () => {
  await bearer.stop();
  for (const p of [scraper, store]) {
    await waitFor('up=0 for the dead target', async () => (await p.queryValue('up{job="bearer"}')) === 0, 10_000);
    assert.equal((await p.query('fx_small{job="bearer"}')).result.length, 0, 'its series are stale');
    assert.equal((await p.query('last_over_time(fx_small{job="bearer"}[1m])')).result.length, 1);
  }
  await sameSeries('{job="bearer"}');
});

test('file_sd: targets come from the file, carry __meta_filepath, and go stale when removed from it', async () => {
  const v = await sameSeries('{job="filesd"}');
  assert.match([...v.keys()].join(), /sdfile="targets.json"/);
  writeFileSync(sdFile, '[]');
  for (const p of [scraper, store]) {
    await waitFor('the removed target to go stale', async () => (await p.query('up{job="filesd"}')).result.length === 0, 15_000);
    assert.equal((await p.query('last_over_time(up{job="filesd"}[1m])')).result.length, 1);
    assert.equal((await p.query('fx_small{job="filesd"}')).result.length, 0);
  }
});
