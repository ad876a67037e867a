// Start-up scan of the queue directory: which records still wait, what is
// damaged, and where a crash cut the last write short.
import { readFile, truncate, unlink } from 'node:fs/promises';
import { listSegments, readCursor, segmentPath, type Cursor } from './files.js';
import { HEADER_BYTES, bodyIntact, readHeader, resync, wholeRecordSize } from './record.js';

export interface StoredRecord {
  seq: number;
  off: number;
  /** Header + body bytes. */
  size: number;
  items: number;
  enqueuedAt: number;
}

/** A damaged stretch that was skipped. `items` is exact when the header survived, else 0 (unknown). */
export interface Damage {
  seq: number;
  off: number;
  bytes: number;
  items: number;
  what: string;
}

export interface Recovered {
  records: StoredRecord[];
  damage: Damage[];
  /** Bytes cut from the end of the newest segment: an append that never completed (never acknowledged). */
  tornTail: { seq: number; off: number; bytes: number } | null;
  /** Segment files kept, with their sizes. */
  segments: Map<number, number>;
  lastSeq: number;
  cursorFound: boolean;
}

export async function recover(dir: string): Promise<Recovered> {
  const cursor: Cursor | null = await readCursor(dir);
  const seqs = await listSegments(dir);
  const out: Recovered = { records: [], damage: [], tornTail: null, segments: new Map(), lastSeq: Math.max(seqs.at(-1) ?? 0, cursor?.seq ?? 0), cursorFound: cursor !== null };
  for (const seq of seqs) {
    const path = segmentPath(dir, seq);
    // Segments before the cursor's were fully delivered; a crash came between
    // moving the cursor and deleting them.
    if (cursor && seq < cursor.seq) {
      await unlink(path);
      continue;
    }
    const buf = await readFile(path);
    const last = seq === seqs.at(-1);
    let p = cursor && seq === cursor.seq ? Math.min(cursor.offset, buf.length) : 0;
    while (p < buf.length) {
      const h = readHeader(buf, p);
      if (h && p + HEADER_BYTES + h.bodyLen <= buf.length) {
        const size = HEADER_BYTES + h.bodyLen;
        if (bodyIntact(buf.subarray(p + HEADER_BYTES, p + size), h)) out.records.push({ seq, off: p, size, items: h.items, enqueuedAt: h.enqueuedAt });
        else out.damage.push({ seq, off: p, bytes: size, items: h.items, what: 'record body checksum mismatch' });
        p += size;
        continue;
      }
      const next = resync(buf, p + 1);
      if (next >= 0) {
        out.damage.push({ seq, off: p, bytes: next - p, items: 0, what: 'damaged record header' });
        p = next;
        continue;
      }
      // Nothing valid follows; but a complete record whose header was damaged
      // (the last one written, say) is lost data to count, not a torn write.
      const whole = h ? -1 : wholeRecordSize(buf, p);
      if (whole > 0) {
        out.damage.push({ seq, off: p, bytes: whole, items: 0, what: 'damaged header of a record written whole' });
        p += whole;
        continue;
      }
      if (last) {
        // Nothing valid follows in the newest segment: an append cut short by a crash.
        await truncate(path, p);
        out.tornTail = { seq, off: p, bytes: buf.length - p };
      } else {
        out.damage.push({ seq, off: p, bytes: buf.length - p, items: h?.items ?? 0, what: h ? 'segment ends inside a record' : 'damaged data up to the end of the segment' });
      }
      break;
    }
    out.segments.set(seq, out.tornTail?.seq === seq ? out.tornTail.off : buf.length);
  }
  return out;
}
