import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section, StringMap } from '../../config/types.js';

const Names = (def: string[], description: string) => Type.Array(Type.String({ minLength: 1 }), { default: def, description });

const ModelSource = Type.Union([Type.Literal('span_attributes'), Type.Literal('resource_attributes'), Type.Literal('static'), Type.Literal('engine_metrics')]);

const ShowbackSource = Type.Union([
  Type.Object({ span_attribute: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ resource_attribute: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object(
    { metadata: Type.String({ minLength: 1, description: 'Client metadata key (HTTP header or gRPC metadata; the receiver needs include_metadata).' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { context: Type.Literal('tenant', { description: 'The tenant the data arrived for (remote-write tenant header, Kafka header).' }) },
    { additionalProperties: false },
  ),
]);

export const ShowbackDimensionSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_.]*$', description: 'Written as the span attribute tollgate.showback.<name>.' }),
    from: Type.Array(ShowbackSource, { minItems: 1, description: 'Where the value comes from, first present wins.' }),
    default: Type.Optional(Type.String({ description: 'Value when no source has one (else the attribute is left out).' })),
  },
  { additionalProperties: false },
);

export const GenaiSchema = Type.Object(
  {
    keep_original_attributes: Type.Boolean({
      default: false,
      description: 'Keep the old attribute names (gen_ai.system, llm.token_count.*, gen_ai.latency.*, ...) next to the current ones.',
    }),
    derive_timings: Type.Boolean({
      default: true,
      description: 'Derive time to first token, time per output token, output tokens per second, queue/prefill/decode time.',
    }),
    fill_request_model: Type.Boolean({
      default: true,
      description: 'Write gen_ai.request.model on request spans that name none, from model_identity (false: never).',
    }),
    mark_convention: Type.Boolean({ default: true, description: 'Write tollgate.genai.convention (the emitter convention recognized).' }),
    prefill_span_names: Names(['prefill'], 'Names of child spans covering prompt processing; their end is the first token.'),
    decode_span_names: Names(['decode'], 'Names of child spans covering token generation.'),
    queue_span_names: Names(['queue'], 'Names of child spans covering time waiting to be scheduled.'),
    first_token_event_names: Names(['gen_ai.first_token', 'first_token'], 'Span events marking the first output token.'),
    model_identity: Section(
      {
        sources: Type.Array(ModelSource, {
          default: ['span_attributes', 'resource_attributes', 'static', 'engine_metrics'],
          description: 'Where the model of a span that names none comes from, in order.',
        }),
        span_attributes: Names(['gen_ai.response.model'], 'Span attributes naming the model (span_attributes source).'),
        resource_attributes: Names([], 'Resource attributes naming the model, e.g. [service.name] when services are named after their model.'),
        instance_attributes: Names(
          ['k8s.pod.name', 'service.instance.id', 'host.name'],
          'Resource attributes identifying the serving instance, looked up in static and in the engine metrics.',
        ),
        static: Type.Unsafe<Record<string, string>>({
          ...StringMap,
          default: {},
          description: 'Instance identity (pod, host, service.instance.id value) → model.',
        }),
        engine_metrics: Section(
          {
            enabled: Type.Boolean({
              default: true,
              description: 'Learn instance → model from engine metrics through this processor ID in a metrics pipeline.',
            }),
            metric_prefixes: Names(['vllm:', 'sglang:'], 'Engine metrics read (name prefixes).'),
            model_labels: Names(['model_name'], 'Labels naming the model.'),
            instance_labels: Names(
              [
                'pod',
                'exported_pod',
                'k8s_pod_name',
                'k8s.pod.name',
                'instance',
                'exported_instance',
                'service_instance_id',
                'service.instance.id',
                'host',
                'hostname',
                'host.name',
              ],
              'Labels (and OTLP attributes) identifying the instance; matched by value to instance_attributes.',
            ),
            max_instances: Type.Integer({ default: 10000, minimum: 1, description: 'Instances remembered (oldest forgotten first).' }),
            ttl: Duration('1h', 'Forget an instance not reported for this long.'),
          },
          'Learning which model each inference-server instance serves from its metrics (vllm:*, sglang:* model_name) in a metrics pipeline with the same genai ID.',
        ),
        unknown_model: Type.String({ default: 'unknown', description: 'gen_ai.request.model of spans no source names (counted); empty leaves it unset.' }),
      },
      "Where the model of a request span that names none (vLLM's) comes from.",
    ),
    showback: Section(
      {
        dimensions: Type.Array(ShowbackDimensionSchema, { default: [], description: 'Cost dimensions written as tollgate.showback.<name> on LLM spans.' }),
        max_values: Type.Integer({
          default: 1000,
          minimum: 1,
          description: 'Distinct values kept per dimension; spans with further values get overflow_value.',
        }),
        overflow_value: Type.String({ default: '__overflow__', minLength: 1, description: 'Value of a dimension past max_values.' }),
      },
      'Cost dimensions (tenant, user, app, ...) resolved on every LLM span, with a cardinality limit per dimension.',
    ),
  },
  {
    additionalProperties: false,
    description:
      "Normalizes LLM spans (vLLM, OpenLLMetry, OpenLIT, OpenInference, older GenAI names) to the current OpenTelemetry GenAI conventions, names the model of spans that carry none, resolves showback dimensions and derives TTFT, inter-token latency and throughput; in metrics pipelines learns each engine instance's model.",
  },
);
export type GenaiConfig = Static<typeof GenaiSchema>;

export function validateGenai(c: GenaiConfig): string[] {
  const names = c.showback.dimensions.map((d) => d.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  const out = dup !== undefined ? [`showback.dimensions: "${dup}" is listed twice`] : [];
  const srcs = c.model_identity.sources;
  const dupSrc = srcs.find((n, i) => srcs.indexOf(n) !== i);
  if (dupSrc !== undefined) out.push(`model_identity.sources: "${dupSrc}" is listed twice`);
  return out;
}
