// A remote-write batch kept as the bytes it arrived in (DESIGN.md, "Encoded
// batches"): the 1.0 WriteRequest's TimeSeries and MetricMetadata entries,
// indexed by one scan (scan.ts) with each series' points and label hash.
// Protobuf makes the batch operations byte operations:
//   - merge: repeated fields of two requests concatenate into one valid
//     request, so merging joins the part lists;
//   - split: whole parts and series move; a series is cut at a point
//     boundary (cut.ts) only when the limit falls inside it;
//   - send: the request is the entries' bytes one after the other (the
//     exporter's shards copy a series' bytes into their batch and compress).
// Parts are immutable, so a copy of a batch shares them: clone is a list copy.
// Content is decoded only when a component asks for it (decode()).
import { WriteRequest, type PromWrite } from '../proto.js';
import { labelsSorted, sortLabels } from '../../prw/labels.js';
import { cutSeries } from './cut.js';
import { Part, S_STRIDE } from './part.js';
import { scanWriteRequest } from './scan.js';

/** What a split counts: points, or encoded bytes. */
export type PrwUnit = 'items' | 'bytes';

export class EncodedPrw {
  readonly format = 'prw_proto' as const;
  /** Samples plus native histograms in all parts. */
  points = 0;
  /** Encoded size of the WriteRequest the parts make. */
  bytes = 0;
  /** The decoded view made for readers (batch.ts readProm); dropped whenever the parts change. */
  private view: PromWrite | undefined;

  /** `parts` becomes the batch's own. */
  constructor(public parts: Part[]) {
    this.recount();
  }

  private recount(): void {
    let points = 0;
    let bytes = 0;
    for (const p of this.parts) {
      points += p.points;
      bytes += p.bytes;
    }
    this.points = points;
    this.bytes = bytes;
  }

  /** Series in all parts. */
  get seriesCount(): number {
    let n = 0;
    for (const p of this.parts) n += p.seriesCount;
    return n;
  }

  /**
   * A batch of decoded series: encoded once with the generated codec (labels
   * sorted first where a producer left them unsorted), then indexed.
   */
  static encode(req: PromWrite): EncodedPrw {
    let r = req;
    const series = req.timeseries;
    if (series?.some((ts) => ts.labels && !labelsSorted(ts.labels))) {
      r = { ...req, timeseries: series.map((ts) => (ts.labels && !labelsSorted(ts.labels) ? { ...ts, labels: sortLabels(ts.labels) } : ts)) };
    }
    const raw = WriteRequest.encode(r).finish();
    return new EncodedPrw([scanWriteRequest(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), false).part]);
  }

  /** A copy sharing the (immutable) parts. */
  clone(): EncodedPrw {
    return new EncodedPrw(this.parts.slice());
  }

  /** The WriteRequest these parts make. */
  toBuffer(): Buffer {
    const ps = this.parts;
    if (ps.length === 1) {
      const p = ps[0] as Part;
      // A whole scanned request is returned as it is.
      if (p.bytes === p.buf.length) return p.buf;
    }
    const out = Buffer.allocUnsafe(this.bytes);
    let pos = 0;
    for (const p of ps) pos = p.copyTo(out, pos);
    return out;
  }

  /** Decoded objects owned by the caller (fresh on every call). */
  decode(): PromWrite {
    return WriteRequest.decode(this.toBuffer());
  }

  /** A decoded view shared by readers: made once, kept until the parts change. Not to be modified. */
  readView(): PromWrite {
    return (this.view ??= this.decode());
  }

  /** Decoded objects owned by the caller: the readers' view when there is one (they are done with it), else fresh. */
  takeView(): PromWrite {
    const v = this.view ?? this.decode();
    this.view = undefined;
    return v;
  }

  /** Appends other batches' parts (they are consumed). */
  append(...others: EncodedPrw[]): this {
    this.view = undefined;
    for (const o of others) {
      for (const p of o.parts) this.parts.push(p);
      this.points += o.points;
      this.bytes += o.bytes;
    }
    return this;
  }

  /**
   * Moves the first `n` points (unit items), or as many whole series as fit
   * in `n` bytes (unit bytes; at least one series), into a new batch; this
   * one keeps the rest. Parts move whole where they can; a part is sliced at
   * a series boundary; a series is cut only by points, when the limit falls
   * inside it. Metadata travels with the series of its part that go first.
   */
  take(n: number, unit: PrwUnit = 'items'): EncodedPrw {
    this.view = undefined;
    const ps = this.parts;
    const out: Part[] = [];
    let room = n;
    let taken = false; // a series is in the head (bytes: the first one is taken whatever its size)
    let i = 0;
    for (; i < ps.length; i++) {
      const p = ps[i] as Part;
      const size = unit === 'items' ? p.points : p.bytes;
      // (A part of metadata alone has no series to count: it goes whole when nothing is taken yet.)
      if (size <= room || (unit === 'bytes' && !taken && p.seriesCount === 0)) {
        out.push(p);
        room -= size;
        if (p.seriesCount > 0) taken = true;
        continue;
      }
      // The limit falls inside this part: whole series while they fit (metadata rides with the first).
      const s = p.series;
      let r = room - (unit === 'bytes' ? p.bytes - seriesBytes(p) : 0);
      let j = p.first;
      for (; j < p.last; j++) {
        const k = j * S_STRIDE;
        const sz = unit === 'items' ? (s[k + 2] ?? 0) : (s[k + 1] ?? 0) - (s[k] ?? 0);
        if (sz > r && (taken || unit === 'items')) break;
        r -= sz;
        taken = true;
      }
      let rest: Part | undefined = p;
      if (j > p.first) {
        out.push(new Part(p.buf, s, p.first, j, p.meta, p.mfirst, p.mlast));
        rest = j < p.last ? p.slice(j, p.last) : undefined;
      }
      if (rest && unit === 'items' && r > 0) {
        // The next series holds more points than the room left: cut it.
        if (rest.metaCount > 0) out.push(rest.metaOnly());
        const [h, t] = cutSeries(rest, rest.first, r);
        out.push(h);
        ps.splice(i, 1, ...(rest.seriesCount > 1 ? [t, rest.slice(rest.first + 1, rest.last)] : [t]));
      } else if (rest) ps[i] = rest;
      else i++;
      break;
    }
    ps.splice(0, i);
    this.recount();
    return new EncodedPrw(out);
  }
}

function seriesBytes(p: Part): number {
  let n = 0;
  for (let k = p.first * S_STRIDE; k < p.last * S_STRIDE; k += S_STRIDE) n += (p.series[k + 1] ?? 0) - (p.series[k] ?? 0);
  return n;
}

export function isEncodedPrw(d: unknown): d is EncodedPrw {
  return d instanceof EncodedPrw;
}
