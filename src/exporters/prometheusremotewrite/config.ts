import { AuthSchema } from '../../component/auth.js';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section, TlsClientSchema } from '../../config/types.js';
import { QueueSchema } from '../../exporterhelper/config.js';

/**
 * Collector key names and defaults (contrib prometheusremotewrite exporter)
 * where they exist; Tollgate's own keys: `tenant`, `max_batch_samples`,
 * `protocol_version`, `promote_resource_attributes`, `delta_to_cumulative`,
 * and `sending_queue.storage` (the persistent queue).
 */
export const PrwExporterSchema = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, description: 'Remote-write URL, e.g. http://thanos-receive:19291/api/v1/receive.' }),
    auth: Type.Optional(AuthSchema),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Extra request headers. Content-Encoding, Content-Type, User-Agent and the version header are fixed.',
    }),
    external_labels: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Labels added to every series that does not already have them.',
    }),
    timeout: Duration('5s', 'Deadline of one HTTP request.'),
    tls: Type.Optional(TlsClientSchema),
    remote_write_queue: Section(
      {
      enabled: Type.Boolean({ default: true, description: 'Queue requests; off: the pipeline waits for the send.' }),
      queue_size: Type.Integer({ default: 10000, minimum: 1, description: 'Capacity of the queue, in incoming requests; full: receivers answer 503.' }),
      num_consumers: Type.Integer({
        default: 5,
        minimum: 1,
        maximum: 256,
        description: 'Shards: requests on their way at once, at most. A series always goes to the same shard, which has one batch on its way at a time, so its samples arrive in order; a batch gathers the waiting data of every idle shard.',
      }),

      },
      'The queue in front of the shards (parallel ordered senders).',
    ),
    sending_queue: Section(
      { storage: QueueSchema.properties.storage },
      'Only `storage`: selects the persistent (on-disk) queue in place of the memory one; size and consumers come from remote_write_queue, and one request is in the shards at a time.',
    ),
    retry_on_failure: Section({
      enabled: Type.Boolean({ default: true, description: 'false: one attempt.' }),
      initial_interval: Duration('50ms', "Wait after the first failure (the collector's remote-write defaults)."),
      randomization_factor: Type.Number({ default: 0.5, minimum: 0, maximum: 1, description: 'Jitter: each wait is drawn from interval × [1 − f, 1 + f].' }),
      multiplier: Type.Number({ default: 1.5, minimum: 1, description: 'Growth of the interval.' }),
      max_interval: Duration('200ms', 'Upper bound of one wait (a 429/503 Retry-After may ask for longer).'),
      max_elapsed_time: Duration('1m', 'Give up on a batch after this long, counting it dropped (TG_RETRIES_EXHAUSTED); 0 retries forever. With sending_queue.storage batches are retried until delivered.'),
    }),
    tenant: Section({
      header: Type.String({ default: 'THANOS-TENANT', minLength: 1, description: 'Header carrying the tenant.' }),
      value: Type.Optional(Type.String({ description: 'Static tenant; with from_context, used when the data has none.' })),
      from_context: Type.Boolean({ default: false, description: 'Send the tenant the data arrived with (remote-write receiver tenant header, Kafka tollgate-tenant header).' }),
    }, 'Which tenant each request is written to.'),
    max_batch_samples: Type.Integer({ default: 2000, minimum: 1, description: 'Samples plus native histograms per request, at most.' }),
    max_batch_size_bytes: Type.Integer({ default: 3_000_000, minimum: 1024, description: 'Uncompressed request size, at most (a single larger series is still sent alone).' }),
    protocol_version: Type.Literal(1, { default: 1, description: 'Remote-write protocol sent: 1 (1.0); 2.0 output is not offered yet.' }),
    // OTLP → Prometheus translation (only for metrics that arrive as OTLP).
    namespace: Type.String({ default: '', description: 'Prefix of every metric name translated from OTLP.' }),
    add_metric_suffixes: Type.Boolean({ default: true, description: 'Unit and type suffixes (_seconds, _total, _ratio) on names translated from OTLP.' }),
    resource_to_telemetry_conversion: Section({ enabled: Type.Boolean({ default: false, description: 'Every resource attribute becomes a label (OTLP input).' }) }),
    target_info: Section({ enabled: Type.Boolean({ default: true, description: 'Write a target_info series per resource (OTLP input).' }) }),
    send_metadata: Type.Boolean({ default: false, description: 'Metadata (TYPE/HELP/UNIT) for metrics translated from OTLP; remote-write input keeps its own metadata.' }),
    promote_resource_attributes: Type.Array(Type.String(), { default: [], description: 'Resource attributes copied onto every translated series as labels.' }),
    delta_to_cumulative: Section({
      enabled: Type.Boolean({ default: false, description: 'Convert OTLP delta sums and histograms to cumulative; off: refuse them, counted as TG_DELTA_TEMPORALITY.' }),
      max_series: Type.Integer({ default: 100000, minimum: 1, description: 'Delta series whose running totals are kept; beyond it TG_DELTA_SERIES_LIMIT.' }),
      max_stale: Duration('5m', 'Forget a series not updated for this long.'),
    }, 'Running totals in memory: a restart reads as a counter reset, and all deltas of a series must reach the same replica.'),
  },
  {
    additionalProperties: false,
    description: 'Remote-write 1.0 to Thanos Receive or Prometheus: series-sharded ordered sending, 4xx never retried, lossless for remote-write input.',
  },
);

export type PrwExporterConfig = Static<typeof PrwExporterSchema>;

/** Labels a config may not add: a remote-write label name must be valid and not reserved. */
export function validatePrwExporter(cfg: unknown): string[] {
  const c = cfg as PrwExporterConfig;
  const out: string[] = [];
  try {
    const u = new URL(c.endpoint);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') out.push(`endpoint: must be an http:// or https:// URL, got ${JSON.stringify(c.endpoint)}`);
  } catch {
    out.push(`endpoint: not a URL: ${JSON.stringify(c.endpoint)} (expected e.g. http://host:19291/api/v1/receive)`);
  }
  for (const k of Object.keys(c.external_labels ?? {})) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || k.startsWith('__')) out.push(`external_labels.${k}: not a valid label name`);
    else if ((c.external_labels[k] ?? '') === '') out.push(`external_labels.${k}: empty value`);
  }
  return out;
}
