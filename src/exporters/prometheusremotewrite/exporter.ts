import type { Capabilities } from '../../component/consumer.js';
import { READS_ONLY } from '../../component/consumer.js';
import type { RequestContext } from '../../component/context.js';
import type { CreateSettings, Exporter } from '../../component/factory.js';
import { clientAuthenticator } from '../../component/auth.js';
import type { Host } from '../../component/host.js';
import { isPromMetrics, type MetricsData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { retryableError } from '../../errors/consumererror.js';
import { ErrorCode } from '../../errors/codes.js';
import { NO_RETRY, createBackoffPolicy } from '../../exporterhelper/backoff.js';
import { backoffSettings, type HelperConfig } from '../../exporterhelper/config.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import { sleep } from '../../exporterhelper/retry.js';
import type { SendOutcome } from '../../exporterhelper/send.js';
import { readOtlp, toEncodedPrw } from '../../pdata/batch.js';
import { EncodedPrw } from '../../pdata/prw/encoded.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { DeltaToCumulative, otlpToPromWriteWithDrops, type PromTranslateOptions } from '../../translator/prometheus/index.js';
import { RemoteWriteClient } from './client.js';
import type { PrwExporterConfig } from './config.js';
import { externalLabels, withExternalLabels, type ExternalLabels } from './external.js';
import { partition, type Chunk, type ChunkOutcome, type ChunkOwner, type PartitionLimits } from './partition.js';
import { Shards } from './shards.js';

/**
 * Requests handed to the shards at once (memory queue), per shard. With 5
 * shards and one request each (the previous setting), 1000-sample client
 * requests left each shard ~200 samples per request to batch; more requests
 * in the shards let batches fill up to max_batch_samples.
 */
const IN_SHARDS_PER_SHARD = 8;

/** Tracks the chunks of one incoming request; resolves when every chunk is settled. */
class RequestJob implements ChunkOwner {
  pending = 0;
  abandoned = 0;
  private resolve!: () => void;
  readonly done = new Promise<void>((r) => (this.resolve = r));

  settle(_chunk: Chunk, outcome: ChunkOutcome): void {
    if (outcome.kind === 'abandoned') this.abandoned++;
    if (--this.pending === 0) this.resolve();
  }
}

/**
 * Remote-write 1.0 exporter to Thanos Receive or Prometheus.
 *
 *   consume → exporter helper queue (memory, or persistent with
 *   sending_queue.storage) → send: split by series hash into shards → each
 *   shard sends in order, one batch on its way at a time, retried before the
 *   next; a batch gathers the chunks of every idle shard (shards.ts).
 *
 * The helper's own retry and timeout layers are off: retrying a whole request
 * after some of its shards succeeded would send samples twice and behind newer
 * ones. Retry (retry_on_failure) and timeout act per batch inside a shard. A
 * request leaves the queue once all its batches are sent or refused for good,
 * so the persistent queue keeps whatever had not reached the target.
 */
export class PrwExporter implements Exporter<'metrics'> {
  readonly capabilities: Capabilities = READS_ONLY;
  readonly shards: Shards;
  private readonly stack: Exporter<'metrics'>;
  private readonly client: RemoteWriteClient;
  private readonly limits: PartitionLimits;
  private readonly ext: ExternalLabels;
  private readonly translate: PromTranslateOptions;
  private readonly report: Reporter;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: PrwExporterConfig,
  ) {
    const n = cfg.remote_write_queue.num_consumers;
    this.limits = { shards: n, maxSamples: cfg.max_batch_samples, maxBytes: cfg.max_batch_size_bytes };
    this.ext = externalLabels(cfg.external_labels);
    this.report = createReporter(set);
    this.translate = {
      namespace: cfg.namespace,
      addMetricSuffixes: cfg.add_metric_suffixes,
      resourceToTelemetryConversion: cfg.resource_to_telemetry_conversion.enabled,
      promoteResourceAttributes: cfg.promote_resource_attributes,
      targetInfo: cfg.target_info.enabled,
      metadata: cfg.send_metadata,
      ...(cfg.delta_to_cumulative.enabled
        ? { delta: new DeltaToCumulative({ maxSeries: cfg.delta_to_cumulative.max_series, maxStaleMs: parseDuration(cfg.delta_to_cumulative.max_stale) }) }
        : {}),
    };
    this.client = new RemoteWriteClient(cfg.endpoint, {
      headers: cfg.headers,
      tenantHeader: cfg.tenant.header,
      timeoutMs: parseDuration(cfg.timeout),
      connections: n,
      tls: cfg.tls,
    });
    const r = cfg.retry_on_failure;
    const storage = cfg.sending_queue.storage;
    const durable = storage !== undefined && storage !== null;
    // With the persistent queue a batch is retried until the target takes it:
    // giving up would delete data from disk that was acknowledged to a client,
    // during any outage longer than max_elapsed_time. The queue on disk
    // (bounded by its max_bytes) holds what arrives meanwhile.
    const policy = r.enabled ? createBackoffPolicy(backoffSettings(durable ? { ...r, max_elapsed_time: 0 } : r)) : NO_RETRY;
    const tel = set.telemetry.exporter(set.id);
    const answers = set.telemetry.counter('tollgate_exporter_remote_write_requests', 'Remote-write requests sent, by the status the target answered (0: no answer).', ['exporter', 'status']);
    this.shards = new Shards({
          shards: n,
          maxSamples: cfg.max_batch_samples,
          maxBytes: cfg.max_batch_size_bytes,
          policy,
          sleep,
          post: (body, tenant) => this.client.post(body, tenant),
          onAnswer: (status) => answers.inc({ exporter: set.id, status: String(status) }),
          onRetry: (err, delayMs, attempt) =>
            this.report.problem('warn', `retry:${err.status ?? 0}`, err, { status: err.status, attempt, delay_ms: delayMs }, 'remote-write batch failed; retrying'),
          onRejected: (reason, points, err, message) => {
            tel.sendFailed('metrics', points);
            this.report.drop(
              { signal: 'metrics', code: reason, items: points, err, fields: { status: err.status, server_message: message }, key: `rejected:${reason}:${err.status ?? 0}` },
              reason === ErrorCode.RETRIES_EXHAUSTED ? 'remote-write batch dropped: retries exhausted' : 'remote-write batch refused by the target and dropped (not retryable)',
            );
          },
        });
    const q = cfg.remote_write_queue;
    // Requests must reach the shards in queue order. The memory queue hands
    // them out synchronously in order, so several may be in the shards at once
    // and batches span requests: IN_SHARDS_PER_SHARD per shard, so a shard can
    // gather a full batch from several requests' chunks. The persistent queue
    // reads each record from disk before delivering it, and reads of concurrent
    // consumers can finish in any order, so it gets one consumer: one request
    // in the shards at a time.
    const consumers = durable ? 1 : n * IN_SHARDS_PER_SHARD;
    const helperCfg: HelperConfig = q.enabled
      ? { sending_queue: { enabled: true, num_consumers: consumers, queue_size: q.queue_size, sizer: 'requests', block_on_overflow: false, wait_for_result: false, storage } }
      : {};
    this.stack = createExporter(set, 'metrics', helperCfg, (data, ctx) => this.send(data, ctx), {
      shutdown: async () => this.client.close(),
    });
  }

  consume(data: MetricsData, ctx: RequestContext): Promise<void> {
    return this.stack.consume(data, ctx);
  }

  start(host: Host): Promise<void> {
    const auth = clientAuthenticator(host, this.cfg.auth, `exporters.${this.set.id}`);
    if (auth) this.client.authHeaders = () => auth.clientHeaders();
    return this.stack.start(host);
  }

  async shutdown(): Promise<void> {
    // Shards first: batches still failing get one last attempt instead of
    // retrying while the queue drains.
    this.shards.stop();
    await this.stack.shutdown();
  }

  /** The tenant header value for data that arrived with `ctx`. */
  private tenantOf(ctx: RequestContext): string | undefined {
    const t = this.cfg.tenant;
    return t.from_context ? (ctx.tenant ?? t.value) : t.value;
  }

  /**
   * The data as remote-write bytes: remote-write input as it arrived (decoded
   * series are encoded once), OTLP translated once and encoded; then the
   * external labels.
   */
  private toEncoded(data: MetricsData): EncodedPrw {
    let e: EncodedPrw;
    if (isPromMetrics(data)) e = toEncodedPrw(data);
    else {
      const { request, dropped } = otlpToPromWriteWithDrops(readOtlp('metrics', data), this.translate);
      for (const d of dropped) {
        this.report.drop(
          { signal: 'metrics', code: d.reason, items: d.count, level: 'warn', key: `translate:${d.reason}` },
          'OTLP points that cannot be written as Prometheus series were dropped',
        );
      }
      e = EncodedPrw.encode(request);
    }
    return withExternalLabels(e, this.ext);
  }

  // Called by the helper with the queue's ctx; synchronous up to the enqueue,
  // so requests reach the shards in queue order.
  private send(data: MetricsData, ctx: RequestContext = {}): Promise<SendOutcome> {
    const job = new RequestJob();
    const parts = partition(this.toEncoded(data), this.limits, this.tenantOf(ctx), job);
    for (const p of parts) job.pending += p.length;
    if (job.pending === 0) return Promise.resolve();
    parts.forEach((p, s) => {
      if (p.length > 0) this.shards.enqueue(s, p);
    });
    return job.done.then(() => {
      if (job.abandoned > 0) throw retryableError(ErrorCode.SHUTTING_DOWN, `exporter ${this.set.id} shut down before ${job.abandoned} batch(es) reached the target`);
    });
  }
}
