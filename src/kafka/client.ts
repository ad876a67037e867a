/**
 * The Kafka client as the exporter and receiver see it. Nothing outside
 * src/kafka imports a Kafka library: this interface is implemented once, over
 * kafkajs (./kafkajs.ts), so another client can replace it without touching the
 * components.
 */
import type { Logger } from 'pino';

export type Compression = 'none' | 'gzip' | 'snappy';

/** `acks`: -1 = all in-sync replicas, 1 = leader only, 0 = no answer. */
export type RequiredAcks = -1 | 0 | 1;

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** TCP connect timeout, ms. */
  connectionTimeoutMs?: number;
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number;
}

export interface ProduceRecord {
  /** Partitioning key: records with one key land on one partition. */
  key?: Buffer | string | null;
  value: Buffer;
  headers?: Readonly<Record<string, string>>;
}

export interface ProducerOptions {
  acks: RequiredAcks;
  /** Idempotent producer (needs acks -1): broker drops duplicates of a retried batch. */
  idempotent: boolean;
  compression: Compression;
  /** How long the broker may wait for the replicas' acks, ms. */
  ackTimeoutMs: number;
  /** Client-level retries of one send (transient broker errors). Small: the exporter stack retries too. */
  retries: number;
  allowAutoTopicCreation: boolean;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  /**
   * Resolves when the broker acknowledged every record (as `acks` says).
   * The caller keeps each record, and each call's total, under the broker's
   * message size limit: one call may become one record batch per partition.
   */
  send(topic: string, records: readonly ProduceRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConsumedRecord {
  /** Decimal string (int64). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as UTF-8 strings (the last one when a header repeats). */
  headers: Record<string, string>;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: readonly ConsumedRecord[];
}

export interface BatchControl {
  /**
   * The record at `offset` (and every one before it in this batch) is done:
   * accepted downstream, or deliberately skipped. Only marked records are
   * committed; anything not marked is read again by whoever owns the
   * partition next.
   */
  markDone(offset: string): void;
  /** Keep the group membership alive during long work (backoff while the pipeline refuses). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition moved: abandon the batch without marking more. */
  active(): boolean;
}

export type BatchHandler = (batch: ConsumedBatch, ctl: BatchControl) => Promise<void>;

export interface ConsumerOptions {
  groupId: string;
  /** Start from the earliest offset when the group has no committed offset; else the latest. */
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  minBytes: number;
  maxBytes: number;
  maxBytesPerPartition: number;
  maxWaitMs: number;
  /** Partitions whose batches are handled at the same time. */
  concurrency: number;
}

export interface ConsumerEvents {
  /** Partitions assigned to this member after a (re)balance. */
  onAssign?(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** The client gave up and will (restart=true) or will not restart by itself. */
  onCrash?(err: Error, restart: boolean): void;
}

export interface KafkaConsumer {
  /**
   * Connects, joins the group, and runs `handler` for each fetched batch until
   * stop(). Resolves true once consuming; false if the first attempt failed,
   * in which case it keeps trying in the background (never gives up while not stopped).
   */
  start(topics: readonly string[], handler: BatchHandler, events?: ConsumerEvents): Promise<boolean>;
  /** Stops fetching, waits for running handlers, commits what they marked, leaves the group. */
  stop(): Promise<void>;
}

export interface KafkaAdmin {
  /** Creates the topic if it does not exist; true if it was created. */
  createTopic(topic: string, partitions: number): Promise<boolean>;
  /** Committed offset per partition of a group on a topic (-1: none). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, string>>;
  close(): Promise<void>;
}

export interface KafkaClient {
  producer(opts: ProducerOptions): KafkaProducer;
  consumer(opts: ConsumerOptions): KafkaConsumer;
  admin(): Promise<KafkaAdmin>;
}

/**
 * A failed client call. `permanent`: sending the same records again cannot
 * succeed (too large, invalid, not authorized); otherwise a later try may.
 */
export class KafkaClientError extends Error {
  override name = 'KafkaClientError';
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The broker's error name (e.g. MESSAGE_TOO_LARGE) or the client's. */
    readonly reason: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}
