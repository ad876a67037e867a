// The simulated fleet's requests: Poisson arrivals split among models by
// weight, a replica chosen at random, token counts and phase durations drawn
// from each model's distributions. Every time is a whole number of
// nanoseconds, so the spans carry exactly the values the ground truth holds.
import { Rng } from './rng.js';
import type { DistSpec, FleetSpec, ModelSpec } from './spec.js';

export interface SimRequest {
  index: number;
  model: ModelSpec;
  /** Replica name, unique in the fleet (`<model>-<i>`); an API model's calls all come from `<model>-app`. */
  replica: string;
  /** Showback tenant, when the fleet names tenants. */
  tenant?: string;
  /** Nanoseconds from the timeline's zero. */
  startNs: number;
  queueNs: number;
  prefillNs: number;
  /** First to last output token. */
  decodeNs: number;
  endNs: number;
  inputTokens: number;
  outputTokens: number;
  /** Parts of inputTokens read from / written to the provider cache, and of outputTokens spent reasoning. */
  cacheReadTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  /** error.type of a failed request. */
  error?: string;
  finishReason: 'stop' | 'length' | 'error';
}

const ERROR_TYPES = ['500', 'timeout', 'context_length_exceeded'];

function draw(rng: Rng, d: DistSpec): number {
  const v = d.sigma === 0 ? d.median : rng.lognormal(d.median, d.sigma);
  return Math.min(d.max, Math.max(d.min, v));
}

const ns = (s: number) => Math.round(s * 1e9);

/** Requests in arrival order. */
export function simulate(spec: FleetSpec): SimRequest[] {
  const rng = new Rng(spec.seed);
  const totalWeight = spec.models.reduce((s, m) => s + m.weight, 0);
  const lastModel = spec.models.at(-1);
  if (lastModel === undefined) throw new Error('fleet: no models');
  const out: SimRequest[] = [];
  let t = 0;
  for (let i = 0; i < spec.requests; i++) {
    t += rng.exponential(spec.rate);
    let pick = rng.next() * totalWeight;
    let model = lastModel;
    for (const m of spec.models) {
      if (pick < m.weight) {
        model = m;
        break;
      }
      pick -= m.weight;
    }
    const replica = model.api ? `${model.name}-app` : `${model.name}-${rng.int(model.replicas)}`;
    const inputTokens = Math.round(draw(rng, model.input_tokens));
    let outputTokens = Math.round(draw(rng, model.output_tokens));
    const queueNs = ns(draw(rng, model.queue));
    const prefillNs = ns(draw(rng, model.prefill));
    const itl = draw(rng, model.itl);
    const failed = rng.next() < spec.error_rate;
    let error: string | undefined;
    let finishReason: SimRequest['finishReason'] = outputTokens >= model.output_tokens.max ? 'length' : 'stop';
    if (failed) {
      error = ERROR_TYPES[rng.int(ERROR_TYPES.length)] ?? '500';
      // A failure can come before the first token or part-way through the answer.
      outputTokens = rng.int(outputTokens + 1);
      finishReason = 'error';
    }
    const decodeNs = outputTokens > 1 ? ns(itl * (outputTokens - 1)) : 0;
    const startNs = ns(t);
    // Drawn only when configured, so fleets without them reproduce earlier runs exactly.
    const part = (share: number, of: number) => (share > 0 ? Math.min(of, Math.round(of * Math.min(1, rng.next() * 2 * share))) : 0);
    const cacheReadTokens = part(model.cache_read_share, inputTokens);
    const cacheCreationTokens = part(model.cache_creation_share, inputTokens - cacheReadTokens);
    const reasoningTokens = part(model.reasoning_share, outputTokens);
    const tenant = pickTenant(rng, spec);
    out.push({
      index: i,
      model,
      replica,
      startNs,
      queueNs,
      prefillNs,
      decodeNs,
      endNs: startNs + queueNs + prefillNs + decodeNs,
      inputTokens,
      outputTokens,
      cacheReadTokens,
      cacheCreationTokens,
      reasoningTokens,
      ...(tenant !== undefined ? { tenant } : {}),
      error,
      finishReason,
    });
  }
  return out;
}

function pickTenant(rng: Rng, spec: FleetSpec): string | undefined {
  const flood = spec.tenant_flood;
  if (flood.count > 0 && flood.share > 0 && rng.next() < flood.share) return `flood-${rng.int(flood.count)}`;
  if (spec.tenants.length === 0) return undefined;
  const total = spec.tenants.reduce((s, t) => s + t.weight, 0);
  let pick = rng.next() * total;
  for (const t of spec.tenants) {
    if (pick < t.weight) return t.name;
    pick -= t.weight;
  }
  return spec.tenants.at(-1)?.name;
}

/** Time to first token in ns; undefined when the request produced no token. */
export function ttftNs(r: SimRequest): number | undefined {
  return r.outputTokens > 0 ? r.queueNs + r.prefillNs : undefined;
}
