// The append side of the queue: a group-committing writer. Offers that arrive
// while a write is on its way are written together with one writev and one
// fsync, so a busy queue pays one sync per batch of offers, not per offer.
import { open, type FileHandle } from 'node:fs/promises';
import { segmentPath } from './files.js';

export interface Appended {
  seq: number;
  off: number;
}

interface Pending {
  buf: Buffer;
  resolve(a: Appended): void;
  reject(e: Error): void;
}

export class SegmentWriter {
  private handle: FileHandle | undefined;
  private seq: number;
  private size = 0;
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly dir: string,
    lastSeq: number,
    private readonly segmentBytes: number,
    private readonly fsync: boolean,
    /** Told when a segment file is created or grows, for the bytes-on-disk gauge. */
    private readonly onGrow: (seq: number, size: number) => void,
  ) {
    this.seq = lastSeq; // a new segment is opened at the first append
  }

  /** The segment being written and its size, or null when none is open. */
  get active(): { seq: number; size: number } | null {
    return this.handle ? { seq: this.seq, size: this.size } : null;
  }

  /** Next segment number (the cursor's place once everything is delivered). */
  get nextSeq(): number {
    return this.handle ? this.seq : this.seq + 1;
  }

  append(buf: Buffer): Promise<Appended> {
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * Closes the open segment so the next append starts a new one; the caller
   * deletes the file (everything in it was delivered).
   */
  async retire(): Promise<number | null> {
    if (!this.handle || this.flushing) return null;
    const h = this.handle;
    const seq = this.seq; // an append may open the next segment while this one closes
    this.handle = undefined;
    await h.close();
    return seq;
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setImmediate(r));
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          if (!this.handle || this.size >= this.segmentBytes) await this.rotate();
          const h = this.handle!;
          const start = this.size;
          let written = 0;
          const total = batch.reduce((n, b) => n + b.buf.length, 0);
          try {
            while (written < total) {
              const { bytesWritten } = await h.writev(remaining(batch, written), start + written);
              written += bytesWritten;
            }
            if (this.fsync) await h.datasync();
          } catch (e) {
            // Cut the partial write off so later appends and a restart never see it. If that fails
            // too, say so with the write's error: recovery then finds a torn or damaged tail.
            await h.truncate(start).catch((te: unknown) => {
              throw new Error(`append failed (${(e as Error).message}) and cutting off the partial write failed too (${(te as Error).message})`, { cause: e });
            });
            throw e;
          }
          this.size = start + total;
          this.onGrow(this.seq, this.size);
          let off = start;
          for (const b of batch) {
            b.resolve({ seq: this.seq, off });
            off += b.buf.length;
          }
        } catch (e) {
          for (const b of batch) b.reject(e as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    this.seq++;
    this.handle = await open(segmentPath(this.dir, this.seq), 'wx');
    this.size = 0;
    if (this.fsync) {
      // The new file's directory entry must be durable too, or a power loss could lose the whole segment.
      const d = await open(this.dir, 'r');
      await d.sync().finally(() => d.close());
    }
    this.onGrow(this.seq, 0);
  }
}

function remaining(batch: Pending[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of batch) {
    if (skip >= b.buf.length) {
      skip -= b.buf.length;
      continue;
    }
    out.push(skip > 0 ? b.buf.subarray(skip) : b.buf);
    skip = 0;
  }
  return out;
}
