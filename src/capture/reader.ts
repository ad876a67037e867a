// Reading capture files: records in file order, damage reported and skipped.
//
// What a reader does with damage (README.md ("Capture and replay"), "Damage"):
// - fewer bytes than a record prefix at the end, or a record whose length runs
//   past the end with no valid record after it: a torn tail (a crash
//   mid-write). Reported as `torn`, reading of that file ends.
// - a bad marker, an impossible length, a checksum mismatch or inconsistent
//   field lengths: `corrupt`. The reader searches forward for the next marker
//   that starts a record with a good checksum and resumes there; the bytes in
//   between are reported (offset and length). With no good record after it,
//   the rest of the file is reported.
import { open, type FileHandle } from 'node:fs/promises';
import {
  FILE_HEADER_FIXED,
  FORMAT_VERSION,
  MAGIC,
  MAX_META,
  MAX_RECORD_BODY,
  RECORD_FIXED,
  RECORD_MARKER,
  RECORD_MARKER_U32,
  RECORD_PREFIX,
  RecordError,
  decodeFileHeader,
  decodeRecord,
  type CaptureRecord,
  type FileMeta,
} from './format.js';

export interface Damage {
  file: string;
  /** Byte offset where the damage starts. */
  offset: number;
  /** Bytes skipped. */
  length: number;
  kind: 'torn' | 'corrupt' | 'header';
  reason: string;
}

export interface ReadEntry {
  record: CaptureRecord;
  file: string;
  /** Byte offset of the record in its file. */
  offset: number;
}

/** A file that is not a capture file, or of a version this reader does not know. */
export class CaptureFileError extends Error {
  override name = 'CaptureFileError';
}

const CHUNK = 4 * 1024 * 1024;

/** A moving read window over a file: records are read in order, rarely re-read. */
class Window {
  private buf = Buffer.alloc(0);
  private start = 0;
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  /** Exactly `n` bytes at `pos`, or null when the file ends first. */
  async get(pos: number, n: number): Promise<Buffer | null> {
    if (pos + n > this.size) return null;
    if (pos >= this.start && pos + n <= this.start + this.buf.length) return this.buf.subarray(pos - this.start, pos - this.start + n);
    const len = Math.min(Math.max(n, CHUNK), this.size - pos);
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.buf = buf.subarray(0, got);
    this.start = pos;
    return got >= n ? this.buf.subarray(0, n) : null;
  }
}

export class CaptureFileReader {
  readonly damage: Damage[] = [];
  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    private readonly win: Window,
    readonly meta: FileMeta | undefined,
    /** Where records start. */
    private readonly first: number,
    /** The header was damaged: records start at the first valid one after `first`. */
    private readonly searchFirst: boolean,
    private readonly onDamage: ((d: Damage) => void) | undefined,
  ) {}

  get size(): number {
    return this.win.size;
  }

  /**
   * Opens a capture file and reads its header. Throws CaptureFileError when
   * the file is not one (bad magic) or has an unknown version; a header with
   * a bad checksum is reported as damage and records are still searched for.
   */
  static async open(file: string, onDamage?: (d: Damage) => void): Promise<CaptureFileReader> {
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const win = new Window(fh, size);
      const early: Damage[] = [];
      const head = (await win.get(0, Math.min(size, FILE_HEADER_FIXED + MAX_META + 4))) ?? Buffer.alloc(0);
      const magicPart = head.subarray(0, Math.min(8, head.length));
      if (!magicPart.equals(MAGIC.subarray(0, magicPart.length))) throw new CaptureFileError(`${file}: not a Tollgate capture file (bad magic)`);
      let meta: FileMeta | undefined;
      let first = size;
      let searchFirst = false;
      if (head.length < FILE_HEADER_FIXED) {
        early.push({ file, offset: 0, length: size, kind: 'torn', reason: 'file ends inside its header' });
      } else {
        const version = head.readUInt16LE(8);
        if (version !== FORMAT_VERSION) throw new CaptureFileError(`${file}: capture format version ${version} is not supported (this Tollgate reads version ${FORMAT_VERSION})`);
        try {
          const h = decodeFileHeader(head);
          meta = h.meta;
          first = h.length;
        } catch (e) {
          const metaLen = head.readUInt32LE(12);
          const reason = (e as Error).message;
          if (metaLen <= MAX_META && FILE_HEADER_FIXED + metaLen + 4 > size) {
            early.push({ file, offset: 0, length: size, kind: 'torn', reason: 'file ends inside its header' });
          } else {
            early.push({ file, offset: 0, length: FILE_HEADER_FIXED, kind: 'header', reason });
            first = FILE_HEADER_FIXED;
            searchFirst = true;
          }
        }
      }
      const r = new CaptureFileReader(file, fh, win, meta, first, searchFirst, onDamage);
      for (const d of early) r.report(d);
      return r;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  private report(d: Damage): void {
    this.damage.push(d);
    this.onDamage?.(d);
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }

  /** Every valid record, in file order; damage is reported as it is met. */
  async *records(): AsyncGenerator<ReadEntry> {
    const size = this.win.size;
    let pos = this.first;
    if (this.searchFirst && pos < size) {
      const next = await this.resync(pos);
      if (next < 0) {
        this.report({ file: this.file, offset: pos, length: size - pos, kind: 'corrupt', reason: 'no valid record after the damaged header' });
        return;
      }
      if (next > pos) this.report({ file: this.file, offset: pos, length: next - pos, kind: 'corrupt', reason: 'bytes before the first valid record' });
      pos = next;
    }
    while (pos < size) {
      let reason: string;
      let cutShort = false;
      const prefix = await this.win.get(pos, RECORD_PREFIX);
      if (!prefix) {
        this.report({ file: this.file, offset: pos, length: size - pos, kind: 'torn', reason: 'file ends inside a record header' });
        return;
      }
      const len = prefix.readUInt32LE(4);
      if (prefix.readUInt32LE(0) !== RECORD_MARKER_U32) reason = 'no record marker';
      else if (len < RECORD_FIXED || len > MAX_RECORD_BODY) reason = `record length ${len} out of range`;
      else if (pos + RECORD_PREFIX + len > size) {
        reason = `record of ${RECORD_PREFIX + len} bytes runs past the end of the file`;
        cutShort = true;
      } else {
        const whole = (await this.win.get(pos, RECORD_PREFIX + len))!;
        try {
          const record = decodeRecord(whole);
          yield { record, file: this.file, offset: pos };
          pos += RECORD_PREFIX + len;
          continue;
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          reason = e.message;
        }
      }
      const next = await this.resync(pos + 1);
      if (next < 0) {
        this.report({ file: this.file, offset: pos, length: size - pos, kind: cutShort ? 'torn' : 'corrupt', reason });
        return;
      }
      this.report({ file: this.file, offset: pos, length: next - pos, kind: 'corrupt', reason });
      pos = next;
    }
  }

  /** Offset of the next valid record at or after `from`, or -1. */
  private async resync(from: number): Promise<number> {
    const size = this.win.size;
    let p = from;
    while (p + RECORD_PREFIX <= size) {
      const n = Math.min(CHUNK, size - p);
      const chunk = (await this.win.get(p, n))!;
      let i = chunk.indexOf(RECORD_MARKER);
      while (i >= 0) {
        const at = p + i;
        if (await this.validAt(at)) return at;
        i = chunk.indexOf(RECORD_MARKER, i + 1);
      }
      if (p + n >= size) break;
      p += n - (RECORD_MARKER.length - 1); // a marker may straddle two chunks
    }
    return -1;
  }

  private async validAt(pos: number): Promise<boolean> {
    const prefix = await this.win.get(pos, RECORD_PREFIX);
    if (!prefix) return false;
    const len = prefix.readUInt32LE(4);
    if (len < RECORD_FIXED || len > MAX_RECORD_BODY) return false;
    const whole = await this.win.get(pos, RECORD_PREFIX + len);
    if (!whole) return false;
    try {
      decodeRecord(whole, false);
      return true;
    } catch {
      return false;
    }
  }
}
