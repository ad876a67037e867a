import type { RequestContext } from '../../component/context.js';
import type { CreateSettings, Exporter } from '../../component/factory.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ErrorCode } from '../../errors/codes.js';
import { permanentError, retryableError, ConsumerError } from '../../errors/consumererror.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import { PartialSendError } from '../../exporterhelper/send.js';
import { KafkaClientError, type KafkaProducer, type ProduceRecord } from '../../kafka/client.js';
import { HEADER_ENCODING, HEADER_SIGNAL, HEADER_TENANT } from '../../kafka/headers.js';
import { createKafkaClient } from '../../kafka/kafkajs.js';
import type { KafkaExporterConfig } from './config.js';
import { createReporter } from '../../telemetry/report.js';
import { planner, type Plan } from './plan.js';
import type { Message } from './split.js';

/** Record overhead beside key, value and headers (attributes, varints, timestamp delta), rounded up. */
const RECORD_OVERHEAD = 64;

/** One produce call: records that go out together, and the messages they came from. */
interface Call<T> {
  records: ProduceRecord[];
  messages: Message<T>[];
}

/**
 * The kafka exporter of one signal: the shared exporter stack (queue → retry →
 * timeout) around a send that writes the batch as one or more records.
 */
export function createKafkaExporter<S extends Signal>(set: CreateSettings, signal: S, cfg: KafkaExporterConfig): Exporter<S> {
  const plan = planner(signal, cfg);
  const topic = cfg[signal].topic;
  const max = cfg.producer.max_message_bytes;
  const timeoutMs = parseDuration(cfg.timeout);
  const report = createReporter(set);
  let producer: KafkaProducer | undefined;

  function calls(p: Plan<SignalData[S]>, ctx: RequestContext): Call<SignalData[S]>[] {
    const headers: Record<string, string> = { [HEADER_SIGNAL]: signal, [HEADER_ENCODING]: p.encoding };
    if (ctx.tenant) headers[HEADER_TENANT] = ctx.tenant;
    // One produce call becomes one record batch per partition, which the broker
    // checks whole against its message.max.bytes: keep each call under the limit.
    const out: Call<SignalData[S]>[] = [];
    let cur: Call<SignalData[S]> = { records: [], messages: [] };
    let bytes = 0;
    for (const m of p.messages) {
      const size = m.value.length + (m.key?.length ?? 0) + RECORD_OVERHEAD;
      if (cur.records.length > 0 && bytes + size > max) {
        out.push(cur);
        cur = { records: [], messages: [] };
        bytes = 0;
      }
      cur.records.push(m.key === undefined ? { value: m.value, headers } : { key: m.key, value: m.value, headers });
      cur.messages.push(m);
      bytes += size;
    }
    if (cur.records.length > 0) out.push(cur);
    return out;
  }

  function headerBytes(ctx: RequestContext): number {
    return HEADER_SIGNAL.length + signal.length + HEADER_ENCODING.length + 23 + (ctx.tenant ? HEADER_TENANT.length + Buffer.byteLength(ctx.tenant) : 0) + 8;
  }

  /** Counts and logs what the plan could not send (the stack counts only whole-request failures). */
  function reportDrops(p: Plan): void {
    for (const d of p.converted) {
      report.drop({ signal, code: d.reason, items: d.count, level: 'warn' }, 'points could not be translated to remote-write; dropped');
    }
    if (p.tooLargeItems > 0) {
      report.drop(
        { signal, code: ErrorCode.TOO_LARGE_ITEM, items: p.tooLargeItems, fields: { bytes: p.tooLargeBytes, max_message_bytes: max, topic } },
        'an item alone is larger than producer.max_message_bytes; dropped (never retried)',
      );
    }
  }

  /**
   * Writes the batch as produce calls, in order. Drops the plan decided (items over the size limit,
   * points remote-write cannot hold) are reported once, when this attempt is over; when a call fails, what is not yet
   * written goes back to the stack as the remainder (PartialSendError), so a retry, or the persistent
   * queue after a restart, sends only that. At the timeout it stops between calls.
   */
  async function send(data: SignalData[S], ctx: RequestContext, abort: AbortSignal): Promise<void> {
    const prod = producer;
    if (!prod) throw retryableError(ErrorCode.SHUTTING_DOWN, 'kafka exporter is not started');
    const extra = headerBytes(ctx) + RECORD_OVERHEAD;
    const p = plan(data, (k) => max - extra - (k?.length ?? 0));
    const todo = calls(p, ctx);
    if (todo.length === 0 && p.tooLargeItems > 0 && p.converted.length === 0) {
      throw permanentError(ErrorCode.TOO_LARGE_ITEM, `every item is larger than producer.max_message_bytes (${max}); the largest encodes to ${p.tooLargeBytes} bytes`);
    }
    let done = 0;
    try {
      for (const call of todo) {
        if (abort.aborted) throw retryableError(ErrorCode.EXPORT_TIMEOUT, `kafka send did not finish within ${timeoutMs} ms`);
        await prod.send(topic, call.records);
        done++;
      }
    } catch (err) {
      const e = asExportError(err);
      const left = todo.slice(done).flatMap((c) => c.messages);
      throw new PartialSendError(e, { data: p.merge(left), ctx, items: left.reduce((n, m) => n + m.items, 0) });
    } finally {
      // Once this attempt is over (the remainder it may hand back holds none of these items).
      reportDrops(p);
    }
  }

  return createExporter(set, signal, cfg, send, {
    // send() stops between produce calls at the timeout and hands back the rest: wait for it.
    settlesOnAbort: true,
    async start() {
      const client = createKafkaClient({
        brokers: cfg.brokers,
        clientId: cfg.client_id,
        logger: set.logger,
        requestTimeoutMs: Math.max(timeoutMs, 1000) + 5000,
      });
      producer = client.producer({
        acks: cfg.producer.required_acks,
        idempotent: cfg.producer.required_acks === -1,
        compression: cfg.producer.compression,
        ackTimeoutMs: timeoutMs > 0 ? timeoutMs : 30_000,
        retries: 5, // ~3 s of client retries (e.g. while a new topic is created), inside the 5 s default timeout
        allowAutoTopicCreation: cfg.producer.allow_auto_topic_creation,
      });
      // Connect now, but do not hold the service back if Kafka is down: the queue keeps the data.
      producer.connect().catch((err: unknown) => set.logger.warn({ brokers: cfg.brokers, err }, 'kafka not reachable yet; will retry when sending'));
    },
    async shutdown() {
      const p = producer;
      producer = undefined;
      await p?.disconnect().catch(() => {});
    },
  });
}

function asExportError(err: unknown): ConsumerError {
  if (err instanceof ConsumerError) return err;
  if (err instanceof KafkaClientError) {
    const msg = `kafka: ${err.reason}: ${err.message}`;
    return err.permanent ? permanentError(ErrorCode.EXPORT_PERMANENT, msg, { cause: err }) : retryableError(ErrorCode.EXPORT_RETRYABLE, msg, { cause: err });
  }
  return retryableError(ErrorCode.EXPORT_RETRYABLE, `kafka: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
