import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import type { SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import type { Signal } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ErrorCode } from '../../errors/codes.js';
import { asConsumerError } from '../../errors/consumererror.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { isRefusal } from '../../memory/admission.js';
import type { BatchControl, ConsumedBatch, ConsumedRecord, KafkaConsumer, KafkaProducer } from '../../kafka/client.js';
import {
  HEADER_DLQ_ERROR,
  HEADER_DLQ_OFFSET,
  HEADER_DLQ_PARTITION,
  HEADER_DLQ_TOPIC,
  HEADER_ENCODING,
  HEADER_SIGNAL,
  HEADER_TENANT,
} from '../../kafka/headers.js';
import { createKafkaClient } from '../../kafka/kafkajs.js';
import { countItems } from '../../pdata/count.js';
import type { ReceiverTelemetry } from '../../telemetry/selftelemetry.js';
import type { KafkaReceiverConfig } from './config.js';
import { decodeRecord, RecordDecodeError } from './decode.js';
import { createCapture, type Capture } from '../../capture/index.js';

interface Route {
  signal: Signal;
  next: SignalConsumer<Signal>;
  encoding: string;
}

/**
 * One consumer-group member serving every signal the receiver is configured
 * for (one instance per config, shared by its pipelines).
 *
 * Delivery is at-least-once. Records of a partition go to the pipeline one at
 * a time, in order; a record is marked done (and committed after the batch)
 * only when the pipeline accepted it, or when it was set aside on purpose
 * (undecodable, or refused permanently), counted and logged. A retryable
 * refusal holds the partition: the same record is offered again after a
 * backoff while the group membership is kept alive, so nothing behind it is
 * read (backpressure) and nothing is skipped. If the partition moves to
 * another member meanwhile, the record is left unmarked and the new owner
 * reads it from the last commit.
 */
export class KafkaReceiver implements Component {
  private readonly routes = new Map<Signal, SignalConsumer<Signal>>();
  private readonly byTopic = new Map<string, Route>();
  private readonly tel: ReceiverTelemetry;
  private readonly report: Reporter;
  private readonly wake = new AbortController();
  private consumer: KafkaConsumer | undefined;
  private dlq: KafkaProducer | undefined;
  private started = false;
  private stopped: Promise<void> | undefined;
  private readonly heartbeatMs: number;
  private readonly capture: Capture | undefined;
  private readonly backoff: { initial: number; max: number; multiplier: number; jitter: number };

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: KafkaReceiverConfig,
  ) {
    this.tel = set.telemetry.receiver(set.id, 'kafka');
    // Up to 10 lines per key per 10 s: each bad record's location is logged until a flood, then counted.
    this.report = createReporter(set, { intervalMs: 10_000, burst: 10 });
    this.heartbeatMs = parseDuration(cfg.heartbeat_interval);
    this.capture = createCapture(set, cfg.capture);
    this.backoff = {
      initial: parseDuration(cfg.error_backoff.initial_interval),
      max: parseDuration(cfg.error_backoff.max_interval),
      multiplier: cfg.error_backoff.multiplier,
      jitter: cfg.error_backoff.randomization_factor,
    };
  }

  get isShutDown(): boolean {
    return this.stopped !== undefined;
  }

  attach<S extends Signal>(signal: S, next: SignalConsumer<S>): void {
    this.routes.set(signal, next as unknown as SignalConsumer<Signal>);
  }

  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    const cfg = this.cfg;
    for (const [signal, next] of this.routes) {
      for (const topic of cfg[signal].topics) this.byTopic.set(topic, { signal, next, encoding: cfg[signal].encoding });
    }
    const client = createKafkaClient({ brokers: cfg.brokers, clientId: cfg.client_id, logger: this.set.logger });
    if (cfg.dead_letter_topic) {
      this.dlq = client.producer({ acks: -1, idempotent: false, compression: 'none', ackTimeoutMs: 30_000, retries: 3, allowAutoTopicCreation: true });
    }
    this.consumer = client.consumer({
      groupId: cfg.group_id,
      fromBeginning: cfg.initial_offset === 'earliest',
      sessionTimeoutMs: parseDuration(cfg.session_timeout),
      heartbeatIntervalMs: this.heartbeatMs,
      rebalanceTimeoutMs: parseDuration(cfg.rebalance_timeout),
      minBytes: cfg.min_fetch_size,
      maxBytes: cfg.max_fetch_size,
      maxBytesPerPartition: cfg.max_partition_fetch_size,
      maxWaitMs: parseDuration(cfg.max_fetch_wait),
      concurrency: cfg.max_concurrent_partitions,
    });
    const topics = [...this.byTopic.keys()];
    await this.consumer.start(topics, (b, ctl) => this.handle(b, ctl), {
      onAssign: (assignment) => this.set.logger.info({ group_id: cfg.group_id, assignment }, 'kafka partitions assigned'),
      onCrash: (err, restart) => this.report.problem('error', 'crash', err, { group_id: cfg.group_id, restart }, 'kafka consumer failed; restarting'),
    });
  }

  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.wake.abort();
      await this.consumer?.stop();
      await this.capture?.close();
      await this.dlq?.disconnect().catch(() => {});
    })();
    return this.stopped;
  }

  private async handle(batch: ConsumedBatch, ctl: BatchControl): Promise<void> {
    const route = this.byTopic.get(batch.topic);
    if (!route) {
      this.set.logger.warn({ topic: batch.topic, partition: batch.partition }, 'records from a topic this receiver does not read; left unconsumed');
      return;
    }
    for (const rec of batch.records) {
      if (!ctl.active()) return;
      const encoding = rec.headers[HEADER_ENCODING] ?? route.encoding;
      this.capture?.record({ protocol: 'kafka', signal: route.signal, path: batch.topic, contentType: encoding, tenant: rec.headers[HEADER_TENANT] ?? '', headers: rec.headers, body: rec.value ?? Buffer.alloc(0) });
      const done = await this.deliver(route, batch, rec, encoding, ctl);
      if (!done) return;
      ctl.markDone(rec.offset);
    }
  }

  private decode(route: Route, rec: ConsumedRecord, encoding: string) {
    const said = rec.headers[HEADER_SIGNAL];
    if (said !== undefined && said !== route.signal) {
      throw new RecordDecodeError(`record says it holds ${said}, but its topic is read as ${route.signal}`);
    }
    return decodeRecord(route.signal, encoding, rec.value);
  }

  /** Hands one record to the pipeline until it is accepted or set aside. False: abandoned (stopping, partition moved). */
  private async deliver(route: Route, batch: ConsumedBatch, rec: ConsumedRecord, encoding: string, ctl: BatchControl): Promise<boolean> {
    const tenant = rec.headers[HEADER_TENANT];
    const ctx: RequestContext = tenant ? { receiver: this.set.id, tenant } : { receiver: this.set.id };
    let delay = this.backoff.initial;
    for (let attempt = 1; ; attempt++) {
      // The record takes its bytes from the admission budget while the pipeline has it; no room: wait, holding the partition.
      const ticket = this.set.telemetry.admission.open();
      const refusal = isRefusal(ticket) ? ticket : ticket.add(rec.value?.length ?? 0);
      if (refusal && !refusal.tooLarge) {
        if (!isRefusal(ticket)) ticket.release();
        this.report.problem('warn', `admission:${batch.topic}`, undefined, { topic: batch.topic, partition: batch.partition, offset: rec.offset, code: refusal.code }, 'kafka record waits for room in the admission budget');
        if (!(await this.pause(refusal.retryAfterMs, ctl))) return false;
        continue;
      }
      try {
        const done = await this.attempt(route, batch, rec, encoding, ctl, ctx, attempt, delay);
        if (done !== 'retry') return done;
      } finally {
        if (!isRefusal(ticket)) ticket.release();
      }
      delay = Math.min(delay * this.backoff.multiplier, this.backoff.max);
    }
  }

  /** One attempt to hand a record to the pipeline: true/false as deliver(), 'retry' after a retryable refusal and its wait. */
  private async attempt(route: Route, batch: ConsumedBatch, rec: ConsumedRecord, encoding: string, ctl: BatchControl, ctx: RequestContext, attempt: number, delay: number): Promise<boolean | 'retry'> {
    const { signal } = route;
    {
      let data;
      try {
        // Decoded afresh for every attempt: the pipeline owned the previous copy.
        data = this.decode(route, rec, encoding);
      } catch (err) {
        return this.setAside(route, batch, rec, encoding, err as Error, ctl);
      }
      const items = countItems(signal, data as never);
      try {
        await route.next.consume(data, ctx);
        this.tel.accepted(signal, items);
        return true;
      } catch (e) {
        const err = asConsumerError(e);
        this.tel.refused(signal, items);
        const where = { topic: batch.topic, partition: batch.partition, offset: rec.offset };
        if (err.kind === 'permanent') {
          // No retry can succeed: count the loss and move past the record.
          this.report.drop({ signal, code: err.code, items, err, fields: where, key: `drop:${err.code}:${batch.topic}:${batch.partition}` }, 'pipeline refused a kafka record permanently; dropped and committed past it');
          return true;
        }
        const wait = err.retryAfterMs ?? this.jitter(delay);
        this.report.problem(
          'warn',
          `refused:${batch.topic}:${batch.partition}`,
          err,
          { ...where, signal, items, code: err.code, attempt, retry_in_ms: Math.round(wait) },
          'pipeline refused a kafka record; holding the partition and retrying it',
        );
        if (!(await this.pause(wait, ctl))) return false;
        return 'retry';
      }
    }
  }

  /** Undecodable: count, log where it is, copy it to the dead-letter topic if configured, skip it. */
  private async setAside(route: Route, batch: ConsumedBatch, rec: ConsumedRecord, encoding: string, err: Error, ctl: BatchControl): Promise<boolean> {
    this.report.drop(
      {
        signal: route.signal,
        code: ErrorCode.DECODE,
        items: 1,
        err,
        fields: { topic: batch.topic, partition: batch.partition, offset: rec.offset, encoding, dead_letter_topic: this.cfg.dead_letter_topic },
        key: `decode:${batch.topic}:${batch.partition}`,
      },
      'undecodable kafka record skipped',
    );
    if (!this.dlq || !this.cfg.dead_letter_topic) return true;
    const headers = {
      ...rec.headers,
      [HEADER_DLQ_TOPIC]: batch.topic,
      [HEADER_DLQ_PARTITION]: String(batch.partition),
      [HEADER_DLQ_OFFSET]: rec.offset,
      [HEADER_DLQ_ERROR]: err.message.slice(0, 1000),
    };
    let delay = this.backoff.initial;
    for (;;) {
      try {
        await this.dlq.send(this.cfg.dead_letter_topic, [{ key: rec.key, value: rec.value ?? Buffer.alloc(0), headers }]);
        return true;
      } catch (e) {
        // Not skipped until it is safely in the dead-letter topic.
        this.report.problem('warn', 'dlq', e, { topic: this.cfg.dead_letter_topic }, 'could not write to the dead-letter topic; retrying');
        if (!(await this.pause(this.jitter(delay), ctl))) return false;
        delay = Math.min(delay * this.backoff.multiplier, this.backoff.max);
      }
    }
  }

  private jitter(ms: number): number {
    const f = this.backoff.jitter;
    return ms * (1 - f + Math.random() * 2 * f);
  }

  /** Waits `ms` while heartbeating; a rebalance error from heartbeat propagates so the client rejoins. */
  private async pause(ms: number, ctl: BatchControl): Promise<boolean> {
    const until = Date.now() + ms;
    while (ctl.active()) {
      const left = until - Date.now();
      if (left <= 0) return true;
      await sleep(Math.min(left, this.heartbeatMs), this.wake.signal);
      await ctl.heartbeat();
    }
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
