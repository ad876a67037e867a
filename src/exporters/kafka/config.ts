import { Type, type Static } from '@sinclair/typebox';
import { Section } from '../../config/types.js';
import { helperProps } from '../../exporterhelper/config.js';

/**
 * Collector key names and defaults (contrib kafka exporter), except
 * `producer.required_acks`, which defaults to -1 (all in-sync replicas, with
 * the idempotent producer) instead of the collector's 1: a gateway that is
 * the durable bus should not lose acknowledged data when a leader fails.
 * Tollgate's own: the `prometheus_remote_write` encoding for metrics.
 */
export type KafkaEncoding = 'otlp_proto' | 'otlp_json' | 'prometheus_remote_write';

const OtlpEncoding = () => Type.Union([Type.Literal('otlp_proto'), Type.Literal('otlp_json')]);
const MetricEncoding = () => Type.Union([Type.Literal('otlp_proto'), Type.Literal('otlp_json'), Type.Literal('prometheus_remote_write')]);

function signalSection<E extends ReturnType<typeof OtlpEncoding> | ReturnType<typeof MetricEncoding>>(topic: string, encoding: E, what: string) {
  return Section({
    topic: Type.String({ default: topic, minLength: 1, description: `Topic ${what} are written to.` }),
    encoding: Type.Optional({ ...encoding, description: `Payload encoding of ${what}; default: the top-level \`encoding\`.` } as E),
  }, `Where ${what} are written.`);
}

export const KafkaExporterSchema = Type.Object(
  {
    brokers: Type.Array(Type.String({ minLength: 1 }), { default: ['localhost:9092'], minItems: 1, description: 'Bootstrap brokers, host:port.' }),
    client_id: Type.String({ default: 'otel-collector', minLength: 1, description: 'Client ID the broker sees.' }),
    protocol_version: Type.Optional(Type.String({ description: 'Accepted for collector configs; the client negotiates versions with the broker.' })),
    encoding: Type.Union([Type.Literal('otlp_proto'), Type.Literal('otlp_json')], { default: 'otlp_proto', description: 'Default payload encoding of every signal.' }),
    traces: signalSection('otlp_spans', OtlpEncoding(), 'spans'),
    metrics: signalSection('otlp_metrics', MetricEncoding(), 'metrics'),
    logs: signalSection('otlp_logs', OtlpEncoding(), 'log records'),
    partition_traces_by_id: Type.Boolean({ default: false, description: 'Key each message by trace ID: all spans of a trace land on one partition (batches are split by trace).' }),
    partition_metrics_by_resource_attributes: Type.Boolean({ default: false, description: 'Key metric messages by a hash of the resource attributes (job/instance labels for remote-write series).' }),
    partition_logs_by_resource_attributes: Type.Boolean({ default: false, description: 'Key log messages by a hash of the resource attributes.' }),
    producer: Section({
      max_message_bytes: Type.Integer({ default: 1_000_000, minimum: 1024, description: 'Largest message, before compression. Batches are split to fit; a single item larger than this is dropped (counted, TG_TOO_LARGE_ITEM).' }),
      required_acks: Type.Union([Type.Literal(-1), Type.Literal(0), Type.Literal(1)], { default: -1, description: '-1: all in-sync replicas (idempotent producer), 1: leader, 0: none. (The collector defaults to 1.)' }),
      compression: Type.Union([Type.Literal('none'), Type.Literal('gzip'), Type.Literal('snappy')], { default: 'none', description: 'Compression of record batches.' }),
      allow_auto_topic_creation: Type.Boolean({ default: true, description: 'Let the broker create a missing topic on first write.' }),
    }),
    ...helperProps('5s'),
  },
  {
    additionalProperties: false,
    description: 'Writes every signal to Kafka topics (OTLP protobuf/JSON, remote-write for metrics), split under max_message_bytes, at-least-once.',
  },
);

export type KafkaExporterConfig = Static<typeof KafkaExporterSchema>;

export function validateKafkaExporter(cfg: unknown): string[] {
  const c = cfg as KafkaExporterConfig;
  const out: string[] = [];
  c.brokers.forEach((b, i) => {
    if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)) out.push(`brokers[${i}]: expected host:port, got ${JSON.stringify(b)}`);
  });
  return out;
}
