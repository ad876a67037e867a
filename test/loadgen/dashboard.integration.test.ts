// Every query of every panel of the shipped dashboard returns data in a real
// Prometheus running the shipped recording rules, fed by loadgen through one
// gateway the way a real fleet is observed:
//   - vLLM-shaped spans (no model, no GPU on the resource) of GPU-served models
//     on vLLM, SGLang and TGI replicas, and API-model CLIENT spans, for three
//     tenants → otlp → genai (model from the engines' metrics or a static map,
//     showback) → gpucost (shared; GPUs learned from DCGM; token prices for the
//     API models) → genaimetrics;
//   - each replica's engine /metrics and DCGM endpoint scraped by the gateway's
//     prometheus receiver (file_sd) → genai and gpucost (learning) →
//     inferencemetrics;
//   - everything remote-written to Prometheus, which also scrapes the gateway's
//     self-metrics.
// The one exception is the LLM-judge panel, a placeholder for a metric nothing
// in Tollgate produces (see recording-rules.yaml).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { startFleetMetrics } from '../../src/loadgen/metrics/server.js';
import { runLoadgen } from '../../src/loadgen/run.js';
import { simulate } from '../../src/loadgen/simulate.js';
import { fleetFrom } from '../../src/loadgen/spec.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { freePort } from '../helpers/ports.js';
import { Prometheus, waitFor } from '../helpers/prometheus.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-dashboard-'));
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** The shipped rule files with every group evaluated each second (they run every 30 s or 1 m). */
function fastRuleFiles(): string[] {
  return ['recording-rules.yaml', 'slo.yaml', 'alerts.yaml'].map((f) => {
    const doc = parse(readFileSync(join(repo, 'config', 'prometheus', f), 'utf8')) as { groups: Array<{ interval?: string }> };
    for (const g of doc.groups) g.interval = '1s';
    const out = join(dir, f);
    writeFileSync(out, stringify(doc));
    return out;
  });
}

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

test('every dashboard panel query returns data from GPU-served and API-model traffic through one gateway', async () => {
  const selfPort = await freePort();
  const prom = await Prometheus.start({
    ruleFiles: fastRuleFiles(),
    evaluationInterval: '1s',
    scrape: [{ job: 'tollgate', targets: [`127.0.0.1:${selfPort}`], interval: '1s' }],
  });
  cleanups.push(() => prom.stop());

  const fleet = fleetFrom({
    seed: 21,
    requests: 2400,
    rate: 40,
    error_rate: 0.05,
    convention: 'vllm',
    gpu_attributes: false,
    tenants: [
      { name: 'acme', weight: 3 },
      { name: 'globex', weight: 2 },
      { name: 'initech', weight: 1 },
    ],
    models: [
      { name: 'llama-3.1-8b-instruct', engine: 'vllm', gpu: { model: 'NVIDIA A100-SXM4-80GB', count: 1 }, replicas: 2, weight: 3 },
      { name: 'qwen2.5-72b-instruct', engine: 'sglang', gpu: { model: 'NVIDIA H200', count: 2 }, weight: 1 },
      // TGI labels no model: its replica is mapped statically. An L4 is missing from the price table: unpriced.
      { name: 'mistral-7b-instruct', engine: 'tgi', gpu: { model: 'NVIDIA L4', count: 1 }, weight: 1 },
      { name: 'gpt-4o-mini', provider: 'openai', api: true, weight: 2, cache_read_share: 0.3 },
      { name: 'claude-sonnet-4', provider: 'anthropic', api: true, weight: 1, cache_read_share: 0.5, cache_creation_share: 0.1 },
    ],
  });
  const speed = 4;
  const requests = simulate(fleet);
  const firstEnd = Math.min(...requests.map((r) => r.endNs));
  const wallStart = Date.now();
  // The engine and DCGM pages follow the same timeline as the spans (as loadgen --metrics does), and stay up.
  const fm = await startFleetMetrics(requests, fleet, { clockNs: () => firstEnd + (Date.now() - wallStart) * 1e6 * speed, sdDir: dir });
  cleanups.push(() => fm.stop());

  const otlpPort = await freePort();
  const svc = new Service(
    {
      receivers: {
        otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } },
        prometheus: {
          config: {
            scrape_configs: ['engines', 'dcgm'].map((job) => ({
              job_name: job,
              scrape_interval: '1s',
              file_sd_configs: [{ files: [join(dir, `${job}.json`)] }],
            })),
          },
        },
      },
      processors: {
        genai: {
          // loadgen's file_sd targets carry the replica (a Kubernetes scrape would carry pod).
          model_identity: { engine_metrics: { instance_labels: ['replica'] }, static: { 'mistral-7b-instruct-0': 'mistral-7b-instruct' } },
          showback: {
            dimensions: [
              { name: 'tenant', from: [{ span_attribute: 'tenant.id' }] },
              { name: 'app', from: [{ resource_attribute: 'service.name' }] },
            ],
          },
        },
        // loadgen's DCGM pages name each replica's GPUs by host = replica, which its spans carry as the pod.
        gpucost: { cost_model: 'shared', resource_attributes: { host: ['k8s.pod.name'] }, shared: { settle_window: '5s' } },
        inferencemetrics: { mode: 'alias' },
      },
      connectors: { genaimetrics: { metrics_flush_interval: '1s' } },
      exporters: { prometheusremotewrite: { endpoint: prom.writeUrl } },
      service: {
        telemetry: { metrics: { address: `127.0.0.1:${selfPort}` } },
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['genai', 'gpucost'], exporters: ['genaimetrics'] },
          metrics: { receivers: ['prometheus', 'otlp'], processors: ['genai', 'gpucost', 'inferencemetrics'], exporters: ['prometheusremotewrite'] },
          'metrics/genai': { receivers: ['genaimetrics'], exporters: ['prometheusremotewrite'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  cleanups.push(() => svc.shutdown());

  // The gateway must first learn the GPUs and models from the scraped metrics.
  await waitFor(
    'DCGM and engine series through the gateway',
    async () => ((await prom.queryValue('count(DCGM_FI_DEV_GPU_UTIL)')) ?? 0) >= 5 && ((await prom.queryValue('count(vllm:num_requests_running)')) ?? 0) >= 2,
    30_000,
  );
  const r = await runLoadgen({ fleet, endpoint: `http://127.0.0.1:${otlpPort}`, protocol: 'http/protobuf', speed, startMs: wallStart - firstEnd / 1e6 });
  assert.equal(r.failed, 0, r.lastError);
  // One OTLP sum without a temporality: not writable as Prometheus series, dropped and counted (the "Dropped items" panel).
  const bad = await fetch(`http://127.0.0.1:${otlpPort}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ name: 'no_temporality', sum: { dataPoints: [{ asDouble: 1, timeUnixNano: String(Date.now() * 1e6) }] } }] }] },
      ],
    }),
  });
  assert.equal(bad.status, 200);

  const dash = JSON.parse(readFileSync(join(repo, 'config', 'prometheus', 'dashboard.json'), 'utf8')) as {
    panels: Panel[];
    templating: { list: Array<{ name: string; query?: { query: string } }> };
  };
  const exprs: Array<{ title: string; expr: string }> = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      if (p.panels) walk(p.panels);
      if (p.type === 'row' || /placeholder/i.test(p.title)) continue;
      for (const t of p.targets ?? []) exprs.push({ title: p.title, expr: t.expr.replace(/\$model/g, '.*') });
    }
  };
  walk(dash.panels);
  assert.ok(exprs.length >= 50, `panel queries: ${exprs.length}`);
  const missing = new Set(exprs.map((e) => e.expr));
  await waitFor(
    'data for every dashboard panel query',
    async () => {
      for (const expr of [...missing]) {
        const d = await prom.query(expr);
        if (d.result.some((x: { value: [number, string] }) => Number.isFinite(Number(x.value[1])))) missing.delete(expr);
      }
      return missing.size === 0;
    },
    90_000,
    1000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; panels without data: ${[...missing].map((x) => `${exprs.find((e) => e.expr === x)?.title}: ${x}`).join(' | ')}`);
  });

  // The model picker lists the models of every source: vLLM's and SGLang's model_name and Tollgate's
  // gen_ai_request_model (the API models are only in the latter).
  const picker = dash.templating.list.find((v) => v.name === 'model')?.query?.query ?? '';
  const metric = /label_values\(([^,]+),/.exec(picker)?.[1];
  assert.ok(metric, `the model picker queries label_values(<metric>, model): ${picker}`);
  const models = new Set((await prom.query(metric)).result.map((x: { metric: { model: string } }) => x.metric.model));
  for (const m of ['llama-3.1-8b-instruct', 'qwen2.5-72b-instruct', 'mistral-7b-instruct', 'gpt-4o-mini', 'claude-sonnet-4'])
    assert.ok(models.has(m), `${m} in the model picker: ${[...models].join(', ')}`);
  // vLLM-shaped spans got their models from the engine metrics (llama, qwen) and the static map (mistral), none unknown.
  // A self-metrics scrape that timed out on a busy machine leaves the series stale for a moment: read the last scraped value.
  let bySource = new Map<string, number>();
  await waitFor(
    'model identity counts in the self-metrics',
    async () => {
      const sources = await prom.query('sum by (source) (last_over_time(tollgate_genai_model_identity_spans[5m]))');
      bySource = new Map(sources.result.map((x: { metric: { source: string }; value: [number, string] }) => [x.metric.source, Number(x.value[1])]));
      return (bySource.get('engine_metrics') ?? 0) > 0 && (bySource.get('static') ?? 0) > 0;
    },
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify([...bySource])}`);
  });
  assert.equal(bySource.get('unknown'), undefined);
});
