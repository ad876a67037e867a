import { asConsumerError, permanentError, type ConsumerError } from '../../errors/consumererror.js';
import { ErrorCode } from '../../errors/codes.js';
import type { RetryPolicy } from '../../exporterhelper/backoff.js';
import { createRetrySender, type Sleep } from '../../exporterhelper/retry.js';
import { compressInto, maxCompressedLength } from '../../prw/snappy.js';
import type { PostOutcome } from './client.js';
import type { Chunk, ChunkOutcome } from './partition.js';

export interface ShardOptions {
  /** Shards: ordering lanes, and requests in flight at most. */
  shards: number;
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
  /** Every batch sent, with its points (for tests and debugging). */
  onBatch?(points: number, chunks: number): void;
}

/** One shard's FIFO of chunks; `busy` while a batch holding some of them is on its way. */
interface Lane {
  q: Chunk[];
  head: number;
  busy: boolean;
}

/** A request in flight, with the buffers it is built in (reused from batch to batch). */
interface Slot {
  raw: Buffer;
  out: Buffer;
  busy: boolean;
}

/**
 * The shards: each is a FIFO of chunks (its series, partition.ts) that has
 * at most one batch on its way at a time, and a batch is retried (backoff
 * with jitter, Retry-After honoured) until it is sent or refused for good
 * before the shard's next batch goes. So the samples of every series reach
 * the target in the order they arrived, whatever else runs in parallel.
 *
 * A batch takes chunks from every shard that is idle and has some (same
 * tenant; within max_batch_samples and max_batch_size_bytes), and up to
 * `shards` batches are on their way at once. A gateway that keeps up sends
 * one request per client request or fewer, however many shards there are
 * (one batch per shard sent ~360-sample requests for 1000-sample client
 * requests over 5 shards: a cost per outgoing request, paid ~3× as often);
 * when batches queue up behind slow answers, several go in parallel.
 *
 * A batch is the chunks' byte ranges copied once into its slot's buffer (a
 * valid WriteRequest: repeated fields concatenate), then Snappy-compressed
 * into the slot's output buffer. Both are reused: the client resolves only
 * once the request body has left (client.ts), so nothing still refers to them.
 */
export class Shards {
  private readonly lanes: Lane[];
  private readonly slots: Slot[];
  /** Lane a batch starts from (round robin, so no shard waits behind the others). */
  private cursor = 0;
  private scheduled = false;
  /** Set at shutdown: each batch then gets one last attempt, then is abandoned. */
  private stopping = false;
  private readonly stopAc = new AbortController();

  constructor(private readonly o: ShardOptions) {
    this.lanes = Array.from({ length: o.shards }, () => ({ q: [], head: 0, busy: false }));
    this.slots = Array.from({ length: o.shards }, () => ({ raw: Buffer.allocUnsafe(0), out: Buffer.allocUnsafe(0), busy: false }));
  }

  /** Queues chunks on shard `s` (synchronously, so enqueue order is send order within the shard). */
  enqueue(s: number, chunks: readonly Chunk[]): void {
    const q = (this.lanes[s] as Lane).q;
    for (const c of chunks) q.push(c);
    this.schedule();
  }

  /** Chunks waiting in all shards (not counting batches on their way). */
  get waiting(): number {
    let n = 0;
    for (const l of this.lanes) n += l.q.length - l.head;
    return n;
  }

  stop(): void {
    this.stopping = true;
    this.stopAc.abort();
  }

  /**
   * Dispatch on the next turn: requests delivered from the queue in one turn
   * all have their chunks queued by then, and go in the same batches.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const batch = this.take();
      if (!batch) return;
      slot.busy = true;
      void this.run(slot, batch.chunks, batch.lanes);
    }
  }

  /** Chunks for one batch from the idle shards, starting at the cursor; undefined when none has any. */
  private take(): { chunks: Chunk[]; lanes: Lane[] } | undefined {
    const n = this.lanes.length;
    const chunks: Chunk[] = [];
    const lanes: Lane[] = [];
    let tenant: string | undefined;
    let points = 0;
    let bytes = 0;
    let full = false;
    let i = 0;
    for (; i < n && !full; i++) {
      const lane = this.lanes[(this.cursor + i) % n] as Lane;
      if (lane.busy || lane.head >= lane.q.length) continue;
      const taken = chunks.length;
      while (lane.head < lane.q.length) {
        const c = lane.q[lane.head] as Chunk;
        if (chunks.length === 0) tenant = c.tenant;
        else if (c.tenant !== tenant) break;
        else if (points + c.points > this.o.maxSamples || bytes + c.bytes > this.o.maxBytes) {
          full = true;
          break;
        }
        chunks.push(c);
        points += c.points;
        bytes += c.bytes;
        lane.q[lane.head++] = undefined as unknown as Chunk;
      }
      if (chunks.length > taken) {
        lane.busy = true;
        lanes.push(lane);
        compact(lane);
      }
    }
    this.cursor = (this.cursor + i) % n;
    return chunks.length > 0 ? { chunks, lanes } : undefined;
  }

  private async run(slot: Slot, chunks: Chunk[], lanes: Lane[]): Promise<void> {
    try {
      await this.sendBatch(slot, chunks);
    } catch (e) {
      // Only a bug or unencodable data gets here; settle so no request hangs.
      const err = permanentError(ErrorCode.EXPORT_PERMANENT, `could not build a remote-write request: ${(e as Error).message}`);
      const unsettled = chunks.filter((c) => !c.settled);
      const points = unsettled.reduce((n, c) => n + c.points, 0);
      this.o.onRejected?.(err.code, points, err, undefined);
      for (const c of unsettled) settle(c, { kind: 'rejected', reason: err.code });
    } finally {
      slot.busy = false;
      for (const l of lanes) l.busy = false;
      this.dispatch();
    }
  }

  private async sendBatch(slot: Slot, batch: Chunk[]): Promise<void> {
    let points = 0;
    let bytes = 0;
    for (const c of batch) {
      points += c.points;
      bytes += c.bytes;
    }
    if (slot.raw.length < bytes) slot.raw = Buffer.allocUnsafe(grown(slot.raw.length, bytes));
    let pos = 0;
    for (const c of batch) pos = c.copyTo(slot.raw, pos);
    const bound = maxCompressedLength(bytes);
    if (slot.out.length < bound) slot.out = Buffer.allocUnsafe(grown(slot.out.length, bound));
    const n = compressInto(slot.raw.subarray(0, bytes), slot.out);
    this.o.onBatch?.(points, batch.length);
    const outcome = await this.deliver(slot.out.subarray(0, n), (batch[0] as Chunk).tenant, points);
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

/** Keeps a lane's array from growing without bound while it stays busy. */
function compact(lane: Lane): void {
  if (lane.head === lane.q.length) {
    lane.q = [];
    lane.head = 0;
  } else if (lane.head > 4096 && lane.head * 2 > lane.q.length) {
    lane.q = lane.q.slice(lane.head);
    lane.head = 0;
  }
}

/** A buffer size of at least `need`, growing by halves so a few batches settle the size. */
function grown(have: number, need: number): number {
  return Math.max(need, Math.floor(have * 1.5), 64 * 1024);
}

function settle(c: Chunk, outcome: ChunkOutcome): void {
  if (c.settled) return;
  c.settled = true;
  c.owner.settle(c, outcome);
}
