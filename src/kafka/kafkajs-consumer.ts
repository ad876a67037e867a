/**
 * The consumer half of the kafkajs client (see kafkajs.ts for the facts relied on):
 * a group member that hands each fetched batch to the handler, commits only what
 * the handler marked done, and restarts itself after any crash until stopped.
 */
import type { Consumer as KjsConsumer, EachBatchPayload, IHeaders, Kafka as KjsKafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { BatchHandler, ConsumedRecord, ConsumerEvents, ConsumerOptions, KafkaConsumer } from './client.js';

/** Wait before starting again after a failed start or a crash kafkajs does not recover from. */
const RESTART_DELAY_MS = 3000;

function headerStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k in h) {
    let v = h[k];
    if (Array.isArray(v)) v = v[v.length - 1];
    if (v !== undefined) out[k] = typeof v === 'string' ? v : v.toString('utf8');
  }
  return out;
}

/**
 * KRaft brokers answer a metadata request that auto-creates a topic with
 * UNKNOWN_TOPIC_OR_PARTITION (ZooKeeper-mode brokers said LEADER_NOT_AVAILABLE),
 * and kafkajs' subscribe() retries only the latter: ask again while the topic
 * is being created.
 */
async function subscribe(consumer: KjsConsumer, topics: readonly string[], fromBeginning: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning });
      return;
    } catch (err) {
      if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export class JsConsumer implements KafkaConsumer {
  private consumer: KjsConsumer | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private launching: Promise<void> | undefined;

  constructor(
    private readonly kafka: KjsKafka,
    private readonly opts: ConsumerOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs until stop(). Resolves true once consuming, or false when the first
   * attempt failed (broker unreachable): attempts then go on in the background
   * every few seconds, as they do after a crash kafkajs will not restart from.
   */
  async start(topics: readonly string[], handler: BatchHandler, events: ConsumerEvents = {}): Promise<boolean> {
    try {
      await this.tracked(this.launch(topics, handler, events));
      return true;
    } catch (err) {
      this.logger.warn({ err }, 'kafka consumer could not start; retrying in the background');
      this.scheduleRestart(topics, handler, events, err as Error);
      return false;
    }
  }

  private scheduleRestart(topics: readonly string[], handler: BatchHandler, events: ConsumerEvents, cause: Error): void {
    if (this.stopping || this.restartTimer) return;
    events.onCrash?.(cause, true);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.tracked(this.launch(topics, handler, events)).catch((err: Error) => this.scheduleRestart(topics, handler, events, err));
    }, RESTART_DELAY_MS);
    this.restartTimer.unref?.();
  }

  /** stop() waits for a launch under way, so no consumer is left running behind it. */
  private tracked(p: Promise<void>): Promise<void> {
    const t = p.finally(() => {
      if (this.launching === t) this.launching = undefined;
    });
    this.launching = t;
    return t;
  }

  private async launch(topics: readonly string[], handler: BatchHandler, events: ConsumerEvents): Promise<void> {
    const old = this.consumer;
    this.consumer = undefined;
    await old?.disconnect().catch(() => {});
    const o = this.opts;
    const consumer = this.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: o.heartbeatIntervalMs,
      rebalanceTimeout: o.rebalanceTimeoutMs,
      minBytes: o.minBytes,
      maxBytes: o.maxBytes,
      maxBytesPerPartition: o.maxBytesPerPartition,
      maxWaitTimeInMs: o.maxWaitMs,
      allowAutoTopicCreation: true,
      // kafkajs restarts a consumer that crashed on a retriable error after a backoff.
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000, restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      events.onAssign?.(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      if (restart || this.stopping) events.onCrash?.(error, restart);
      // kafkajs gives up on errors it deems not retriable; a gateway must not stop reading.
      else if (this.consumer === consumer) this.scheduleRestart(topics, handler, events, error);
    });
    if (this.stopping) return;
    await consumer.connect();
    await subscribe(consumer, topics, o.fromBeginning);
    if (this.stopping) return;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.concurrency,
      eachBatch: (p) => this.eachBatch(p, handler),
    });
  }

  private async eachBatch(p: EachBatchPayload, handler: BatchHandler): Promise<void> {
    const { batch } = p;
    const records: ConsumedRecord[] = new Array(batch.messages.length);
    for (let i = 0; i < batch.messages.length; i++) {
      const m = batch.messages[i]!;
      records[i] = { offset: m.offset, key: m.key, value: m.value, headers: headerStrings(m.headers) };
    }
    let marked = false;
    try {
      await handler(
        { topic: batch.topic, partition: batch.partition, records },
        {
          markDone: (offset) => {
            p.resolveOffset(offset);
            marked = true;
          },
          heartbeat: () => p.heartbeat(),
          active: () => !this.stopping && p.isRunning() && !p.isStale(),
        },
      );
    } finally {
      if (marked) await this.commit(p, batch.topic, batch.partition);
    }
  }

  /** Commits this partition's resolved offset (kafkajs keeps it as "next offset to read"). */
  private async commit(p: EachBatchPayload, topic: string, partition: number): Promise<void> {
    const mine = p.uncommittedOffsets().topics.find((t) => t.topic === topic);
    const part = mine?.partitions.find((x) => Number(x.partition) === partition);
    if (!part) return;
    try {
      await p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: part.offset }] }] });
    } catch (err) {
      // Not committed: the records are read again by whoever owns the partition (at-least-once).
      this.logger.warn({ topic, partition, offset: part.offset, err }, 'offset commit failed; records will be redelivered');
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.launching?.catch(() => {});
    const c = this.consumer;
    this.consumer = undefined;
    if (!c) return;
    await c.stop().catch(() => {});
    await c.disconnect().catch(() => {});
  }
}
