// A fleet whose requests run up to 150 s — five times the default settle
// window — with spans exported out of order, GPU-served and API models and
// three tenants: loadgen → Tollgate (genai → gpucost shared → genaimetrics)
// → remote-write → a real Prometheus, which also scrapes the gateway's
// self-metrics. What Prometheus answers must equal loadgen's ground truth:
// shared cost per model and per tenant (charged cost minus the corrections
// late spans carried), busy seconds per GPU model, unpriced requests. A
// second run floods the tenant dimension past its limit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadPriceFile, PriceTable } from '../../src/genai/prices.js';
import { expectedCost } from '../../src/loadgen/groundtruth.js';
import { runLoadgen, type LoadgenResult } from '../../src/loadgen/run.js';
import { fleetFrom, type FleetSpec } from '../../src/loadgen/spec.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { freePort } from '../helpers/ports.js';
import { Prometheus } from '../helpers/prometheus.js';
import { GPU_FLEET_MODELS } from '../helpers/genai.js';

let prom: Prometheus;
let selfPort: number;
before(async () => {
  selfPort = await freePort();
  prom = await Prometheus.start({ scrape: [{ job: 'tollgate', targets: [`127.0.0.1:${selfPort}`], interval: '1s' }] });
});
after(async () => {
  await prom?.stop();
});

const TENANTS = [
  { name: 'acme', weight: 5 },
  { name: 'globex', weight: 3 },
  { name: 'initech', weight: 2 },
];

/** Four GPU-served models (one on a GPU missing from the price table), two API models. */
function fleet(over: Record<string, unknown> = {}): FleetSpec {
  return fleetFrom({
    seed: 11,
    requests: 2000,
    rate: 12,
    error_rate: 0.02,
    convention: 'genai',
    export_jitter: 20,
    tenants: TENANTS,
    models: [
      ...GPU_FLEET_MODELS.map((m) => (m.name === 'mistral-7b-instruct' ? { ...m, weight: 0.5 } : m)),
      { name: 'gpt-4o-mini', provider: 'openai', api: true, weight: 1.5, cache_read_share: 0.3 },
      { name: 'o4-mini', provider: 'openai', api: true, weight: 0.5, cache_read_share: 0.2, reasoning_share: 0.5 },
    ],
    ...over,
  });
}

/** `speed` paces loadgen (0: as fast as it can); paced, the gateway's release ticks fall between arrivals as they do in production. */
async function runThrough(
  run: string,
  spec: FleetSpec,
  processors: Record<string, unknown>,
  speed = 0,
): Promise<{ r: LoadgenResult; svc: Service; ranUntil: number }> {
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors,
      connectors: { genaimetrics: { metrics_flush_interval: '1h' } },
      exporters: { prometheusremotewrite: { endpoint: prom.writeUrl, external_labels: { run } } },
      service: {
        telemetry: { metrics: { address: `127.0.0.1:${selfPort}` } },
        pipelines: {
          traces: { receivers: ['otlp'], processors: Object.keys(processors), exporters: ['genaimetrics'] },
          metrics: { receivers: ['genaimetrics'], exporters: ['prometheusremotewrite'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const r = await runLoadgen({ fleet: spec, endpoint: `http://127.0.0.1:${port}`, protocol: 'http/protobuf', speed });
  assert.equal(r.failed, 0, r.lastError);
  return { r, svc, ranUntil: Date.now() / 1000 };
}

async function vector(expr: string): Promise<Map<string, number>> {
  const d = await prom.query(expr);
  return new Map(d.result.map((x: { metric: Record<string, string>; value: [number, string] }) => [Object.values(x.metric).join(','), Number(x.value[1])]));
}

async function value(expr: string): Promise<number> {
  let v: number | undefined;
  await prom.until(`a value for ${expr}`, async () => (v = await prom.queryValue(expr)) !== undefined);
  return v!;
}

const closeRel = (actual: number | undefined, expected: number, rel: number, what: string) =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: ${actual} vs ${expected} (relative ${actual === undefined ? 'n/a' : (actual - expected) / expected})`,
  );

/** Net spend (charged − corrections) by `by`, as Prometheus answers it. */
function netSpend(sel: string, by: string): string {
  return `sum by (${by}) (tollgate_genai_cost_total{${sel}}) - (sum by (${by}) (tollgate_genai_cost_adjustment_total{${sel}}) or sum by (${by}) (tollgate_genai_cost_total{${sel}}) * 0)`;
}

test('e2e: requests up to 150 s, spans out of order, shared cost model: per-model and per-tenant spend equal the ground truth after corrections; busy seconds too', async () => {
  const spec = fleet();
  // Paced 20× faster than real time (~16 s): spans arrive over many release ticks, so the first requests
  // longer than any seen before arrive after their overlaps were priced, whatever the machine's speed.
  const { r, svc, ranUntil } = await runThrough(
    'long',
    spec,
    {
      genai: { showback: { dimensions: [{ name: 'tenant', from: [{ span_attribute: 'tenant.id' }] }] } },
      gpucost: { cost_model: 'shared' }, // the default settle window: 30 s
    },
    20,
  );
  const longest = Math.max(...r.truths.map((t) => t.duration_s));
  assert.ok(longest > 120, `the fleet has requests far longer than the settle window (longest ${longest} s)`);

  // Busy seconds are counted as spans arrive: every span has, so the next scrape has them all.
  await prom.until(
    'a scrape of the gateway after the run',
    async () => ((await prom.queryValue('max(timestamp(tollgate_gpucost_busy_seconds))')) ?? 0) > ranUntil + 1,
  );
  const busy = await vector('sum by (gpu_model) (tollgate_gpucost_busy_seconds)');
  const table = new PriceTable(loadPriceFile(''));
  const wantBusy = new Map<string, number>();
  for (const rep of r.summary.replicas) {
    if (rep.cost_busy_usd === null) continue;
    const g = table.resolve(rep.gpu_model)!;
    wantBusy.set(g, (wantBusy.get(g) ?? 0) + rep.busy_s);
  }
  assert.deepEqual([...busy.keys()].sort(), [...wantBusy.keys()].sort());
  for (const [g, want] of wantBusy) closeRel(busy.get(g), want, 1e-9, `busy seconds on ${g}`);
  await svc.shutdown(); // prices what is still held, flushes genaimetrics, drains the exporter

  const sel = 'run="long"';
  // Corrections were needed: requests longer than any seen so far arrived after their overlaps were priced.
  const late = await value(`sum(tollgate_genai_requests_late_total{${sel}})`);
  assert.ok(late > 0, 'some spans arrived late');
  assert.ok((await value(`sum(tollgate_genai_cost_adjustment_total{${sel}})`)) > 0, 'and carried corrections');

  const perModel = new Map<string, number>();
  const perTenant = new Map<string, number>();
  for (const t of r.truths) {
    const c = expectedCost(t, 'shared');
    if (c === null) continue;
    perModel.set(t.model, (perModel.get(t.model) ?? 0) + c);
    perTenant.set(t.tenant!, (perTenant.get(t.tenant!) ?? 0) + c);
  }
  await value(`sum(tollgate_genai_cost_total{${sel}})`);
  const gotModel = await vector(netSpend(sel, 'gen_ai_request_model'));
  const charged = await vector(`sum by (gen_ai_request_model) (tollgate_genai_cost_total{${sel}})`);
  assert.deepEqual([...gotModel.keys()].sort(), [...perModel.keys()].sort());
  let maxChargedError = 0;
  for (const [m, want] of perModel) {
    closeRel(gotModel.get(m), want, 1e-6, `net spend of ${m}`);
    maxChargedError = Math.max(maxChargedError, Math.abs(charged.get(m)! - want) / want);
  }
  assert.ok(maxChargedError > 1e-6, 'without the corrections some model would be off');
  const gotTenant = await vector(netSpend(sel, 'tollgate_showback_tenant'));
  assert.deepEqual([...gotTenant.keys()].sort(), TENANTS.map((t) => t.name).sort());
  for (const [tenant, want] of perTenant) closeRel(gotTenant.get(tenant), want, 1e-6, `net spend of tenant ${tenant}`);

  // API models by tokens, GPU models by GPU time; the model on an unpriced GPU (and absent from the token table) is unpriced, never $0.
  for (const m of spec.models) {
    const methods = await vector(`count by (tollgate_cost_method) (tollgate_genai_cost_total{${sel},gen_ai_request_model="${m.name}"})`);
    assert.deepEqual([...methods.keys()], m.name === 'mistral-7b-instruct' ? [] : [m.api ? 'token_price' : 'gpu_shared'], m.name);
  }
  const unpricedTruth = r.truths.filter((t) => t.model === 'mistral-7b-instruct').length;
  assert.equal(
    await value(`sum(tollgate_genai_requests_unpriced_total{${sel},gen_ai_request_model="mistral-7b-instruct",tollgate_unpriced_reason="unknown_gpu"})`),
    unpricedTruth,
  );
  // Cache and reasoning tokens reached the token metrics.
  assert.equal(await value(`sum(gen_ai_client_token_usage_sum{${sel},gen_ai_token_type="cache_read"})`), r.summary.cache_read_tokens);
  assert.equal(await value(`sum(gen_ai_client_token_usage_sum{${sel},gen_ai_token_type="reasoning"})`), r.summary.reasoning_tokens);
});

test('e2e: a flood of tenants past the showback limit lands in the overflow series; spend still adds up to the ground truth', async () => {
  const spec = fleet({ seed: 12, requests: 1500, export_jitter: 0, tenant_flood: { count: 400, share: 0.4 } });
  const { r, svc } = await runThrough('flood', spec, {
    genai: { showback: { max_values: 20, dimensions: [{ name: 'tenant', from: [{ span_attribute: 'tenant.id' }] }] } },
    gpucost: {},
  });
  const overflowCounted = (await svc.telemetry.registry.getSingleMetric('tollgate_genai_showback_overflow_spans')!.get()).values[0]?.value ?? 0;
  await svc.shutdown();
  const sel = 'run="flood"';
  await value(`sum(tollgate_genai_requests_total{${sel}})`);
  const got = await vector(netSpend(sel, 'tollgate_showback_tenant'));
  assert.ok(got.has('__overflow__'), `an overflow series: ${[...got.keys()].join(' ')}`);
  assert.ok(got.size <= 21, `at most max_values tenants plus the overflow series, got ${got.size}`);
  const requests = await vector(`sum by (tollgate_showback_tenant) (tollgate_genai_requests_total{${sel}})`);
  const kept = new Set([...requests.keys()].filter((k) => k !== '__overflow__'));
  let wantOverflow = 0;
  let wantOverflowRequests = 0;
  let total = 0;
  const perTenant = new Map<string, number>();
  for (const t of r.truths) {
    const c = expectedCost(t, 'exclusive') ?? 0;
    total += c;
    if (kept.has(t.tenant!)) perTenant.set(t.tenant!, (perTenant.get(t.tenant!) ?? 0) + c);
    else {
      wantOverflow += c;
      wantOverflowRequests++;
    }
  }
  assert.equal(requests.get('__overflow__'), wantOverflowRequests);
  assert.equal(overflowCounted, wantOverflowRequests);
  closeRel(got.get('__overflow__'), wantOverflow, 1e-9, 'overflow spend');
  for (const [tenant, want] of perTenant) closeRel(got.get(tenant), want, 1e-9, `spend of ${tenant}`);
  closeRel(
    [...got.values()].reduce((s, v) => s + v, 0),
    total,
    1e-9,
    'all tenants together',
  );
});
