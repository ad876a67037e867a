// What a gateway should report for a simulated run: every request's tokens,
// timings and expected cost under both cost models.
//
// The shared-model expectation is computed here the direct way (each segment
// between request boundaries split among the requests in flight by work
// rate), independently of the gateway's sweep, so a load test checks one
// against the other.
import { PriceTable } from '../genai/prices.js';
import { tokenCost, type TokenPriceTable } from '../genai/tokenprices.js';
import { ttftNs, type SimRequest } from './simulate.js';

export interface RequestTruth {
  type: 'request';
  index: number;
  trace_id: string;
  span_id: string;
  model: string;
  provider: string;
  /** gpu: served on the fleet's GPUs (SERVER spans); api: an API model's CLIENT spans. */
  kind: 'gpu' | 'api';
  tenant: string | null;
  replica: string;
  gpu_model: string | null;
  gpu_count: number | null;
  /** Price-table entry and price used, null when unpriced. */
  gpu_priced_as: string | null;
  usd_per_gpu_hour: number | null;
  start_unix_nano: string;
  end_unix_nano: string;
  duration_s: number;
  queue_s: number;
  prefill_s: number;
  ttft_s: number | null;
  decode_s: number;
  time_per_output_token_s: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  reasoning_tokens: number;
  error: string | null;
  cost_exclusive_usd: number | null;
  cost_shared_usd: number | null;
  /** Token-price cost: API models, and GPU-served ones whose GPU is unpriced when the token table has the model. */
  cost_token_usd: number | null;
  /** Token price entry used, `<provider>/<model>`. */
  token_priced_as: string | null;
}

/** The cost the gateway should charge a request under a GPU cost model (token price where no GPU price applies). */
export function expectedCost(t: RequestTruth, model: 'exclusive' | 'shared'): number | null {
  return t.cost_token_usd ?? (model === 'shared' ? t.cost_shared_usd : t.cost_exclusive_usd);
}

export interface ReplicaTruth {
  replica: string;
  gpu_model: string;
  busy_s: number;
  idle_s: number;
  cost_busy_usd: number | null;
}

interface Priced {
  c: number;
  gpu: string;
  price: number;
}

/** $/s of each replica, or null when its GPU or price is unknown to the table. */
export function replicaPrices(requests: readonly SimRequest[], table: PriceTable, tier: string): Map<string, Priced | null> {
  const out = new Map<string, Priced | null>();
  for (const r of requests) {
    if (out.has(r.replica)) continue;
    const g = r.model.gpu;
    const p = g && !r.model.api ? table.lookup(g.model, tier) : undefined;
    out.set(r.replica, g && p?.ok ? { c: (g.count * p.usdPerGpuHour) / 3600, gpu: p.gpu, price: p.usdPerGpuHour } : null);
  }
  return out;
}

/** Shared-model cost of each request (by index) and busy/idle seconds of each replica. */
export function sharedCosts(requests: readonly SimRequest[], prices: Map<string, Priced | null>): { costs: Map<number, number>; replicas: ReplicaTruth[] } {
  const costs = new Map<number, number>();
  const byReplica = new Map<string, SimRequest[]>();
  for (const r of requests) {
    if (r.model.api) continue;
    let l = byReplica.get(r.replica);
    if (!l) byReplica.set(r.replica, (l = []));
    l.push(r);
  }
  const replicas: ReplicaTruth[] = [];
  for (const [replica, list] of byReplica) {
    const price = prices.get(replica) ?? null;
    const c = price?.c ?? 0;
    const w = (r: SimRequest) => {
      const d = (r.endNs - r.startNs) / 1e9;
      return d > 0 ? (r.inputTokens + r.outputTokens) / d : 0;
    };
    const bounds = [...new Set(list.flatMap((r) => [r.startNs, r.endNs]))].sort((a, b) => a - b);
    const starts = [...list].sort((a, b) => a.startNs - b.startNs);
    const active = new Set<SimRequest>();
    let next = 0;
    let busy = 0;
    let idle = 0;
    for (const r of list) costs.set(r.index, 0);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const t0 = bounds[i] ?? 0;
      const t1 = bounds[i + 1] ?? t0;
      for (let s = starts[next]; s !== undefined && s.startNs <= t0; s = starts[++next]) active.add(s);
      for (const a of active) if (a.endNs <= t0) active.delete(a);
      const dt = (t1 - t0) / 1e9;
      if (active.size === 0) {
        idle += dt;
        continue;
      }
      busy += dt;
      let sumW = 0;
      for (const a of active) sumW += w(a);
      for (const a of active) {
        const share = sumW > 0 ? w(a) / sumW : 1 / active.size;
        if (sumW > 0 && w(a) === 0) continue;
        costs.set(a.index, (costs.get(a.index) ?? 0) + c * dt * share);
      }
    }
    replicas.push({ replica, gpu_model: list[0]?.model.gpu?.model ?? '', busy_s: busy, idle_s: idle, cost_busy_usd: price ? c * busy : null });
  }
  return { costs, replicas };
}

export function requestTruths(
  requests: readonly SimRequest[],
  baseNs: bigint,
  ids: ReadonlyArray<{ traceId: string; spanId: string } | undefined>,
  table: PriceTable,
  tier: string,
  tokens?: TokenPriceTable,
): { truths: RequestTruth[]; replicas: ReplicaTruth[] } {
  const prices = replicaPrices(requests, table, tier);
  const shared = sharedCosts(requests, prices);
  const truths = requests.map((r): RequestTruth => {
    const p = prices.get(r.replica) ?? null;
    const ttft = ttftNs(r);
    const durationNs = r.endNs - r.startNs;
    // The gateway prices CLIENT spans, and spans whose GPU it cannot price, by tokens.
    const hit = (r.model.api || !p || durationNs <= 0) && tokens ? tokens.lookup(r.model.api ? r.model.provider : undefined, r.model.name) : undefined;
    const tokenUsd = hit?.ok
      ? tokenCost(hit.price, {
          input: r.inputTokens,
          output: r.outputTokens,
          cacheRead: r.cacheReadTokens,
          cacheCreation: r.cacheCreationTokens,
          reasoning: r.reasoningTokens,
        })
      : null;
    return {
      type: 'request',
      index: r.index,
      trace_id: ids[r.index]?.traceId ?? '',
      span_id: ids[r.index]?.spanId ?? '',
      model: r.model.name,
      provider: r.model.provider,
      kind: r.model.api ? 'api' : 'gpu',
      tenant: r.tenant ?? null,
      replica: r.replica,
      gpu_model: r.model.api ? null : (r.model.gpu?.model ?? null),
      gpu_count: r.model.api ? null : (r.model.gpu?.count ?? null),
      gpu_priced_as: p?.gpu ?? null,
      usd_per_gpu_hour: p?.price ?? null,
      start_unix_nano: (baseNs + BigInt(r.startNs)).toString(),
      end_unix_nano: (baseNs + BigInt(r.endNs)).toString(),
      duration_s: durationNs / 1e9,
      queue_s: r.queueNs / 1e9,
      prefill_s: r.prefillNs / 1e9,
      ttft_s: ttft === undefined ? null : ttft / 1e9,
      decode_s: r.decodeNs / 1e9,
      time_per_output_token_s: r.outputTokens > 1 ? r.decodeNs / 1e9 / (r.outputTokens - 1) : null,
      input_tokens: r.inputTokens,
      output_tokens: r.outputTokens,
      cache_read_tokens: r.cacheReadTokens,
      cache_creation_tokens: r.cacheCreationTokens,
      reasoning_tokens: r.reasoningTokens,
      error: r.error ?? null,
      cost_exclusive_usd: p && durationNs > 0 ? (p.c * durationNs) / 1e9 : null,
      cost_shared_usd: p && durationNs > 0 ? (shared.costs.get(r.index) ?? null) : null,
      cost_token_usd: tokenUsd,
      token_priced_as: hit?.ok ? `${hit.provider}/${hit.model}` : null,
    };
  });
  return { truths, replicas: shared.replicas };
}

/** Nearest-rank quantile of a sample. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? null;
}

interface Totals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  reasoning_tokens: number;
  cost_exclusive_usd: number;
  cost_shared_usd: number;
  cost_token_usd: number;
  unpriced: number;
}

export interface Summary extends Totals {
  type: 'summary';
  seed: number;
  convention: string;
  tier: string;
  ttft_p99_s: number | null;
  by_model: Record<string, Totals>;
  by_tenant: Record<string, Totals>;
  replicas: ReplicaTruth[];
}

const zero = (): Totals => ({
  requests: 0,
  errors: 0,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_creation_tokens: 0,
  reasoning_tokens: 0,
  cost_exclusive_usd: 0,
  cost_shared_usd: 0,
  cost_token_usd: 0,
  unpriced: 0,
});

export function summarize(truths: readonly RequestTruth[], replicas: ReplicaTruth[], meta: { seed: number; convention: string; tier: string }): Summary {
  const s: Summary = {
    type: 'summary',
    ...meta,
    ...zero(),
    ttft_p99_s: quantile(
      truths.flatMap((t) => (t.ttft_s === null ? [] : [t.ttft_s])),
      0.99,
    ),
    by_model: {},
    by_tenant: {},
    replicas,
  };
  for (const t of truths) {
    const groups: Totals[] = [s, (s.by_model[t.model] ??= zero())];
    if (t.tenant !== null) groups.push((s.by_tenant[t.tenant] ??= zero()));
    for (const x of groups) {
      x.requests++;
      x.errors += t.error ? 1 : 0;
      x.input_tokens += t.input_tokens;
      x.output_tokens += t.output_tokens;
      x.cache_read_tokens += t.cache_read_tokens;
      x.cache_creation_tokens += t.cache_creation_tokens;
      x.reasoning_tokens += t.reasoning_tokens;
      x.cost_exclusive_usd += t.cost_exclusive_usd ?? 0;
      x.cost_shared_usd += t.cost_shared_usd ?? 0;
      x.cost_token_usd += t.cost_token_usd ?? 0;
      if (t.cost_exclusive_usd === null && t.cost_token_usd === null) x.unpriced++;
    }
  }
  return s;
}
