// Gathering batches: the core shared by the batch processor and the
// exporters' `sending_queue.batch`. Data is kept per shard (one per context
// that must not be mixed: tenant, batching metadata values); a shard is sent
// once it holds `minSize` (in items or bytes), in batches of at most
// `maxSize`, or when `timeoutMs` has passed since it started filling. Each
// add() settles when every batch carrying part of its data has been
// accepted downstream, with the first error otherwise, so the caller keeps
// backpressure and never loses track of what it handed over.
//
// Merging and cutting go through the pdata API (pdata/batch.ts): encoded
// batches merge by joining entry lists and are cut at indexed boundaries.
import { EMPTY_CONTEXT, type RequestContext } from '../component/context.js';
import type { Signal, SignalData } from '../component/signal.js';
import { mergeData, sizeIn, splitData, type Unit } from '../pdata/batch.js';

/** One add() waiting for the batches that carry its data. */
class Waiter<T> {
  /** Batches holding part of this data that have not answered yet. */
  parts = 0;
  settled = false;
  resolve!: () => void;
  reject!: (err: unknown) => void;
  readonly promise: Promise<void>;

  constructor(
    public data: T,
    /** Size (in the batcher's unit) of `data` not yet placed in a batch. */
    public size: number,
  ) {
    this.promise = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  ok(): void {
    this.parts--;
    if (!this.settled && this.parts === 0 && this.size === 0) {
      this.settled = true;
      this.resolve();
    }
  }

  fail(err: unknown): void {
    this.parts--;
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }
}

class Shard<T> {
  readonly pending: Waiter<T>[] = [];
  size = 0;
  timer: NodeJS.Timeout | undefined;
  constructor(
    readonly key: string,
    readonly ctx: RequestContext,
  ) {}
}

export interface BatcherOptions<S extends Signal> {
  readonly signal: S;
  /** What sizes measure: items (spans, points, records) or encoded bytes. */
  readonly unit: Unit;
  /** A shard is sent once it holds this much; 0 sends only on the timeout. */
  readonly minSize: number;
  /** Most per batch; larger data is split (at item boundaries). 0: no limit. */
  readonly maxSize: number;
  /** Longest a shard waits once it has data; 0 sends at once. */
  readonly timeoutMs: number;
  /** Hands one batch on; settles when it was accepted (or not). */
  send(batch: SignalData[S], ctx: RequestContext): Promise<void>;
  /** A shard with no data left; `true` lets the batcher forget it. */
  onIdle?(key: string): boolean;
  /** The number of shards changed (one was made or forgotten). */
  onShards?(count: number): void;
  /** Why a send happened (self-telemetry). */
  onTrigger?(reason: 'size' | 'timeout'): void;
}

export class Batcher<S extends Signal> {
  private readonly shards = new Map<string, Shard<SignalData[S]>>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: BatcherOptions<S>) {}

  /** Shards holding data or waiting to be forgotten. */
  get shardCount(): number {
    return this.shards.size;
  }

  has(key: string): boolean {
    return this.shards.has(key);
  }

  /**
   * Adds data to the shard `key` (made with `ctx` as the context its batches
   * travel with, when new). Settles when all of it was accepted downstream.
   */
  add(key: string, ctx: () => RequestContext, data: SignalData[S], size = sizeIn(this.o.signal, data, this.o.unit)): Promise<void> {
    let shard = this.shards.get(key);
    if (!shard) {
      this.shards.set(key, (shard = new Shard(key, ctx())));
      this.o.onShards?.(this.shards.size);
    }
    const w = new Waiter(data, size);
    shard.pending.push(w);
    shard.size += size;
    const { minSize, timeoutMs } = this.o;
    if (timeoutMs === 0) {
      this.flush(shard);
    } else if (minSize > 0 && shard.size >= minSize) {
      while (shard.size >= minSize) {
        this.send(shard);
        this.o.onTrigger?.('size');
      }
      if (shard.size > 0) this.armTimer(shard, true);
      else this.release(shard);
    } else if (!shard.timer) {
      this.armTimer(shard, false);
    }
    return w.promise;
  }

  /** Sends everything pending now (shutdown), then waits until every batch in flight has answered. */
  async drain(): Promise<void> {
    for (const shard of [...this.shards.values()]) this.flush(shard);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private armTimer(shard: Shard<SignalData[S]>, restart: boolean): void {
    if (shard.timer) {
      if (restart) shard.timer.refresh();
      return;
    }
    shard.timer = setTimeout(() => {
      shard.timer = undefined;
      this.o.onTrigger?.('timeout');
      this.flush(shard);
    }, this.o.timeoutMs);
  }

  private flush(shard: Shard<SignalData[S]>): void {
    while (shard.size > 0 || shard.pending.length > 0) this.send(shard);
    this.release(shard);
  }

  private release(shard: Shard<SignalData[S]>): void {
    if (shard.timer) {
      clearTimeout(shard.timer);
      shard.timer = undefined;
    }
    if (shard.size === 0 && shard.pending.length === 0 && this.o.onIdle?.(shard.key)) {
      this.shards.delete(shard.key);
      this.o.onShards?.(this.shards.size);
    }
  }

  /** Builds one batch from the front of the shard and hands it on. */
  private send(shard: Shard<SignalData[S]>): void {
    const { signal, unit, maxSize } = this.o;
    let room = maxSize > 0 ? maxSize : shard.size;
    const parts: SignalData[S][] = [];
    const waiters: Waiter<SignalData[S]>[] = [];
    const pending = shard.pending;
    let used = 0;
    while (used < pending.length && (room > 0 || parts.length === 0)) {
      const w = pending[used];
      if (!w) break;
      if (w.size <= room) {
        w.parts++;
        waiters.push(w);
        parts.push(w.data);
        room -= w.size;
        shard.size -= w.size;
        w.size = 0;
        used++;
        continue;
      }
      // Cut this one: its head goes in this batch, the rest waits for the next.
      const [head, rest] = splitData(signal, w.data, Math.max(1, room), unit);
      const headSize = sizeIn(signal, head, unit);
      const restSize = sizeIn(signal, rest, unit);
      if (headSize === 0 || restSize === 0 || (headSize > room && parts.length > 0)) {
        // No useful cut (one item larger than the room): it goes alone, first in a batch.
        w.data = headSize === 0 ? rest : restSize === 0 ? head : mergeData(signal, [head, rest]);
        if (parts.length > 0) break;
        w.parts++;
        waiters.push(w);
        parts.push(w.data);
        shard.size -= w.size;
        w.size = 0;
        used++;
        break;
      }
      w.parts++;
      waiters.push(w);
      parts.push(head);
      shard.size -= w.size - restSize;
      w.data = rest;
      w.size = restSize;
      break;
    }
    if (used > 0) pending.splice(0, used);
    if (parts.length === 0) return;
    const batch = mergeData(signal, parts);
    let p: Promise<void>;
    try {
      p = this.o.send(batch, shard.ctx);
    } catch (err) {
      p = Promise.reject(err);
    }
    const done: Promise<void> = p
      .then(
        () => {
          for (const w of waiters) w.ok();
        },
        (err: unknown) => {
          for (const w of waiters) w.fail(err);
        },
      )
      .finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }
}

/** The context a batch travels with: the tenant and the batching metadata keys only (lower-case). */
export function batchContext(ctx: RequestContext, metadataKeys: readonly string[]): RequestContext {
  let metadata: Record<string, readonly string[]> | undefined;
  for (const k of metadataKeys) {
    const v = ctx.metadata?.[k];
    if (v && v.length > 0) (metadata ??= {})[k] = [...v];
  }
  if (!metadata && ctx.tenant === undefined) return EMPTY_CONTEXT;
  return {
    ...(metadata ? { metadata } : {}),
    ...(ctx.tenant !== undefined ? { tenant: ctx.tenant } : {}),
  };
}
