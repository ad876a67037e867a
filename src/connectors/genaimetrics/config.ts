import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section, StringMap } from '../../config/types.js';

export const Dimension = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      description:
        "Span attribute (then resource attribute) to group by. Computed: `error.type` (the span's, or _OTHER for a failure without one; absent on success) and `outcome` (success or error).",
    }),
    default: Type.Optional(Type.String({ description: 'Value when the span has none (else the label is left out).' })),
  },
  { additionalProperties: false },
);

export const DEFAULT_DIMENSIONS = [
  { name: 'gen_ai.request.model' },
  { name: 'gen_ai.provider.name' },
  { name: 'gen_ai.operation.name' },
  { name: 'error.type' },
];

export const GenaiMetricsSchema = Type.Object(
  {
    dimensions: Type.Array(Dimension, { default: DEFAULT_DIMENSIONS, description: 'Labels of every series, read from span then resource attributes.' }),
    aggregation_cardinality_limit: Type.Integer({
      default: 1000,
      minimum: 1,
      description: 'Distinct label sets kept; spans beyond it go to one overflow series labelled otel.metric.overflow=true.',
    }),
    metrics_flush_interval: Duration('15s', 'How often the cumulative metrics are emitted.'),
    exemplars: Section({
      enabled: Type.Boolean({ default: true, description: 'Attach exemplars (trace and span id) to histogram points.' }),
      max_per_data_point: Type.Integer({ default: 4, minimum: 1, description: 'Exemplars kept per data point between flushes (the latest).' }),
    }),
    showback_dimensions: Type.Boolean({
      default: true,
      description: 'Add the tollgate.showback.* attributes the genai processor resolved as dimensions of every series.',
    }),
    span_kinds: Type.Array(Type.Union(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'].map((k) => Type.Literal(k))), {
      default: [],
      description: 'Count only LLM spans of these kinds (empty: all), e.g. [server] when apps and servers both report a request.',
    }),
    resource_attributes: Type.Unsafe<Record<string, string>>({
      ...StringMap,
      default: {},
      description: 'Attributes of the resource the metrics are emitted under.',
    }),
  },
  {
    additionalProperties: false,
    description:
      "Turns LLM request spans into token, latency, request and cost metrics with the GenAI conventions' names (traces pipeline in, metrics pipeline out): cost by pricing method, late-span corrections, showback labels, bounded cardinality.",
  },
);
export type GenaiMetricsConfig = Static<typeof GenaiMetricsSchema>;
