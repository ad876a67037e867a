import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section } from '../../config/types.js';
import { checkPriceTable } from '../../genai/prices.js';

const Keys = (def: string[], description: string) => Type.Array(Type.String({ minLength: 1 }), { default: def, description });

const TierPrice = Type.Object(
  {
    usd_per_gpu_hour: Type.Number({ exclusiveMinimum: 0, description: 'Price of one GPU for one hour, USD.' }),
    source: Type.Optional(Type.String({ description: 'Where the figure comes from (prices are configuration with a cited source).' })),
  },
  { additionalProperties: false },
);

export const GpucostSchema = Type.Object(
  {
    cost_model: Type.Union([Type.Literal('exclusive'), Type.Literal('shared')], {
      default: 'exclusive',
      description:
        'exclusive: duration × GPU count × price per second. shared: a replica\'s cost split among the requests in flight by work rate (holds spans for shared.settle_window).',
    }),
    prices_file: Type.String({ default: '', description: 'Price table (YAML). Empty: the embedded config/gpu-prices.yaml.' }),
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
        { additionalProperties: false, description: 'Entries added to (or replacing those of) the price file.' },
      ),
    ),
    tier: Type.String({ default: '', description: "Price tier (on_demand, spot, capacity_block, ...). Empty: the table's default_tier." }),
    overwrite_cost: Type.Boolean({ default: false, description: 'Price spans that already carry gen_ai.usage.cost (else they pass as they are).' }),
    span_kinds: Type.Array(Type.Union(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'].map((k) => Type.Literal(k))), {
      default: [],
      description: 'Price only LLM spans of these kinds (empty: all).',
    }),
    resource_attributes: Section({
      gpu_model: Keys(['tollgate.gpu.model', 'k8s.node.label.nvidia.com/gpu.product'], 'Resource attributes naming the GPU model, first present wins.'),
      gpu_count: Keys(['tollgate.gpu.count'], 'Resource attributes giving the GPUs a replica holds.'),
      price_tier: Keys(['tollgate.gpu.price_tier'], 'Resource attributes naming the price tier for that replica.'),
      host: Keys(['k8s.node.name', 'host.name'], 'Resource attributes naming the node, matched to DCGM Hostname.'),
      pod: Keys(['k8s.pod.name'], 'Resource attributes naming the pod, matched to DCGM pod.'),
      namespace: Keys(['k8s.namespace.name'], 'Resource attributes naming the namespace, matched to DCGM namespace.'),
      replica: Keys(['service.instance.id', 'k8s.pod.name', 'host.name'], 'Resource attributes identifying a serving replica (shared model).'),
    }, 'Where the GPU model, count, tier, host, pod and replica of a span are read from (the first attribute present wins).'),
    dcgm: Section({
      enabled: Type.Boolean({ default: true, description: 'Learn GPU model and count per host and pod from DCGM metrics in metrics pipelines.' }),
      metric_prefix: Type.String({ default: 'DCGM_FI_', description: 'Metrics whose name starts with this are read.' }),
      max_entries: Type.Integer({ default: 10000, minimum: 1, description: 'Hosts and pods remembered (oldest forgotten first).' }),
      ttl: Duration('1h', 'Forget a host or pod not reported for this long.'),
    }, 'Learning GPUs from DCGM exporter metrics passing through a metrics pipeline with the same gpucost ID.'),
    shared: Section({
      settle_window: Duration('30s', 'How long a span is held for overlapping spans to arrive; longer than the longest request plus export delay.'),
      max_pending_spans: Type.Integer({ default: 100000, minimum: 1, description: 'Held spans across replicas; past it the oldest are priced early.' }),
      tick: Duration('1s', 'How often held spans are checked for release.'),
    }, 'The shared cost model: how LLM spans are held until their overlapping spans have arrived.'),
  },
  {
    additionalProperties: false,
    description: 'Prices each LLM request span by the GPU time it used (exclusive or shared cost model); in metrics pipelines learns GPUs from DCGM series.',
  },
);
export type GpucostConfig = Static<typeof GpucostSchema>;

export function validateGpucost(c: GpucostConfig): string[] {
  return c.prices ? checkPriceTable(c.prices, 'prices') : [];
}
