import { asConsumerError, permanentError, type ConsumerError } from '../../errors/consumererror.js';
import { ErrorCode } from '../../errors/codes.js';
import type { RetryPolicy } from '../../exporterhelper/backoff.js';
import { createRetrySender, type Sleep } from '../../exporterhelper/retry.js';
import type { IMetricMetadata, ITimeSeries, PromWrite } from '../../pdata/proto.js';
import { encodeWriteRequest } from '../../prw/codec.js';
import { snappyEncode } from '../../prw/snappy.js';
import type { PostOutcome } from './client.js';
import type { Chunk, ChunkOutcome } from './partition.js';

export interface ShardOptions {
  maxSamples: number;
  maxBytes: number;
  policy: RetryPolicy;
  sleep: Sleep;
  post(body: Uint8Array, tenant: string | undefined): Promise<PostOutcome>;
  /** Every answer (or network failure, status 0), for self-telemetry. */
  onAnswer?(status: number): void;
  onRetry?(err: ConsumerError, delayMs: number, attempt: number): void;
  /** A batch refused for good: by the server (4xx), or retries ran out. */
  onRejected?(reason: string, points: number, err: ConsumerError, message: string | undefined): void;
}

/**
 * One shard: a FIFO of chunks sent one batch at a time, in order. A batch is
 * retried (backoff with jitter, Retry-After honoured) before the next batch of
 * the shard goes, so the samples of every series of this shard reach the
 * target in the order they arrived. Shards run concurrently.
 */
export class Shard {
  private q: Chunk[] = [];
  private head = 0;
  private running = false;
  /** Set at shutdown: each batch then gets one last attempt, then is abandoned. */
  private stopping = false;
  private readonly stopAc = new AbortController();

  constructor(private readonly o: ShardOptions) {}

  /** Queues chunks (synchronously, so enqueue order is send order). */
  enqueue(chunks: readonly Chunk[]): void {
    for (const c of chunks) this.q.push(c);
    if (!this.running) void this.run();
  }

  /** Chunks waiting (not counting the batch being sent). */
  get waiting(): number {
    return this.q.length - this.head;
  }

  stop(): void {
    this.stopping = true;
    this.stopAc.abort();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.head < this.q.length) {
        const batch = this.take();
        try {
          await this.sendBatch(batch);
        } catch (e) {
          // Only a bug or unencodable data gets here; settle so no request hangs.
          const err = permanentError(ErrorCode.EXPORT_PERMANENT, `could not build a remote-write request: ${(e as Error).message}`);
          const unsettled = batch.filter((c) => !c.settled);
          const points = unsettled.reduce((n, c) => n + c.points, 0);
          this.o.onRejected?.(err.code, points, err, undefined);
          for (const c of unsettled) settle(c, { kind: 'rejected', reason: err.code });
        }
      }
    } finally {
      this.running = false;
      this.q = [];
      this.head = 0;
    }
  }

  /** Takes the next chunks that fit one batch: same tenant, within samples and bytes. */
  private take(): Chunk[] {
    const first = this.q[this.head]!;
    this.q[this.head++] = undefined as unknown as Chunk;
    const batch = [first];
    let points = first.points;
    let bytes = first.bytes;
    while (this.head < this.q.length) {
      const c = this.q[this.head]!;
      if (c.tenant !== first.tenant || points + c.points > this.o.maxSamples || bytes + c.bytes > this.o.maxBytes) break;
      batch.push(c);
      points += c.points;
      bytes += c.bytes;
      this.q[this.head++] = undefined as unknown as Chunk;
    }
    // Keep the array from growing without bound while the shard stays busy.
    if (this.head > 4096 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private async sendBatch(batch: Chunk[]): Promise<void> {
    const series: ITimeSeries[] = [];
    const metadata: IMetricMetadata[] = [];
    let points = 0;
    for (const c of batch) {
      for (let i = 0; i < c.series.length; i++) series.push(c.series[i]!);
      for (let i = 0; i < c.metadata.length; i++) metadata.push(c.metadata[i]!);
      points += c.points;
    }
    const req: PromWrite = metadata.length > 0 ? { timeseries: series, metadata } : { timeseries: series };
    const raw = encodeWriteRequest(req);
    if (raw.length > this.o.maxBytes && batch.length > 1) {
      // The estimate was low (non-ASCII strings): halve, in order.
      const mid = batch.length >> 1;
      await this.sendBatch(batch.slice(0, mid));
      await this.sendBatch(batch.slice(mid));
      return;
    }
    const body = snappyEncode(raw);
    const outcome = await this.deliver(body, batch[0]!.tenant, points);
    for (const c of batch) settle(c, outcome);
  }

  /** One batch through the stack's retry layer (the shared policy): sent, refused for good, or abandoned at shutdown. */
  private async deliver(body: Uint8Array, tenant: string | undefined, points: number): Promise<ChunkOutcome> {
    let message: string | undefined;
    const send = createRetrySender<Uint8Array>(
      async (req) => {
        const res = await this.o.post(req.data, tenant);
        this.o.onAnswer?.(res.status);
        message = res.message;
        if (res.error) throw res.error;
      },
      { policy: this.o.policy, stop: this.stopAc.signal, sleep: this.o.sleep, ...(this.o.onRetry ? { onRetry: this.o.onRetry } : {}) },
    );
    try {
      await send({ data: body, ctx: {}, items: points });
      return { kind: 'sent' };
    } catch (e) {
      const err = asConsumerError(e);
      // Shutdown ended the retries: the batch is not given up, the queue keeps or reports it.
      if (this.stopping && err.code === ErrorCode.SHUTTING_DOWN) return { kind: 'abandoned' };
      const reason = err.kind === 'permanent' ? err.code : ErrorCode.RETRIES_EXHAUSTED;
      this.o.onRejected?.(reason, points, err, message);
      return { kind: 'rejected', reason };
    }
  }
}

function settle(c: Chunk, outcome: ChunkOutcome): void {
  if (c.settled) return;
  c.settled = true;
  c.owner.settle(c, outcome);
}
