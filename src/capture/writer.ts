// Appends encoded records to capture files, rotating by size.
//
// Records are queued in memory and written by one background loop with
// writev, so a receiver never waits on the disk and records keep the order
// they were handed in. A file is never appended to after it is closed or
// after a failed write: the next record starts a new file, so a write that
// failed half-way leaves at most one torn record at the end of a file.
import { mkdirSync } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { encodeFileHeader, type FileMeta } from './format.js';

export interface WriterOptions {
  /** Base path: files are `<dir>/<stem>-<UTC time>-<seq><ext>`. */
  path: string;
  /** Start a new file before one would pass this size; 0 never rotates. */
  maxBytes: number;
  /** Capture files kept (the oldest are deleted); 0 keeps every file. */
  keep: number;
  /** Written into each file's header. */
  meta?: Omit<FileMeta, 'created' | 'seq'>;
  /** Bytes waiting for the disk beyond which new records are refused (append returns false). */
  maxPendingBytes?: number;
  /** A write, open or delete failed; `records` is how many records were lost with it. */
  onError?: (err: Error, records: number) => void;
}

const DEFAULT_MAX_PENDING = 64 * 1024 * 1024;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class CaptureWriter {
  private fh: FileHandle | undefined;
  private fileSize = 0;
  private headerSize = 0;
  private seq = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly dir: string;
  private readonly stem: string;
  private readonly ext: string;
  private readonly maxPending: number;
  /** Files this writer created, in order. */
  readonly files: string[] = [];

  constructor(private readonly opts: WriterOptions) {
    this.dir = dirname(opts.path);
    this.ext = extname(opts.path);
    this.stem = basename(opts.path, this.ext);
    this.maxPending = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING;
  }

  /** Queues one encoded record. False when refused: the writer is closed or its backlog is full. */
  append(rec: Buffer): boolean {
    if (this.closed || this.pendingBytes + rec.length > this.maxPending) return false;
    this.pending.push(rec);
    this.pendingBytes += rec.length;
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return true;
  }

  /** Resolves once every queued record has been handed to the OS. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Writes what is queued, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    const fh = this.fh;
    this.fh = undefined;
    if (fh) {
      await fh.sync().catch((e: Error) => this.opts.onError?.(e, 0));
      await fh.close().catch((e: Error) => this.opts.onError?.(e, 0));
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      let i = 0;
      while (i < batch.length) {
        const max = this.opts.maxBytes;
        try {
          if (!this.fh || (max > 0 && this.fileSize > this.headerSize && this.fileSize + batch[i]!.length > max)) await this.rotate();
        } catch (e) {
          this.lose(batch.length - i, e as Error);
          i = batch.length;
          break;
        }
        // As many records as fit in this file (at least one: a record larger than max_bytes gets a file of its own).
        let end = i;
        let size = this.fileSize;
        while (end < batch.length && (end === i || max === 0 || size + batch[end]!.length <= max)) size += batch[end++]!.length;
        try {
          await writeAll(this.fh!, batch.slice(i, end));
          this.fileSize = size;
        } catch (e) {
          this.lose(end - i, e as Error);
          // Never append after a failed write: the next record opens a new file.
          const fh = this.fh;
          this.fh = undefined;
          await fh?.close().catch(() => {});
        }
        i = end;
      }
      for (const b of batch) this.pendingBytes -= b.length;
    }
  }

  private lose(records: number, err: Error): void {
    this.opts.onError?.(err, records);
  }

  private async rotate(): Promise<void> {
    const old = this.fh;
    this.fh = undefined;
    if (old) {
      await old.sync().catch((e: Error) => this.opts.onError?.(e, 0));
      await old.close().catch((e: Error) => this.opts.onError?.(e, 0));
    }
    mkdirSync(this.dir, { recursive: true });
    const created = new Date();
    for (;;) {
      const seq = ++this.seq;
      const file = join(this.dir, `${this.stem}-${stamp(created)}-${String(seq).padStart(4, '0')}${this.ext}`);
      let fh: FileHandle;
      try {
        // Never overwrite, never append to someone else's file; readable by the owner only (requests may hold prompts).
        fh = await open(file, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      try {
        const header = encodeFileHeader({ ...this.opts.meta, created: created.toISOString(), seq });
        await writeAll(fh, [header]);
        this.fh = fh;
        this.fileSize = this.headerSize = header.length;
        this.files.push(file);
      } catch (e) {
        await fh.close().catch(() => {});
        throw e;
      }
      break;
    }
    if (this.opts.keep > 0) await this.prune().catch((e: Error) => this.opts.onError?.(e, 0));
  }

  /** Deletes the oldest capture files of this base path beyond `keep` (names sort by time). */
  private async prune(): Promise<void> {
    const re = new RegExp(`^${escapeRe(this.stem)}-\\d{8}T\\d{6}Z-\\d{4,}${escapeRe(this.ext)}$`);
    const names = (await readdir(this.dir)).filter((n) => re.test(n)).sort();
    const current = this.files[this.files.length - 1];
    const excess = names.length - this.opts.keep;
    for (let i = 0, removed = 0; i < names.length && removed < excess; i++) {
      const f = join(this.dir, names[i]!);
      if (f === current) continue;
      await unlink(f).catch(() => {});
      removed++;
    }
  }
}

async function writeAll(fh: FileHandle, bufs: Buffer[]): Promise<void> {
  let total = 0;
  for (const b of bufs) total += b.length;
  const { bytesWritten } = await fh.writev(bufs);
  if (bytesWritten === total) return;
  // A short write (rare on regular files): write the rest plainly.
  const all = Buffer.concat(bufs, total);
  let done = bytesWritten;
  while (done < total) done += (await fh.write(all, done, total - done)).bytesWritten;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
