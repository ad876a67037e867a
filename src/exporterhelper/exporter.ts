import type { Capabilities } from '../component/consumer.js';
import { READS_ONLY } from '../component/consumer.js';
import type { RequestContext } from '../component/context.js';
import type { Exporter, CreateSettings } from '../component/factory.js';
import type { Host } from '../component/host.js';
import type { Signal, SignalData } from '../component/signal.js';
import { parseDuration } from '../config/types.js';
import { ErrorCode } from '../errors/codes.js';
import { asConsumerError, retryableError, type ConsumerError } from '../errors/consumererror.js';
import { countItems } from '../pdata/count.js';
import { NO_RETRY, createBackoffPolicy, type RetryPolicy } from './backoff.js';
import { signalCodec, type RequestCodec } from './codec.js';
import { backoffSettings, type HelperConfig } from './config.js';
import type { QueuedRequest, SendingQueue } from './queue.js';
import { createQueue } from './queuefactory.js';
import { createReporter } from '../telemetry/report.js';
import { createRetrySender, type Sleep } from './retry.js';
import { remainderOf, type SendFn } from './send.js';
import { createTimeoutSender } from './timeout.js';

export interface ExporterOptions<S extends Signal> {
  /** Opens the exporter's resources (file, client); runs before the queue starts sending. */
  start?(host: Host): Promise<void>;
  /** Closes them; runs after the queue has drained and every send has settled. */
  shutdown?(): Promise<void>;
  /** Default: reads only (the stack never changes data; sends must not either). */
  capabilities?: Capabilities;
  /** Bytes ⇄ request for queues that need it; default: the signal's protobuf codec. */
  codec?: RequestCodec<SignalData[S]>;
  /** Replaces the backoff built from `retry_on_failure` (e.g. a protocol-specific policy). */
  retryPolicy?: RetryPolicy;
  /** For tests: how waits between retries happen, and the jitter source. */
  sleep?: Sleep;
  random?: () => number;
  /** Interval of the rate-limited failure log lines, ms (default 10 s). */
  logIntervalMs?: number;
  /**
   * The send stops soon after its AbortSignal fires and reports its progress
   * (PartialSendError): at the timeout, the attempt waits for it instead of
   * failing at once, so a retry never overlaps a send still under way.
   */
  settlesOnAbort?: boolean;
}

/**
 * The exporter helper stack, written once for every exporter:
 *
 *   consume → [sending queue] → retry → timeout → send
 *
 * - With the queue enabled (default) consume() resolves once the request is
 *   queued; a full queue refuses with a retryable TG_QUEUE_FULL. The queue's
 *   consumers own the outcome: failures that end a request (permanent error,
 *   retries exhausted, shutdown) are counted as dropped and logged.
 * - With the queue disabled consume() waits for the send (retries included)
 *   and rejects with its error; the caller owns the outcome then, and counts
 *   a drop if it gives the data up.
 * - Items the destination refused inside a successful response (OTLP
 *   partial_success) are counted as dropped either way.
 * - shutdown(): stops intake, ends retry waits (each remaining request gets
 *   one last attempt, as the collector drains without retrying), drains the
 *   queue, waits for in-flight sends, then closes the exporter's resources.
 *   The service bounds all of it with its shutdown deadline.
 *
 * A config section that is absent switches its layer off: `timeout` none,
 * `retry_on_failure` one attempt, `sending_queue` send in the caller's call.
 */
export function createExporter<S extends Signal>(
  set: CreateSettings,
  signal: S,
  cfg: HelperConfig,
  send: SendFn<SignalData[S]>,
  opts: ExporterOptions<S> = {},
): Exporter<S> {
  const tel = set.telemetry.exporter(set.id);
  const report = createReporter(set, opts.logIntervalMs ?? 10_000);
  const stop = new AbortController();
  const retry = cfg.retry_on_failure;
  const policy =
    opts.retryPolicy ?? (retry?.enabled ? createBackoffPolicy(backoffSettings(retry), opts.random ? { random: opts.random } : {}) : NO_RETRY);
  const timeoutMs = cfg.timeout === undefined ? 0 : parseDuration(cfg.timeout);
  const sender = createRetrySender(createTimeoutSender(timeoutMs, send, opts.settlesOnAbort === true), {
    policy,
    stop: stop.signal,
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    onRetry: (err, delayMs, attempt) =>
      report.problem('warn', 'retry', err, { signal, code: err.code, status: err.status, attempt, delay_ms: delayMs }, 'exporting failed; will retry the request after the delay'),
  });

  let queue: SendingQueue<SignalData[S]> | undefined;
  if (cfg.sending_queue?.enabled) {
    const gauges = tel.queueGauges(signal);
    const q = createQueue<SignalData[S]>({
      id: set.id,
      signal,
      cfg: cfg.sending_queue,
      codec: opts.codec ?? signalCodec(signal),
      logger: set.logger,
      telemetry: set.telemetry,
      onSize: gauges.size,
    });
    gauges.capacity(q.capacity());
    gauges.size(q.size());
    queue = q;
  }

  const inflight = new Set<Promise<void>>();
  let started = false;
  let closing = false;
  let stopped: Promise<void> | undefined;

  const dropped = (err: ConsumerError, items: number) =>
    report.drop({ signal, code: err.code, items, err, fields: { status: err.status } }, 'exporting failed; dropping data');

  /** One request through retry → timeout → send, with the outcome counted. `owned`: nobody upstream will see the error. */
  async function deliver(req: QueuedRequest<SignalData[S]>, owned: boolean): Promise<void> {
    let outcome;
    try {
      outcome = await sender(req);
    } catch (e) {
      const err = asConsumerError(e, ErrorCode.EXPORT_RETRYABLE);
      // Attempts may have got part of the request out: only the rest failed.
      const rest = remainderOf(err, req);
      if (rest !== req) tel.sent(signal, req.items - rest.items);
      tel.sendFailed(signal, rest.items);
      const kept = queue?.durable === true && err.kind !== 'permanent';
      if (owned && !kept) dropped(err, rest.items);
      else report.problem('warn', `fail:${err.code}`, err, { signal, code: err.code, status: err.status, items: rest.items }, 'exporting failed');
      throw err;
    }
    const rejected = outcome ? Math.min(req.items, Math.max(0, outcome.rejectedItems)) : 0;
    if (rejected > 0) {
      tel.sent(signal, req.items - rejected);
      tel.sendFailed(signal, rejected);
      report.drop(
        { signal, code: ErrorCode.PARTIAL_SUCCESS, items: rejected, level: 'warn', fields: { request_items: req.items, server_message: outcome?.message } },
        'destination accepted the request but rejected part of it; dropping the rejected items',
      );
    } else tel.sent(signal, req.items);
  }

  const closedError = () => retryableError(ErrorCode.SHUTTING_DOWN, `exporter ${set.id} is shut down; not accepting data`);

  return {
    capabilities: opts.capabilities ?? READS_ONLY,

    async consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
      const items = countItems(signal, data);
      const req: QueuedRequest<SignalData[S]> = { data, ctx, items };
      if (queue) {
        try {
          await queue.offer(req);
        } catch (e) {
          const err = asConsumerError(e, ErrorCode.QUEUE_FULL);
          tel.enqueueFailed(signal, items);
          report.problem('warn', `enqueue:${err.code}`, err, { signal, code: err.code, items }, 'could not queue data; the sender is told to retry');
          throw err;
        }
        return;
      }
      if (closing) throw closedError();
      const p = deliver(req, false);
      const tracked = p.then(
        () => {},
        () => {},
      );
      inflight.add(tracked);
      try {
        await p;
      } finally {
        inflight.delete(tracked);
      }
    },

    async start(host: Host): Promise<void> {
      if (started || closing) return;
      started = true;
      await opts.start?.(host);
      await queue?.start((req) => deliver(req, true));
    },

    shutdown(): Promise<void> {
      stopped ??= (async () => {
        closing = true;
        stop.abort();
        if (queue) {
          await queue.shutdown();
          // Only a queue that never started can still hold requests here.
          const left = queue.size();
          if (left > 0 && queue.durable !== true) {
            set.logger.error({ signal, requests: left }, 'exporter shut down before it started; queued data is dropped');
          }
        }
        await Promise.all(inflight);
        if (started) await opts.shutdown?.();
      })();
      return stopped;
    },
  };
}
