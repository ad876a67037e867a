// What `tollgate loadgen` simulates: a fleet of models on named GPU types,
// read from a YAML file (--fleet) or the built-in default below.
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { parse } from 'yaml';
import { validateAgainst } from '../config/validate.js';
import { EMITTED_CONVENTIONS } from '../genai/conventions.js';

/** A log-normal distribution by its median and the sigma of its logarithm, clamped to [min, max]. */
const Dist = (median: number, sigma: number, min: number, max: number, what: string) =>
  Type.Object(
    {
      median: Type.Number({ exclusiveMinimum: 0, default: median }),
      sigma: Type.Number({ minimum: 0, default: sigma }),
      min: Type.Number({ minimum: 0, default: min }),
      max: Type.Number({ exclusiveMinimum: 0, default: max }),
    },
    { additionalProperties: false, default: {}, description: what },
  );
export type DistSpec = { median: number; sigma: number; min: number; max: number };

const Share = (what: string) => Type.Number({ minimum: 0, maximum: 1, default: 0, description: what });

export const ModelSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'gen_ai.request.model' }),
    provider: Type.String({ default: 'vllm', description: 'gen_ai.provider.name (not emitted in the vLLM convention, which has none).' }),
    operation: Type.String({ default: 'chat' }),
    engine: Type.Optional(
      Type.Union([Type.Literal('vllm'), Type.Literal('sglang'), Type.Literal('tgi'), Type.Literal('triton')], {
        description: 'Inference server whose /metrics the replicas serve (loadgen --metrics); default vllm.',
      }),
    ),
    api: Type.Boolean({
      default: false,
      description: "An API model (OpenAI, Anthropic, ...): an application's CLIENT spans in the genai convention, priced by the token price table; no GPU.",
    }),
    gpu: Type.Optional(
      Type.Object(
        {
          model: Type.String({ minLength: 1, description: 'GPU model as DCGM reports it, e.g. "NVIDIA H100 80GB HBM3".' }),
          count: Type.Integer({ minimum: 1, default: 1, description: 'GPUs per replica.' }),
        },
        { additionalProperties: false, description: 'Required unless api.' },
      ),
    ),
    service_name: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'service.name of the replicas (default: "vllm" for the vLLM convention, "llm-serving", or "chat-app" for API models).',
      }),
    ),
    replicas: Type.Integer({ minimum: 1, default: 1 }),
    weight: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Share of the traffic.' }),
    input_tokens: Dist(600, 0.8, 1, 32000, 'Prompt tokens per request.'),
    output_tokens: Dist(200, 0.7, 1, 4096, 'Output tokens per request.'),
    queue: Dist(0.01, 1.0, 0, 30, 'Seconds waiting to be scheduled.'),
    prefill: Dist(0.08, 0.5, 0.001, 30, 'Seconds of prompt processing.'),
    itl: Dist(0.02, 0.3, 0.001, 2, 'Seconds per output token after the first (one draw per request).'),
    cache_read_share: Share('Mean share of input tokens read from the provider cache (per request uniform in [0, 2×share]).'),
    cache_creation_share: Share('Mean share of input tokens written to the provider cache.'),
    reasoning_share: Share('Mean share of output tokens spent on reasoning.'),
  },
  { additionalProperties: false },
);
export type ModelSpec = Static<typeof ModelSpec>;

export const TenantSpec = Type.Object(
  { name: Type.String({ minLength: 1 }), weight: Type.Number({ exclusiveMinimum: 0, default: 1 }) },
  { additionalProperties: false },
);

export const FleetSpec = Type.Object(
  {
    seed: Type.Integer({ default: 1 }),
    requests: Type.Integer({ minimum: 1, default: 1000, description: 'Requests to simulate.' }),
    rate: Type.Number({ exclusiveMinimum: 0, default: 20, description: 'Mean arrivals per second across the fleet (Poisson).' }),
    error_rate: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'Share of requests that fail.' }),
    convention: Type.Union(
      EMITTED_CONVENTIONS.map((c) => Type.Literal(c)),
      { default: 'genai', description: "Attribute names of the emitted spans (API models always use genai: an application's CLIENT spans)." },
    ),
    export_jitter: Type.Number({
      minimum: 0,
      default: 0,
      description: 'Seconds: each span is exported a random 0–export_jitter s after it ends, so spans arrive out of order.',
    }),
    tenants: Type.Array(TenantSpec, {
      default: [],
      description: 'Tenants sharing the traffic by weight; each request carries its tenant in tenant_attribute.',
    }),
    tenant_flood: Type.Object(
      {
        count: Type.Integer({ minimum: 0, default: 0, description: 'Distinct extra tenants ("flood-<i>").' }),
        share: Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'Share of requests that go to a random flood tenant.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    tenant_attribute: Type.String({ minLength: 1, default: 'tenant.id', description: 'Span attribute carrying the tenant.' }),
    gpu_attributes: Type.Boolean({
      default: true,
      description: "Put tollgate.gpu.model/count on each replica's resource (off: the gateway must learn them from DCGM).",
    }),
    models: Type.Array(ModelSpec, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type FleetSpec = Static<typeof FleetSpec>;

/** A small realistic fleet: two models on three GPU types. */
export const DEFAULT_FLEET = {
  models: [
    { name: 'llama-3.1-8b-instruct', gpu: { model: 'NVIDIA A100-SXM4-80GB', count: 1 }, replicas: 2, weight: 3 },
    {
      name: 'llama-3.1-70b-instruct',
      gpu: { model: 'NVIDIA H100 80GB HBM3', count: 4 },
      replicas: 1,
      weight: 1,
      prefill: { median: 0.25 },
      itl: { median: 0.035 },
    },
    {
      name: 'qwen2.5-72b-instruct',
      gpu: { model: 'NVIDIA H200', count: 2 },
      replicas: 1,
      weight: 1,
      output_tokens: { median: 350 },
      itl: { median: 0.03 },
    },
  ],
};

/** Validates a fleet (filling defaults); throws with every problem named by its path. */
export function fleetFrom(raw: unknown, where = 'fleet'): FleetSpec {
  const v = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (v.models === undefined) v.models = structuredClone(DEFAULT_FLEET.models);
  const problems = validateAgainst(FleetSpec, v, where).filter((p) => p !== '');
  if (problems.length) throw new Error(`invalid fleet: ${problems.join('; ')}`);
  const spec = v as FleetSpec;
  for (const [i, m] of spec.models.entries()) {
    if (!m.api && !m.gpu) throw new Error(`invalid fleet: ${where}.models[${i}].gpu: required (or api: true)`);
    if (m.api && m.provider === 'vllm')
      throw new Error(`invalid fleet: ${where}.models[${i}].provider: an API model needs its provider (openai, anthropic, ...)`);
    for (const k of ['input_tokens', 'output_tokens', 'queue', 'prefill', 'itl'] as const) {
      if (m[k].min > m[k].max) throw new Error(`invalid fleet: ${where}.models[${i}].${k}: min is above max`);
    }
  }
  return spec;
}

export function loadFleetFile(path: string): FleetSpec {
  return fleetFrom(parse(readFileSync(path, 'utf8')), path);
}
