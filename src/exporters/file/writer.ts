import { existsSync } from 'node:fs';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Logger } from 'pino';
import type { RotationConfig } from './config.js';
import { backupName, pruneBackups } from './rotation.js';

const gzip = promisify(gzipCb);

export interface FileWriterOptions {
  path: string;
  /** Keep existing content (false truncates at open). Rotation always appends. */
  append: boolean;
  /** Each flushed chunk becomes one gzip member; members concatenate into a valid gzip file. */
  gzip: boolean;
  rotation?: RotationConfig;
  /** fsync period while data is dirty; also synced at rotation and close. */
  syncIntervalMs: number;
  logger: Logger;
}

interface Pending {
  chunk: Uint8Array;
  done: (err?: Error) => void;
}

/**
 * Appends chunks to a file with group commit: writes that arrive while one is
 * in flight go out together in the next write call, so many small batches cost
 * few syscalls. write() resolves once its bytes were handed to the OS (they
 * survive a crash of the process); fsync runs every `syncIntervalMs` and at
 * close (for a crash of the machine). Rotation renames the full file to a
 * timestamped backup and starts a new one, as the collector's file exporter.
 */
export class FileWriter {
  private fh: FileHandle | undefined;
  private size = 0;
  private dirty = false;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxBytes: number;

  constructor(private readonly o: FileWriterOptions) {
    this.maxBytes = o.rotation ? o.rotation.max_megabytes * 1024 * 1024 : Infinity;
  }

  async open(): Promise<void> {
    await mkdir(dirname(this.o.path), { recursive: true });
    this.fh = await open(this.o.path, this.o.append || this.o.rotation ? 'a' : 'w');
    this.size = (await this.fh.stat()).size;
    if (this.o.rotation) await this.prune();
    this.timer = setInterval(() => void this.sync(), this.o.syncIntervalMs);
    this.timer.unref();
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.closed || !this.fh) return Promise.reject(new Error(`file ${this.o.path} is not open`));
    return new Promise((resolve, reject) => {
      this.pending.push({ chunk, done: (err) => (err ? reject(err) : resolve()) });
      this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    });
  }

  /** Waits for pending writes, syncs and closes. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    while (this.flushing) await this.flushing;
    const fh = this.fh;
    this.fh = undefined;
    if (!fh) return;
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        let data: Uint8Array = batch.length === 1 ? batch[0]!.chunk : Buffer.concat(batch.map((p) => p.chunk));
        if (this.o.gzip) data = await gzip(data);
        if (this.size > 0 && this.size + data.length > this.maxBytes) await this.rotate();
        await this.writeAll(data);
        for (const p of batch) p.done();
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        for (const p of batch) p.done(err);
      }
    }
  }

  /**
   * Writes all of `data` or nothing: a write that fails part way (a full
   * disk) is cut off again, so the file never ends in half a line that the
   * next record would be glued onto.
   */
  private async writeAll(data: Uint8Array): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new Error(`file ${this.o.path} is not open`);
    const start = this.size;
    let off = 0;
    try {
      while (off < data.length) {
        // Positioned, so a file opened without O_APPEND continues where a cut-off write began.
        const { bytesWritten } = await fh.write(data, off, data.length - off, start + off);
        off += bytesWritten;
        this.dirty = true;
      }
      this.size = start + data.length;
    } catch (e) {
      if (off > 0) {
        try {
          await fh.truncate(start);
        } catch (te) {
          this.o.logger.error({ err: te, path: this.o.path, bytes: off }, 'could not cut off a partial write; the file ends in an incomplete record');
        }
      }
      throw e;
    }
  }

  private async sync(): Promise<void> {
    if (!this.dirty || !this.fh) return;
    this.dirty = false;
    try {
      await this.fh.sync();
    } catch (err) {
      this.o.logger.warn({ err, path: this.o.path }, 'fsync failed');
    }
  }

  private async rotate(): Promise<void> {
    const fh = this.fh!;
    await fh.sync();
    await fh.close();
    let at = Date.now();
    let name = backupName(this.o.path, new Date(at), this.o.rotation!.localtime);
    while (existsSync(name)) name = backupName(this.o.path, new Date(++at), this.o.rotation!.localtime);
    await rename(this.o.path, name);
    this.fh = await open(this.o.path, 'a');
    this.size = 0;
    this.dirty = false;
    await this.prune();
  }

  private async prune(): Promise<void> {
    try {
      await pruneBackups(this.o.path, this.o.rotation!);
    } catch (err) {
      this.o.logger.warn({ err, path: this.o.path }, 'removing old backups failed');
    }
  }
}
