import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section } from '../../config/types.js';
import { checkPriceTable } from '../../genai/prices.js';
import { checkTokenPriceTable } from '../../genai/tokenprices.js';

const Keys = (def: string[], description: string) => Type.Array(Type.String({ minLength: 1 }), { default: def, description });
const SpanKind = Type.Union(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'].map((k) => Type.Literal(k)));

const TierPrice = Type.Object(
  {
    usd_per_gpu_hour: Type.Number({ exclusiveMinimum: 0, description: 'Price of one GPU for one hour, USD.' }),
    source: Type.Optional(Type.String({ description: 'Where the figure comes from (prices are configuration with a cited source).' })),
  },
  { additionalProperties: false },
);

const PerMillion = (what: string) => Type.Optional(Type.Number({ minimum: 0, description: `USD per 1M ${what}.` }));
const TokenPrice = Type.Object(
  {
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Other names of the model, matched exactly (case-insensitive).' })),
    input: Type.Number({ minimum: 0, description: 'USD per 1M uncached input tokens.' }),
    cached_input: PerMillion('input tokens read from the cache (default: input)'),
    cache_creation: PerMillion('input tokens written to the cache (default: input)'),
    output: Type.Number({ minimum: 0, description: 'USD per 1M output tokens.' }),
    reasoning: PerMillion('reasoning output tokens (default: output)'),
    source: Type.Optional(Type.String({ description: 'Where the prices were published.' })),
    as_of: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'When they took effect (YYYY-MM-DD).' })),
  },
  { additionalProperties: false },
);

export const GpucostSchema = Type.Object(
  {
    cost_model: Type.Union([Type.Literal('exclusive'), Type.Literal('shared')], {
      default: 'exclusive',
      description:
        "GPU method. exclusive: duration × GPU count × price per second (method gpu_exclusive). shared: a replica's cost split among the requests in flight by work rate (gpu_shared; spans are held until overlapping spans have arrived).",
    }),
    prices_file: Type.String({ default: '', description: 'GPU price table (YAML). Empty: the embedded config/gpu-prices.yaml.' }),
    prices: Type.Optional(
      Type.Object(
        {
          default_tier: Type.Optional(Type.String({ description: 'Tier used when neither tier nor the replica names one.' })),
          gpus: Type.Record(
            Type.String(),
            Type.Object(
              {
                match: Type.Optional(
                  Type.Array(Type.String({ minLength: 1 }), { description: 'Substrings of reported GPU names that select this entry (longest match first).' }),
                ),
                tiers: Type.Record(Type.String(), TierPrice, { description: 'Prices by tier name (on_demand, spot, capacity_block, ...).' }),
              },
              { additionalProperties: false },
            ),
            { description: 'GPU models by table name.' },
          ),
        },
        { additionalProperties: false, description: 'GPU entries added to (or replacing those of) the price file.' },
      ),
    ),
    tier: Type.String({ default: '', description: "GPU price tier (on_demand, spot, capacity_block, ...). Empty: the table's default_tier." }),
    token_prices_file: Type.String({ default: '', description: 'Token price table for API models (YAML). Empty: the embedded config/token-prices.yaml.' }),
    token_prices: Type.Optional(
      Type.Object(
        {
          providers: Type.Record(
            Type.String(),
            Type.Object(
              {
                aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Other gen_ai.provider.name values that use these prices.' })),
                models: Type.Record(Type.String(), TokenPrice, { description: 'Models by name.' }),
              },
              { additionalProperties: false },
            ),
            { description: 'Providers by gen_ai.provider.name.' },
          ),
        },
        { additionalProperties: false, description: 'Token price entries added to (or replacing those of) the token price file.' },
      ),
    ),
    token_price_span_kinds: Type.Array(SpanKind, {
      default: ['client'],
      description: "Spans of these kinds are priced by tokens (an application calling a model API: the GPUs are the provider's).",
    }),
    token_price_fallback: Type.Boolean({
      default: true,
      description: 'Price by tokens any other span whose GPU method cannot (unknown GPU, count, price, replica or duration).',
    }),
    overwrite_cost: Type.Boolean({
      default: false,
      description:
        'Re-price spans that arrive with a non-zero gen_ai.usage.cost (else it is kept, method "reported"). A reported cost of 0 or less is never trusted.',
    }),
    span_kinds: Type.Array(SpanKind, { default: [], description: 'Price only LLM spans of these kinds (empty: all).' }),
    resource_attributes: Section(
      {
        gpu_model: Keys(['tollgate.gpu.model', 'k8s.node.label.nvidia.com/gpu.product'], 'Resource attributes naming the GPU model, first present wins.'),
        gpu_count: Keys(['tollgate.gpu.count'], 'Resource attributes giving the GPUs a replica holds.'),
        price_tier: Keys(['tollgate.gpu.price_tier'], 'Resource attributes naming the price tier for that replica.'),
        host: Keys(['k8s.node.name', 'host.name'], 'Resource attributes naming the node, matched to DCGM Hostname.'),
        pod: Keys(['k8s.pod.name'], 'Resource attributes naming the pod, matched to DCGM pod.'),
        namespace: Keys(['k8s.namespace.name'], 'Resource attributes naming the namespace, matched to DCGM namespace.'),
        replica: Keys(['service.instance.id', 'k8s.pod.name', 'host.name'], 'Resource attributes identifying a serving replica (shared model).'),
      },
      'Where the GPU model, count, tier, host, pod and replica of a span are read from (the first attribute present wins).',
    ),
    dcgm: Section(
      {
        enabled: Type.Boolean({ default: true, description: 'Learn GPU model and count per host and pod from DCGM metrics in metrics pipelines.' }),
        metric_prefix: Type.String({ default: 'DCGM_FI_', description: 'Metrics whose name starts with this are read.' }),
        max_entries: Type.Integer({ default: 10000, minimum: 1, description: 'Hosts and pods remembered (oldest forgotten first).' }),
        ttl: Duration('1h', 'Forget a host or pod not reported for this long.'),
      },
      'Learning GPUs from DCGM exporter metrics passing through a metrics pipeline with the same gpucost ID.',
    ),
    shared: Section(
      {
        settle_window: Duration(
          '30s',
          "The least time a span waits, on its replica's clock, after its own end for overlapping spans: the duration bound starts here and grows to the longest request seen.",
        ),
        learn_window: Duration('1h', 'Span time over which the longest request and the arrival lateness of each replica are remembered.'),
        max_hold: Duration('10m', 'Worst-case delay: a span is priced and sent on at most this long after it arrived.'),
        max_pending_spans: Type.Integer({
          default: 100000,
          minimum: 1,
          description: 'Held spans across replicas; past it the oldest are priced early (and corrected later if needed).',
        }),
        correction_window: Duration('15m', 'How long priced intervals are kept so a late span can correct them.'),
        max_retained_intervals: Type.Integer({
          default: 500000,
          minimum: 0,
          description: 'Priced intervals kept for corrections across replicas; past it the oldest are forgotten.',
        }),
        tick: Duration('1s', 'How often held spans are checked for release.'),
      },
      'The shared cost model: when held spans are priced, how late spans are corrected, and the bounds on both.',
    ),
    adjustment_attributes: Keys(
      ['gen_ai.request.model', 'gen_ai.provider.name', 'gen_ai.operation.name'],
      "Span attributes a late span's corrections are grouped by (tollgate.showback.* are always added), so per-model and per-tenant totals stay exact.",
    ),
  },
  {
    additionalProperties: false,
    description:
      "Prices each LLM request span: by the GPU time it used (gpu_exclusive or gpu_shared), by its tokens at the API model's prices (token_price), or keeps a non-zero cost the emitter reported; in metrics pipelines learns GPUs from DCGM series.",
  },
);
export type GpucostConfig = Static<typeof GpucostSchema>;

export function validateGpucost(c: GpucostConfig): string[] {
  const out = c.prices ? checkPriceTable(c.prices, 'prices') : [];
  if (c.token_prices) out.push(...checkTokenPriceTable(c.token_prices, 'token_prices'));
  return out;
}
