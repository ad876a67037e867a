// loadgen's engine and DCGM endpoints → Tollgate (prometheus receiver over
// file_sd → inferencemetrics) → remote-write → a real Prometheus:
// one canonical query gives the same answer for a vLLM and an SGLang fleet
// fed the same load (and loadgen's ground truth), and every engine/DCGM panel
// of the shipped dashboard returns data.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startFleetMetrics, type FleetMetrics } from '../../src/loadgen/metrics/server.js';
import { simulate } from '../../src/loadgen/simulate.js';
import { fleetFrom, type FleetSpec } from '../../src/loadgen/spec.js';
import { Service } from '../../src/service/service.js';
import { createLogger, silentLogger } from '../../src/telemetry/logger.js';
import { Prometheus, waitFor } from '../helpers/prometheus.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function gateway(prom: Prometheus, jobs: Array<{ job: string; dir: string; file: string }>, mode: 'alias' | 'rename' = 'alias'): Service {
  return new Service(
    {
      receivers: {
        prometheus: {
          config: {
            scrape_configs: jobs.map((j) => ({
              job_name: j.job,
              scrape_interval: '1s',
              file_sd_configs: [{ files: [join(j.dir, j.file)] }],
            })),
          },
        },
      },
      processors: { inferencemetrics: { mode } },
      exporters: { prometheusremotewrite: { endpoint: prom.writeUrl } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['prometheus'], processors: ['inferencemetrics'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: process.env.DEBUG_GATEWAY ? createLogger('debug') : silentLogger() },
  );
}

async function serve(fleet: FleetSpec, clockNs: () => number): Promise<{ fm: FleetMetrics; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-fleet-'));
  const fm = await startFleetMetrics(simulate(fleet), fleet, { clockNs, sdDir: dir });
  cleanups.push(() => fm.stop(), () => rmSync(dir, { recursive: true, force: true }));
  return { fm, dir };
}

test('one canonical query, same answer for a vLLM fleet and an SGLang fleet fed the same load', async () => {
  const prom = await Prometheus.start();
  cleanups.push(() => prom.stop());
  const base = { seed: 7, requests: 400, rate: 50, error_rate: 0.02 };
  const models = (engine: string) => [
    { name: 'llama-3.1-8b-instruct', engine, gpu: { model: 'NVIDIA A100-SXM4-80GB', count: 1 }, replicas: 2, weight: 3 },
    { name: 'qwen2.5-72b-instruct', engine, gpu: { model: 'NVIDIA H200', count: 2 }, replicas: 1, weight: 1 },
  ];
  const vllm = fleetFrom({ ...base, models: models('vllm') });
  const sglang = fleetFrom({ ...base, models: models('sglang') });
  // The whole timeline has run: every request is finished.
  const a = await serve(vllm, () => Infinity);
  const b = await serve(sglang, () => Infinity);
  const svc = gateway(prom, [
    { job: 'vllm-fleet', dir: a.dir, file: 'engines.json' },
    { job: 'sglang-fleet', dir: b.dir, file: 'engines.json' },
  ]);
  await svc.start();
  cleanups.push(() => svc.shutdown());

  const reqs = simulate(vllm);
  const truth = new Map<string, { out: number; inp: number; ttftSum: number; ttftN: number }>();
  for (const r of reqs) {
    const t = truth.get(r.model.name) ?? { out: 0, inp: 0, ttftSum: 0, ttftN: 0 };
    t.out += r.outputTokens;
    t.inp += r.inputTokens;
    if (r.outputTokens > 0) {
      t.ttftSum += (r.queueNs + r.prefillNs) / 1e9;
      t.ttftN++;
    }
    truth.set(r.model.name, t);
  }
  const byModel = async (expr: string) => {
    const d = await prom.query(expr);
    return new Map<string, number>(d.result.map((r: { metric: Record<string, string>; value: [number, string] }) => [r.metric.model_name!, Number(r.value[1])]));
  };
  for (const job of ['vllm-fleet', 'sglang-fleet']) {
    // Every replica (two of one model, one of the other) scraped, not just one per model.
    await waitFor(`${job} canonical series of all three replicas`, async () => (await prom.queryValue(`count(inference_generation_tokens_total{job="${job}"})`)) === 3, 20_000);
  }
  const queries = [
    (job: string) => `sum by (model_name) (inference_generation_tokens_total{job="${job}"})`,
    (job: string) => `sum by (model_name) (inference_prompt_tokens_total{job="${job}"})`,
    (job: string) => `sum by (model_name) (inference_time_to_first_token_seconds_sum{job="${job}"}) / sum by (model_name) (inference_time_to_first_token_seconds_count{job="${job}"})`,
    (job: string) => `sum by (model_name) (inference_requests_running{job="${job}"}) + sum by (model_name) (inference_requests_waiting{job="${job}"})`,
  ];
  for (const q of queries) {
    const [v, s] = [await byModel(q('vllm-fleet')), await byModel(q('sglang-fleet'))];
    assert.equal(v.size, 2, q('vllm-fleet'));
    for (const [m, x] of v) assert.ok(Math.abs(x - s.get(m)!) <= 1e-9 * Math.abs(x), `${q('…')} for ${m}: vLLM ${x}, SGLang ${s.get(m)}`);
  }
  const out = await byModel(queries[0]!('sglang-fleet'));
  const ttft = await byModel(queries[2]!('vllm-fleet'));
  for (const [m, t] of truth) {
    assert.equal(out.get(m), t.out, `${m} generated tokens = loadgen's`);
    assert.ok(Math.abs(ttft.get(m)! - t.ttftSum / t.ttftN) < 1e-9, `${m} mean TTFT = loadgen's`);
  }
  // Alias mode: the engines' own series are still there, with their engine label untouched.
  assert.ok((await prom.query('vllm:generation_tokens_total{job="vllm-fleet",engine="0"}')).result.length === 3, "three replicas, originals kept");
  assert.ok((await prom.query('inference_generation_tokens_total{job="vllm-fleet",engine="vllm",engine_index="0"}')).result.length === 3);
});

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

test('every engine and DCGM panel of the dashboard returns data from loadgen through the scrape receiver', async () => {
  const prom = await Prometheus.start({
    ruleFiles: ['recording-rules.yaml', 'slo.yaml'].map((f) => join(repo, 'config', 'prometheus', f)),
    evaluationInterval: '1s',
  });
  cleanups.push(() => prom.stop());
  const fleet = fleetFrom({
    seed: 3,
    requests: 4000,
    rate: 100,
    error_rate: 0.05,
    models: [
      { name: 'llama-3.1-8b-instruct', engine: 'vllm', gpu: { model: 'NVIDIA A100-SXM4-80GB', count: 1 }, replicas: 2, weight: 2 },
      { name: 'qwen2.5-7b-instruct', engine: 'sglang', gpu: { model: 'NVIDIA H100 80GB HBM3', count: 1 }, replicas: 1, weight: 1 },
      { name: 'mistral-7b-instruct', engine: 'tgi', gpu: { model: 'NVIDIA L4', count: 1 }, replicas: 1, weight: 1 },
      { name: 'llama-3.1-70b-instruct', engine: 'triton', gpu: { model: 'NVIDIA H200', count: 4 }, replicas: 1, weight: 1 },
    ],
  });
  // A live timeline: requests keep arriving and finishing while Prometheus evaluates its rules.
  const t0 = Date.now();
  const { dir } = await serve(fleet, () => (Date.now() - t0) * 1e6);
  const svc = gateway(prom, [
    { job: 'engines', dir, file: 'engines.json' },
    { job: 'dcgm', dir, file: 'dcgm.json' },
  ]);
  await svc.start();
  cleanups.push(() => svc.shutdown());

  const dash = JSON.parse(readFileSync(join(repo, 'config', 'prometheus', 'dashboard.json'), 'utf8')) as { panels: Panel[] };
  const exprs: Array<{ title: string; expr: string }> = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      if (p.panels) walk(p.panels);
      for (const t of p.targets ?? []) if (/vllm|sglang|tgi|dcgm/i.test(t.expr)) exprs.push({ title: p.title, expr: t.expr.replace(/\$model/g, '.*') });
    }
  };
  walk(dash.panels);
  assert.ok(exprs.length >= 15, `engine/DCGM panel queries found: ${exprs.length}`);
  const missing = new Set(exprs.map((e) => e.expr));
  await waitFor(
    'data for every engine/DCGM panel',
    async () => {
      for (const expr of [...missing]) {
        const d = await prom.query(expr);
        if (d.result.some((r: { value: [number, string] }) => Number.isFinite(Number(r.value[1])))) missing.delete(expr);
      }
      return missing.size === 0;
    },
    40_000,
    1000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; panels without data: ${[...missing].map((x) => `${exprs.find((e) => e.expr === x)!.title}: ${x}`).join(' | ')}`);
  });
  // DCGM through inferencemetrics: one host label, a derived framebuffer total per GPU.
  assert.equal((await prom.query('DCGM_FI_DEV_GPU_UTIL{hostname=""}')).result.length, 0, 'every DCGM series has hostname');
  assert.equal((await prom.query('DCGM_FI_DEV_FB_TOTAL')).result.length, 2 + 1 + 1 + 4);
});
