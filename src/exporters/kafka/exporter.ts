import type { RequestContext } from '../../component/context.js';
import type { CreateSettings, Exporter } from '../../component/factory.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ErrorCode } from '../../errors/codes.js';
import { permanentError, retryableError, ConsumerError } from '../../errors/consumererror.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import { KafkaClientError, type KafkaProducer, type ProduceRecord } from '../../kafka/client.js';
import { HEADER_ENCODING, HEADER_SIGNAL, HEADER_TENANT } from '../../kafka/headers.js';
import { createKafkaClient } from '../../kafka/kafkajs.js';
import type { KafkaExporterConfig } from './config.js';
import { createReporter } from '../../telemetry/report.js';
import { planner, type Plan } from './plan.js';

/** Record overhead beside key, value and headers (attributes, varints, timestamp delta), rounded up. */
const RECORD_OVERHEAD = 64;

/**
 * A request on its way: its messages, cut into produce calls, and how many of
 * those calls the broker already acknowledged. A retry of the same request
 * (the retry layer hands the same data object back) resumes after them rather
 * than writing them twice.
 */
interface Progress {
  plan: Plan;
  calls: ProduceRecord[][];
  done: number;
  running?: Promise<void>;
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
  const progress = new WeakMap<object, Progress>();
  const report = createReporter(set);
  let producer: KafkaProducer | undefined;

  function calls(p: Plan, ctx: RequestContext): ProduceRecord[][] {
    const headers: Record<string, string> = { [HEADER_SIGNAL]: signal, [HEADER_ENCODING]: p.encoding };
    if (ctx.tenant) headers[HEADER_TENANT] = ctx.tenant;
    // One produce call becomes one record batch per partition, which the broker
    // checks whole against its message.max.bytes: keep each call under the limit.
    const out: ProduceRecord[][] = [];
    let cur: ProduceRecord[] = [];
    let bytes = 0;
    for (const m of p.messages) {
      const size = m.value.length + (m.key?.length ?? 0) + RECORD_OVERHEAD;
      if (cur.length > 0 && bytes + size > max) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(m.key === undefined ? { value: m.value, headers } : { key: m.key, value: m.value, headers });
      bytes += size;
    }
    if (cur.length > 0) out.push(cur);
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

  async function send(data: SignalData[S], ctx: RequestContext, abort: AbortSignal): Promise<void> {
    if (!producer) throw retryableError(ErrorCode.SHUTTING_DOWN, 'kafka exporter is not started');
    const key = data as object;
    let pr = progress.get(key);
    // A previous attempt timed out but its produce call may still be under way: let it settle first.
    if (pr?.running) await pr.running.catch(() => {});
    if (!pr) {
      const extra = headerBytes(ctx) + RECORD_OVERHEAD;
      const p = plan(data, (k) => max - extra - (k?.length ?? 0));
      pr = { plan: p, calls: calls(p, ctx), done: 0 };
      if (pr.calls.length === 0) {
        if (p.tooLargeItems > 0 && p.converted.length === 0) {
          throw permanentError(ErrorCode.TOO_LARGE_ITEM, `every item is larger than producer.max_message_bytes (${max}); the largest encodes to ${p.tooLargeBytes} bytes`);
        }
        reportDrops(p);
        return;
      }
      progress.set(key, pr);
    }
    const state = pr;
    const run = (async () => {
      const prod = producer!;
      while (state.done < state.calls.length) {
        if (abort.aborted) throw retryableError(ErrorCode.EXPORT_TIMEOUT, `kafka send did not finish within ${timeoutMs} ms`);
        await prod.send(topic, state.calls[state.done]!);
        state.done++;
      }
    })();
    state.running = run;
    try {
      await run;
    } catch (err) {
      const e = asExportError(err);
      if (e.kind === 'permanent') progress.delete(key);
      throw e;
    } finally {
      state.running = undefined;
    }
    progress.delete(key);
    reportDrops(state.plan);
  }

  return createExporter(set, signal, cfg, send, {
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
