import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section, parseDuration } from '../../config/types.js';
import { CaptureSchema } from '../../capture/index.js';

/**
 * Collector key names and defaults (contrib kafka receiver) where they exist.
 * Delivery is always at-least-once: offsets are committed only for records the
 * pipeline accepted (or that were skipped on purpose), so the collector's
 * `autocommit` and `message_marking` switches have no counterpart here.
 * Tollgate's own: `dead_letter_topic`, `rebalance_timeout`,
 * `max_concurrent_partitions`, and `error_backoff` always on.
 */
const OtlpEncoding = () => Type.Union([Type.Literal('otlp_proto'), Type.Literal('otlp_json')]);
const MetricEncoding = () => Type.Union([Type.Literal('otlp_proto'), Type.Literal('otlp_json'), Type.Literal('prometheus_remote_write')]);

function signalSection<E extends ReturnType<typeof OtlpEncoding> | ReturnType<typeof MetricEncoding>>(topic: string, encoding: E, what: string) {
  return Section({
    topics: Type.Array(Type.String({ minLength: 1 }), { default: [topic], minItems: 1, description: `Topics ${what} are read from.` }),
    encoding: { ...encoding, default: 'otlp_proto', description: `Payload encoding of ${what} when a record has no tollgate-encoding header (the header wins).` } as E,
  }, `Where ${what} are read from.`);
}

export const KafkaReceiverSchema = Type.Object(
  {
    brokers: Type.Array(Type.String({ minLength: 1 }), { default: ['localhost:9092'], minItems: 1, description: 'Bootstrap brokers, host:port.' }),
    client_id: Type.String({ default: 'otel-collector', minLength: 1, description: 'Client ID the broker sees.' }),
    group_id: Type.String({ default: 'otel-collector', minLength: 1, description: 'Consumer group: gateways with one group_id share the partitions.' }),
    protocol_version: Type.Optional(Type.String({ description: 'Accepted for collector configs; the client negotiates versions with the broker.' })),
    initial_offset: Type.Union([Type.Literal('latest'), Type.Literal('earliest')], { default: 'latest', description: 'Where a group without committed offsets starts.' }),
    traces: signalSection('otlp_spans', OtlpEncoding(), 'spans'),
    metrics: signalSection('otlp_metrics', MetricEncoding(), 'metrics'),
    logs: signalSection('otlp_logs', OtlpEncoding(), 'log records'),
    session_timeout: Duration('10s', 'A member silent this long is removed from the group (broker bounds: 6s to 5m by default).'),
    heartbeat_interval: Duration('3s', 'How often the member tells the group it is alive; shorter than session_timeout.'),
    rebalance_timeout: Duration('60s', 'How long the group waits for members to rejoin during a rebalance.'),
    min_fetch_size: Type.Integer({ default: 1, minimum: 1, description: 'Least bytes a fetch waits for (up to max_fetch_wait).' }),
    max_fetch_size: Type.Integer({ default: 1_048_576, minimum: 1, description: 'Most bytes one fetch returns.' }),
    max_partition_fetch_size: Type.Integer({ default: 1_048_576, minimum: 1, description: 'Most bytes one fetch returns per partition.' }),
    max_fetch_wait: Duration('250ms', 'Longest the broker waits for min_fetch_size before answering a fetch.'),
    max_concurrent_partitions: Type.Integer({ default: 3, minimum: 1, description: 'Partitions whose records are handed to the pipeline at the same time (records of one partition always in order).' }),
    dead_letter_topic: Type.Optional(Type.String({ minLength: 1, description: 'Undecodable records are copied here, with tollgate-dlq-topic, -partition, -offset and -error headers, before they are skipped.' })),
    capture: Type.Optional(CaptureSchema),
    error_backoff: Section(
      {
        initial_interval: Duration('100ms', 'Wait after the pipeline first refuses a record (retryable).'),
        max_interval: Duration('5s', 'Upper bound of one wait.'),
        multiplier: Type.Number({ default: 2, minimum: 1, description: 'Growth of the wait after each refusal.' }),
        randomization_factor: Type.Number({ default: 0.2, minimum: 0, maximum: 1, description: 'Jitter: each wait is drawn from interval × [1 − f, 1 + f].' }),
      },
      'Wait between offers of a record the pipeline refused (retryable); the partition is held meanwhile.',
    ),
  },
  { additionalProperties: false, description: 'Reads OTLP and remote-write records from Kafka topics, committing offsets only for what the pipeline accepted.' },
);

export type KafkaReceiverConfig = Static<typeof KafkaReceiverSchema>;

export function validateKafkaReceiver(c: KafkaReceiverConfig): string[] {
  const out: string[] = [];
  c.brokers.forEach((b, i) => {
    if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)) out.push(`brokers[${i}]: expected host:port, got ${JSON.stringify(b)}`);
  });
  const owner = new Map<string, string>();
  for (const s of ['traces', 'metrics', 'logs'] as const) {
    for (const t of c[s].topics) {
      const o = owner.get(t);
      if (o && o !== s) out.push(`${s}.topics: topic "${t}" is also a ${o} topic; a topic carries one signal`);
      owner.set(t, s);
    }
  }
  if (parseDuration(c.heartbeat_interval) >= parseDuration(c.session_timeout)) {
    out.push(`heartbeat_interval: must be shorter than session_timeout (${c.session_timeout})`);
  }
  if (c.dead_letter_topic && owner.has(c.dead_letter_topic)) out.push(`dead_letter_topic: "${c.dead_letter_topic}" is also read by this receiver`);
  return out;
}
