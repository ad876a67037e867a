// The persistent sending queue: requests are appended to a segmented log on
// disk and acknowledged (offer() resolves) only once written — and synced,
// with `fsync: true` — so acknowledged data survives `kill -9` and an outage
// of the destination.
//
// Delivery is at-least-once: the read cursor (first record not yet delivered)
// moves only after deliver() resolves, so a record being delivered when the
// process dies is delivered again after the restart. A retryable failure puts
// the record back at the head and it is tried again after a backoff, for as
// long as it takes; only a permanent error (counted by the exporter stack)
// removes it. Fully delivered segments are deleted.
import type { Logger } from 'pino';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { ErrorCode } from '../../errors/codes.js';
import { asConsumerError, permanentError, retryableError } from '../../errors/consumererror.js';
import type { Signal } from '../../component/signal.js';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';
import type { RequestCodec } from '../codec.js';
import type { QueuedRequest, SendingQueue } from '../queue.js';
import { CursorWriter, lockDir, segmentPath } from './files.js';
import { SegmentWriter } from './log.js';
import { HEADER_BYTES, bodyIntact, encodeRecord, readHeader } from './record.js';
import { recover, type Damage } from './recover.js';
import { QueueMetrics } from './metrics.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { sleep } from '../retry.js';
import { remainderOf } from '../send.js';

export interface PersistentQueueOptions<T> {
  id: string;
  signal: Signal;
  /** This queue's own directory. */
  dir: string;
  maxBytes: number;
  /** Upper bound in requests as well (the exporter's `queue_size`). */
  maxRequests: number;
  segmentBytes: number;
  fsync: boolean;
  consumers: number;
  codec: RequestCodec<T>;
  logger: Logger;
  telemetry: SelfTelemetry;
  onSize?(n: number): void;
  /** Wait after a retryable failure, doubling up to maxRetryMs (defaults 1 s, 30 s). */
  retryInitialMs?: number;
  maxRetryMs?: number;
  /** Clock for enqueue times and the age gauge (tests). */
  now?: () => number;
}

const PENDING = 0;
const INFLIGHT = 1;
const DONE = 2;

interface Entry {
  seq: number;
  off: number;
  size: number;
  items: number;
  enqueuedAt: number;
  state: number;
}

export class PersistentQueue<T> implements SendingQueue<T> {
  readonly durable = true;
  private readonly o: PersistentQueueOptions<T>;
  private readonly log: Logger;
  private readonly report: Reporter;
  private readonly metrics: QueueMetrics;
  private readonly now: () => number;
  // Records not yet delivered, in log order; `head` is the first one not done.
  private entries: Entry[] = [];
  private head = 0;
  private nextScan = 0;
  private pending = 0;
  private liveBytes = 0;
  private reserved = 0;
  private writer: SegmentWriter | undefined;
  private readers = new Map<number, FileHandle>();
  private segments = new Map<number, number>();
  private unlock: (() => void) | undefined;
  private state: 'new' | 'open' | 'running' | 'closing' | 'closed' = 'new';
  private opening: Promise<void> | undefined;
  private idle: Array<() => void> = [];
  private loops: Promise<void>[] = [];
  private readonly stop = new AbortController();
  private readonly cursorWriter: CursorWriter;

  constructor(o: PersistentQueueOptions<T>) {
    this.o = o;
    this.log = o.logger.child({ queue: o.dir });
    this.report = createReporter({ id: o.id, logger: this.log, telemetry: o.telemetry });
    this.now = o.now ?? Date.now;
    this.cursorWriter = new CursorWriter(o.dir, () => this.cursor(), this.log);
    this.metrics = new QueueMetrics(o.telemetry, o.id, o.signal, o.maxBytes, () => this.oldest(), this.now);
  }

  size(): number {
    return this.pending;
  }
  capacity(): number {
    return this.o.maxRequests;
  }
  /** Bytes of undelivered records. */
  bytes(): number {
    return this.liveBytes;
  }

  /** Opens the directory and recovers what a previous run left. offer() and start() call it. */
  open(): Promise<void> {
    this.opening ??= this.doOpen();
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    this.unlock = await lockDir(this.o.dir);
    const r = await recover(this.o.dir);
    for (const d of r.damage) this.damaged(d);
    if (r.tornTail) {
      this.log.warn({ segment: segmentPath(this.o.dir, r.tornTail.seq), offset: r.tornTail.off, bytes: r.tornTail.bytes }, 'persistent queue: cut off an incomplete write at the end of the log (a crash during an append that was never acknowledged)');
    }
    this.segments = r.segments;
    for (const rec of r.records) this.entries.push({ ...rec, state: PENDING });
    this.pending = this.entries.length;
    this.liveBytes = this.entries.reduce((n, e) => n + e.size, 0);
    this.writer = new SegmentWriter(this.o.dir, r.lastSeq, this.o.segmentBytes, this.o.fsync, (seq, size) => {
      this.segments.set(seq, size);
      this.metrics.diskBytes(this.diskBytes());
    });
    if (this.entries.length > 0) this.log.info({ requests: this.entries.length, bytes: this.liveBytes }, 'persistent queue: resuming delivery of requests stored by a previous run');
    this.state = 'open';
    this.changed();
    await this.dropDelivered();
  }

  async offer(req: QueuedRequest<T>): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') throw retryableError(ErrorCode.SHUTTING_DOWN, 'exporter is shutting down; not accepting data');
    await this.open();
    const body = this.o.codec.encode(req);
    const size = HEADER_BYTES + body.length;
    if (size > this.o.maxBytes) throw permanentError(ErrorCode.TOO_LARGE_ITEM, `request of ${size} bytes is larger than the persistent queue (max_bytes ${this.o.maxBytes})`);
    if (this.pending >= this.o.maxRequests || this.liveBytes + this.reserved + size > this.o.maxBytes) {
      throw retryableError(ErrorCode.QUEUE_FULL, `persistent sending queue is full (${this.pending} requests, ${this.liveBytes + this.reserved} of ${this.o.maxBytes} bytes); retry later`);
    }
    this.reserved += size;
    const now = this.now();
    try {
      const at = await this.writer!.append(encodeRecord(body, req.items, now));
      this.entries.push({ seq: at.seq, off: at.off, size, items: req.items, enqueuedAt: now, state: PENDING });
      this.pending++;
      this.liveBytes += size;
    } catch (e) {
      throw retryableError(ErrorCode.QUEUE_FULL, `persistent sending queue could not write to disk: ${(e as Error).message}`, { cause: e });
    } finally {
      this.reserved -= size;
    }
    this.changed();
    this.idle.shift()?.();
  }

  async start(deliver: (req: QueuedRequest<T>) => Promise<void>): Promise<void> {
    await this.open();
    if (this.state !== 'open') return;
    this.state = 'running';
    this.loops = Array.from({ length: Math.max(1, this.o.consumers) }, () => this.loop(deliver));
  }

  /**
   * Stops intake and delivery, waits for deliveries under way (the exporter
   * stack has ended its retry waits, so each gets at most one more attempt),
   * saves the cursor and closes the files. Undelivered records stay on disk.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    const wasOpen = this.opening !== undefined;
    this.state = 'closing';
    this.stop.abort();
    for (const wake of this.idle.splice(0)) wake();
    await Promise.all(this.loops);
    if (wasOpen) {
      await this.opening!.catch(() => {});
      await this.cursorWriter.flush();
      await this.writer?.close();
      for (const h of this.readers.values()) await h.close().catch(() => {});
      this.readers.clear();
    }
    this.metrics.close();
    this.unlock?.();
    this.state = 'closed';
  }

  private async loop(deliver: (req: QueuedRequest<T>) => Promise<void>): Promise<void> {
    let backoff = this.o.retryInitialMs ?? 1000;
    while (this.state === 'running') {
      const e = this.take();
      if (!e) {
        await new Promise<void>((r) => this.idle.push(r));
        continue;
      }
      let req: QueuedRequest<T>;
      try {
        req = await this.read(e);
      } catch (err) {
        this.damaged({ seq: e.seq, off: e.off, bytes: e.size, items: e.items, what: (err as Error).message });
        await this.complete(e);
        continue;
      }
      try {
        await deliver(req);
        backoff = this.o.retryInitialMs ?? 1000;
        await this.complete(e);
      } catch (err) {
        const ce = asConsumerError(err);
        if (ce.kind === 'permanent') {
          await this.complete(e); // counted as dropped by the exporter stack
          continue;
        }
        // Part of it went out: store what is left in its place, so a restart resends only that.
        const rest = remainderOf(err, req);
        if (rest !== req && (await this.replace(e, rest))) {
          await sleep(Math.max(backoff, ce.retryAfterMs ?? 0), this.stop.signal);
          backoff = Math.min(backoff * 2, this.o.maxRetryMs ?? 30_000);
          continue;
        }
        // Keep it at the head and try again later; nothing acknowledged is given up.
        e.state = PENDING;
        this.pending++;
        this.nextScan = Math.min(this.nextScan, this.entries.indexOf(e));
        this.changed();
        const wait = Math.max(backoff, ce.retryAfterMs ?? 0);
        backoff = Math.min(backoff * 2, this.o.maxRetryMs ?? 30_000);
        await sleep(wait, this.stop.signal);
      }
    }
  }

  /**
   * Appends `rest` (what a partly delivered record still has to send) as a new record, then
   * completes the old one. False when it cannot be written: the old record then stays, and is
   * sent again whole (duplicates, never a loss).
   */
  private async replace(e: Entry, rest: QueuedRequest<T>): Promise<boolean> {
    const body = this.o.codec.encode(rest);
    const size = HEADER_BYTES + body.length;
    try {
      // Keeps the request's enqueue time: the queue's age metrics go by the oldest data.
      const at = await this.writer!.append(encodeRecord(body, rest.items, e.enqueuedAt));
      this.entries.push({ seq: at.seq, off: at.off, size, items: rest.items, enqueuedAt: e.enqueuedAt, state: PENDING });
      this.pending++;
      this.liveBytes += size;
    } catch (err) {
      this.report.problem('warn', 'remainder', err, { items: rest.items }, 'persistent queue: could not store the undelivered rest of a request; it will be sent again whole');
      return false;
    }
    await this.complete(e);
    this.idle.shift()?.();
    return true;
  }

  /** The first waiting record, marked in flight. */
  private take(): Entry | undefined {
    for (let i = Math.max(this.head, this.nextScan); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.state === PENDING) {
        e.state = INFLIGHT;
        this.pending--;
        this.nextScan = i + 1;
        this.changed();
        return e;
      }
    }
    this.nextScan = this.entries.length;
    return undefined;
  }

  private async read(e: Entry): Promise<QueuedRequest<T>> {
    let h = this.readers.get(e.seq);
    if (!h) {
      h = await open(segmentPath(this.o.dir, e.seq), 'r');
      this.readers.set(e.seq, h);
    }
    const buf = Buffer.allocUnsafe(e.size);
    const { bytesRead } = await h.read(buf, 0, e.size, e.off);
    const hdr = readHeader(buf, 0);
    if (bytesRead !== e.size || !hdr || !bodyIntact(buf.subarray(HEADER_BYTES, bytesRead), hdr)) throw new Error('record failed its checksum when read for delivery');
    try {
      return this.o.codec.decode(buf.subarray(HEADER_BYTES));
    } catch (err) {
      throw new Error(`record could not be decoded: ${(err as Error).message}`);
    }
  }

  /** A record left the queue: advance the cursor past every finished record at the head. */
  private async complete(e: Entry): Promise<void> {
    e.state = DONE;
    this.liveBytes -= e.size;
    while (this.head < this.entries.length && this.entries[this.head]!.state === DONE) this.head++;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.nextScan = Math.max(0, this.nextScan - this.head);
      this.head = 0;
    }
    this.changed();
    await this.dropDelivered();
  }

  /** Deletes segments wholly before the cursor (the active one too, once everything in it is delivered). */
  private async dropDelivered(): Promise<void> {
    const first = this.entries[this.head];
    const cursorSeq = first ? first.seq : this.writer!.nextSeq;
    const active = this.writer!.active;
    for (const seq of [...this.segments.keys()]) {
      if (seq >= cursorSeq) continue;
      if (active && seq === active.seq) continue;
      this.segments.delete(seq);
      await this.closeReader(seq);
      await this.removeSegment(seq);
    }
    if (!first && active && this.reserved === 0) {
      const retired = await this.writer!.retire();
      if (retired !== null) {
        this.segments.delete(retired);
        await this.closeReader(retired);
        await this.removeSegment(retired);
      }
    }
    this.metrics.diskBytes(this.diskBytes());
    this.cursorWriter.schedule();
  }

  private cursor(): { seq: number; offset: number } {
    const first = this.entries[this.head];
    if (first) return { seq: first.seq, offset: first.off };
    const a = this.writer?.active;
    return a ? { seq: a.seq, offset: a.size } : { seq: this.writer?.nextSeq ?? 0, offset: 0 };
  }

  private async closeReader(seq: number): Promise<void> {
    const h = this.readers.get(seq);
    this.readers.delete(seq);
    await h?.close().catch((err: unknown) => this.report.problem('warn', 'close', err, { segment: segmentPath(this.o.dir, seq) }, 'persistent queue: could not close a delivered segment'));
  }

  /**
   * Deletes a delivered segment. A failure loses nothing (its records are behind the cursor), but the
   * file keeps its disk space and would be read again past a lost cursor: say so.
   */
  private async removeSegment(seq: number): Promise<void> {
    const path = segmentPath(this.o.dir, seq);
    await unlink(path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.report.problem('error', 'unlink', err, { segment: path }, 'persistent queue: could not delete a delivered segment; it still takes disk space');
      }
    });
  }

  private damaged(d: Damage): void {
    this.report.drop(
      {
        signal: this.o.signal,
        code: ErrorCode.QUEUE_CORRUPT,
        items: Math.max(1, d.items),
        fields: { segment: segmentPath(this.o.dir, d.seq), offset: d.off, bytes: d.bytes, damaged_items: d.items || 'unknown' },
        key: `corrupt:${d.seq}`,
      },
      `persistent queue: skipped damaged data (${d.what}); ${d.items ? `${d.items} items` : 'an unknown number of items'} lost`,
    );
  }

  private diskBytes(): number {
    let n = 0;
    for (const s of this.segments.values()) n += s;
    return n;
  }

  private oldest(): number | undefined {
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i]!.state !== DONE) return this.entries[i]!.enqueuedAt;
    return undefined;
  }

  private changed(): void {
    this.o.onSize?.(this.pending);
    this.metrics.bytes(this.liveBytes);
    this.metrics.refresh();
  }
}
