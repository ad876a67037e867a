/**
 * KafkaClient over kafkajs 2.2: client, producer, admin here, the consumer in
 * kafkajs-consumer.ts; no other file imports kafkajs.
 *
 * kafkajs facts this module relies on (read from its 2.2.4 source):
 * - an idempotent producer defaults to unlimited retries and holds a lock per
 *   broker, so one produce request per broker is in flight: retries are capped
 *   here and the exporter's retry stack takes over (a send never hangs forever);
 * - one send() becomes one record batch per partition, checked whole against
 *   the broker's message.max.bytes: callers keep a call's total under it;
 * - with autoCommit off, eachBatch's commitOffsetsIfNecessary(offsets) commits
 *   directly (consumer.commitOffsets is a no-op once stop() began), and the next
 *   fetch of a partition starts after the last resolved offset.
 */
import kafkajs from 'kafkajs';
import type { IHeaders, Kafka as KjsKafka, LogEntry, Producer as KjsProducer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkajsSnappyCodec } from './snappy.js';
import { KafkaClientError } from './client.js';
import type { Compression, KafkaAdmin, KafkaClient, KafkaClientOptions, KafkaProducer, ProduceRecord, ProducerOptions } from './client.js';
import { JsConsumer } from './kafkajs-consumer.js';

const { Kafka, CompressionTypes, CompressionCodecs, Partitioners, logLevel } = kafkajs;

// kafkajs has no snappy codec of its own; the registry is global to the package.
(CompressionCodecs as Record<number, () => unknown>)[CompressionTypes.Snappy] = kafkajsSnappyCodec;

const COMPRESSION: Record<Compression, number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
};

// Messages kafkajs logs that say nothing useful here: the retry cap is deliberate
// (see above) and the partitioner is chosen explicitly.
const QUIET = [/Limiting retries for the idempotent producer/];

function logCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = log as { message: string; [k: string]: unknown };
      const fields = { kafka: namespace, ...extra };
      if (QUIET.some((re) => re.test(message))) return logger.debug(fields, message);
      // kafkajs logs every error response and socket error at ERROR from its Connection layer,
      // retried ones included; the components report failures that matter (rate-limited).
      if (namespace === 'Connection' && level <= logLevel.WARN) return logger.debug(fields, message);
      switch (level) {
        case logLevel.ERROR:
          return logger.error(fields, message);
        case logLevel.WARN:
          return logger.warn(fields, message);
        case logLevel.INFO:
          return logger.info(fields, message);
        default:
          return logger.debug(fields, message);
      }
    };
}

function pinoToKafkaLevel(logger: Logger): number {
  switch (logger.level) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'silent':
      return logLevel.NOTHING;
    default:
      return logLevel.ERROR;
  }
}

export function createKafkaClient(opts: KafkaClientOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    logLevel: pinoToKafkaLevel(opts.logger),
    logCreator: logCreator(opts.logger),
    // Cluster-level retries (metadata, connect): modest, so failures surface to the caller's own policy.
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5000 },
  });
  return {
    producer: (p) => new JsProducer(kafka, p),
    consumer: (c) => new JsConsumer(kafka, c, opts.logger),
    admin: async () => {
      const admin = kafka.admin();
      await admin.connect();
      return new JsAdmin(admin);
    },
  };
}

class JsProducer implements KafkaProducer {
  private readonly producer: KjsProducer;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private readonly compression: number;

  constructor(
    kafka: KjsKafka,
    private readonly opts: ProducerOptions,
  ) {
    this.compression = COMPRESSION[opts.compression];
    this.producer = kafka.producer({
      // murmur2 on the key, as the Java client partitions. (The collector's default hasher is
      // Sarama's FNV-1a, so one key may land on another partition than a collector would pick.)
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: opts.idempotent,
      // One request in flight keeps records of a partition in order across retries.
      maxInFlightRequests: opts.idempotent ? undefined : 1,
      allowAutoTopicCreation: opts.allowAutoTopicCreation,
      retry: { retries: Math.max(opts.idempotent ? 1 : 0, opts.retries), initialRetryTime: 100, maxRetryTime: 2000 },
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connecting = undefined;
    });
  }

  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new KafkaClientError('producer is closed', false, 'CLOSED'));
    if (!this.connecting) {
      this.connecting = this.producer.connect().catch((err: unknown) => {
        this.connecting = undefined;
        throw err;
      });
    }
    return this.connecting;
  }

  async send(topic: string, records: readonly ProduceRecord[]): Promise<void> {
    try {
      await this.connect();
      await this.producer.send({
        topic,
        acks: this.opts.acks,
        timeout: this.opts.ackTimeoutMs,
        compression: this.compression,
        messages: records as ProduceRecord[] as { key?: Buffer | string | null; value: Buffer; headers?: IHeaders }[],
      });
    } catch (err) {
      throw classify(err);
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    // A connect still under way would open sockets after disconnect() returned: let it settle first.
    const c = this.connecting;
    this.connecting = undefined;
    await c?.catch(() => {});
    await this.producer.disconnect();
  }
}

// Broker answers that no retry can fix.
const PERMANENT = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/** kafkajs wraps the broker's error (retries exceeded, non-retriable) in `cause`; find its type. */
function classify(err: unknown): KafkaClientError {
  let e = err as { name?: string; message?: string; type?: string; cause?: unknown } | undefined;
  const message = (err as Error)?.message ?? String(err);
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.type) return new KafkaClientError(message, PERMANENT.has(e.type), e.type, { cause: err });
    e = e.cause as typeof e;
  }
  const name = (err as Error)?.name ?? 'Error';
  return new KafkaClientError(message, false, name, { cause: err });
}

class JsAdmin implements KafkaAdmin {
  constructor(private readonly admin: ReturnType<KjsKafka['admin']>) {}

  createTopic(topic: string, partitions: number): Promise<boolean> {
    return this.admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
    const res = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const out = new Map<number, string>();
    for (const t of res) for (const p of t.partitions) out.set(p.partition, p.offset);
    return out;
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
