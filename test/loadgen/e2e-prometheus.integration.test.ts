// loadgen → Tollgate (genai → gpucost → genaimetrics) → remote-write → a real
// Prometheus; what Prometheus answers must equal loadgen's ground truth.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BUCKETS, type EmittedConvention as Convention } from '../../src/genai/conventions.js';
import { runLoadgen, type LoadgenResult } from '../../src/loadgen/run.js';
import { fleetFrom } from '../../src/loadgen/spec.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { freePort } from '../helpers/ports.js';
import { Prometheus } from '../helpers/prometheus.js';
import { staticModels } from '../helpers/genai.js';

let prom: Prometheus;
before(async () => {
  prom = await Prometheus.start();
});
after(async () => {
  await prom?.stop();
});

/** Runs one fleet through a fresh gateway; every series gets the label run=<run>. */
async function runThrough(run: string, convention: Convention, costModel: 'exclusive' | 'shared'): Promise<LoadgenResult> {
  const port = await freePort();
  const fleet = fleetFrom({ seed: 42, requests: 3000, rate: 100, error_rate: 0.03, convention });
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors: {
        // vLLM's spans name no model: each replica's pod is mapped to its model.
        genai: convention === 'vllm' ? { model_identity: { static: staticModels(fleet) } } : {},
        gpucost: { cost_model: costModel },
      },
      connectors: { genaimetrics: { metrics_flush_interval: '1h' } },
      exporters: { prometheusremotewrite: { endpoint: prom.writeUrl, external_labels: { run } } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['genai', 'gpucost'], exporters: ['genaimetrics'] },
          metrics: { receivers: ['genaimetrics'], exporters: ['prometheusremotewrite'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  let result: LoadgenResult;
  try {
    result = await runLoadgen({ fleet, endpoint: `http://127.0.0.1:${port}`, protocol: 'http/protobuf', speed: 0 });
  } finally {
    // Shutdown prices every held span, flushes the connector and drains the exporter, in that order.
    await svc.shutdown();
  }
  assert.equal(result.failed, 0, result.lastError);
  return result;
}

async function value(expr: string): Promise<number> {
  let v: number | undefined;
  await prom.until(`a value for ${expr}`, async () => (v = await prom.queryValue(expr)) !== undefined);
  return v!;
}

function bucketOf(v: number, bounds: readonly number[]): number {
  const i = bounds.findIndex((b) => v <= b);
  return i < 0 ? bounds.length : i;
}

const closeRel = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (relative ${Math.abs(actual - expected) / expected})`);

async function checkTotals(run: string, r: LoadgenResult, costKey: 'cost_shared_usd' | 'cost_exclusive_usd'): Promise<void> {
  const s = r.summary;
  const sel = `run="${run}"`;
  assert.equal(await value(`sum(gen_ai_client_token_usage_sum{${sel},gen_ai_token_type="input"})`), s.input_tokens);
  assert.equal(await value(`sum(gen_ai_client_token_usage_sum{${sel},gen_ai_token_type="output"})`), s.output_tokens);
  assert.equal(await value(`sum(gen_ai_client_token_usage_count{${sel},gen_ai_token_type="input"})`), s.requests);
  // Spend as the rules compute it: the cost counter minus the corrections of shared cost (spans that
  // arrived after overlapping spans were priced: a stalled machine lets a replica's clock run ahead of
  // its spans). The per-request histogram holds the costs as charged, so its sum equals the counter.
  const net = async (m: string) =>
    (await value(`sum(tollgate_genai_cost_total{${sel}${m}})`)) - (await value(`sum(tollgate_genai_cost_adjustment_total{${sel}${m}}) or vector(0)`));
  for (const [model, m] of Object.entries(s.by_model)) {
    const ofModel = `,gen_ai_request_model="${model}"`;
    assert.equal(await value(`sum(gen_ai_client_token_usage_sum{${sel},gen_ai_token_type="input"${ofModel}})`), m.input_tokens, model);
    assert.equal(await value(`sum(tollgate_genai_requests_total{${sel}${ofModel}})`), m.requests, model);
    closeRel(await net(ofModel), m[costKey], 1e-9, `${model} cost`);
    closeRel(
      await value(`sum(ai_request_cost_dollars_sum{${sel}${ofModel}})`),
      await value(`sum(tollgate_genai_cost_total{${sel}${ofModel}})`),
      1e-9,
      `${model} cost histogram sum`,
    );
  }
  assert.equal(await value(`sum(tollgate_genai_requests_total{${sel}})`), s.requests);
  assert.equal(await value(`sum(tollgate_genai_requests_total{${sel},error_type!=""})`), s.errors);
  closeRel(await net(''), s[costKey], 1e-9, 'cost counter less corrections');
  assert.equal(await value(`sum(ai_request_cost_dollars_count{${sel}})`), s.requests);

  // TTFT p99 from the histogram lands within one bucket of the true p99.
  const p99 = await value(`histogram_quantile(0.99, sum by (le) (gen_ai_server_time_to_first_token_seconds_bucket{${sel}}))`);
  const ok = r.truths.flatMap((t) => (t.ttft_s !== null && t.error === null ? [t.ttft_s] : [])).sort((a, b) => a - b);
  const truth = ok[Math.ceil(0.99 * ok.length) - 1]!;
  const diff = Math.abs(bucketOf(p99, BUCKETS.timeToFirstToken) - bucketOf(truth, BUCKETS.timeToFirstToken));
  assert.ok(diff <= 1, `histogram p99 ${p99} vs true p99 ${truth}: ${diff} buckets apart`);
  // Every successful request with a first token was counted (TTFT is defined for successful responses only).
  const withTtft = r.truths.filter((t) => t.ttft_s !== null && t.error === null).length;
  assert.equal(await value(`sum(gen_ai_server_time_to_first_token_seconds_count{${sel}})`), withTtft);
}

test('e2e: current GenAI spans, shared cost model: Prometheus totals equal the ground truth', async () => {
  const r = await runThrough('genai-shared', 'genai', 'shared');
  assert.ok(r.summary.cost_shared_usd < r.summary.cost_exclusive_usd, 'shared never charges more than the busy time');
  await checkTotals('genai-shared', r, 'cost_shared_usd');
});

test('e2e: vLLM spans, exclusive cost model: Prometheus totals equal the ground truth', async () => {
  const r = await runThrough('vllm-exclusive', 'vllm', 'exclusive');
  await checkTotals('vllm-exclusive', r, 'cost_exclusive_usd');
});
