// An OTLP batch kept as the bytes it arrived in (DESIGN.md, "Encoded
// batches"): the top-level entries of an Export*ServiceRequest — one
// ResourceSpans / ResourceMetrics / ResourceLogs each, with its tag and
// length — and how many items each holds. Protobuf makes the batch
// operations byte operations:
//   - merge: requests' top-level repeated fields concatenate into one valid
//     request, so merging joins the entry lists;
//   - split: whole entries move; one entry is cut at a scope / span / data
//     point boundary (wire/cut.ts) when the limit falls inside it;
//   - send: the request is the entries' bytes one after the other.
// Entries are immutable (their bytes are never written), so a copy of a
// batch shares them: clone is a list copy, copy-on-write by construction.
// Content is decoded only when a component asks for it (decode()).
import type { OtlpData, Signal } from './signal.js';
import { decodeProto, encodeProto, PdataDecodeError } from './otlpjson.js';
import { cutMessage, LEVELS, type Unit } from './wire/cut.js';
import { REQUEST_DEFS, scanEntries, WireError, type ShapeLimits } from './wire/scan.js';
import { writeField } from './wire/write.js';

/** One top-level entry: field 1 of the request, tag and length included. */
export interface Entry {
  readonly buf: Buffer;
  /** Offset of the entry's message (after tag and length) in buf. */
  readonly body: number;
  /** Spans, data points or log records it holds. */
  readonly items: number;
}

const REQUEST_NAMES: Record<Signal, string> = {
  traces: 'ExportTraceServiceRequest',
  metrics: 'ExportMetricsServiceRequest',
  logs: 'ExportLogsServiceRequest',
};

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

export class EncodedOtlp<S extends Signal = Signal> {
  readonly format = 'otlp_proto' as const;
  /** Items (spans, data points, log records) in all entries. */
  items: number;
  /** Encoded size of the request these entries make (what `toBuffer` returns). */
  bytes: number;

  /** Prefer the static constructors; `entries` becomes the batch's own. */
  constructor(
    readonly signal: S,
    public entries: Entry[],
  ) {
    this.items = 0;
    this.bytes = 0;
    this.recount();
  }

  /** Sets items and bytes from the entries. */
  private recount(): void {
    let items = 0;
    let bytes = 0;
    for (const e of this.entries) {
      items += e.items;
      bytes += e.buf.length;
    }
    this.items = items;
    this.bytes = bytes;
  }

  /**
   * Checks and indexes a request as received (one scan, no objects). The
   * batch keeps views into `buf`: the caller must not modify it afterwards.
   * Throws PdataDecodeError naming the offending field.
   */
  static scan<S extends Signal>(signal: S, buf: Uint8Array, limits?: ShapeLimits): EncodedOtlp<S> {
    const b = asBuffer(buf);
    let scanned;
    try {
      scanned = scanEntries(b, REQUEST_DEFS[signal], limits);
    } catch (e) {
      if (e instanceof WireError) throw new PdataDecodeError(`invalid protobuf ${REQUEST_NAMES[signal]}: ${e.message}`, { cause: e });
      throw e;
    }
    return new EncodedOtlp(
      signal,
      scanned.map((s) => ({ buf: b.subarray(s.start, s.end), body: s.body - s.start, items: s.items })),
    );
  }

  /** Encodes decoded data once (e.g. after JSON, or after a processor changed it). */
  static encode<S extends Signal>(signal: S, data: OtlpData[S]): EncodedOtlp<S> {
    // What the codec writes is well-formed by construction; the scan only indexes it.
    return EncodedOtlp.scan(signal, encodeProto(signal, data));
  }

  /** A copy sharing the (immutable) entries. */
  clone(): EncodedOtlp<S> {
    return new EncodedOtlp(this.signal, this.entries.slice());
  }

  /** The Export*ServiceRequest these entries make. */
  toBuffer(): Buffer {
    const es = this.entries;
    const [only] = es;
    if (only && es.length === 1) return only.buf;
    return Buffer.concat(
      es.map((e) => e.buf),
      this.bytes,
    );
  }

  /** The entries' bytes, for writers that take several buffers (no concatenation). */
  chunks(): Buffer[] {
    return this.entries.map((e) => e.buf);
  }

  /** Decoded objects owned by the caller (fresh on every call). */
  decode(): OtlpData[S] {
    return decodeProto(this.signal, this.toBuffer());
  }

  /** Appends other batches' entries (they are consumed). */
  append(...others: EncodedOtlp<S>[]): this {
    for (const o of others) {
      for (const e of o.entries) this.entries.push(e);
      this.items += o.items;
      this.bytes += o.bytes;
    }
    return this;
  }

  /**
   * Moves the first `n` items (unit items), or as many whole items as fit in
   * `n` bytes (unit bytes; at least one item), into a new batch; this one
   * keeps the rest. Entries move whole where they can; the one the limit
   * falls inside is cut at a scope / item boundary.
   */
  take(n: number, unit: Unit = 'items'): EncodedOtlp<S> {
    const es = this.entries;
    const out: Entry[] = [];
    let room = n;
    let taken = 0;
    let i = 0;
    for (; i < es.length; i++) {
      const e = es[i];
      if (!e) break;
      const size = unit === 'items' ? e.items : e.buf.length;
      const mustTake = unit === 'bytes' && taken === 0 && e.items > 0;
      if (size <= room || (mustTake && e.items === 1)) {
        out.push(e);
        room -= size;
        taken += e.items;
        continue;
      }
      if (room <= 0 && !mustTake) break;
      // The limit falls inside this entry: cut it at a scope / item boundary.
      const innerRoom = unit === 'items' ? room : room - (e.body + 1);
      if (innerRoom > 0 || mustTake) {
        const h = cutMessage(LEVELS[this.signal], e.buf, e.body, e.buf.length, Math.max(innerRoom, 0), unit, mustTake);
        if (h.headItems > 0 && h.restItems > 0) {
          const head = writeField(1, h.head);
          const rest = writeField(1, h.rest);
          out.push({ buf: head.buf, body: head.body, items: h.headItems });
          es[i] = { buf: rest.buf, body: rest.body, items: h.restItems };
        } else if (h.headItems > 0) {
          out.push(e);
          i++;
        }
      }
      break;
    }
    es.splice(0, i);
    const head = new EncodedOtlp(this.signal, out);
    // A cut entry's shared fields (resource, scope) now live in both halves: count again.
    this.recount();
    return head;
  }
}

export function isEncodedOtlp(d: unknown): d is EncodedOtlp {
  return d instanceof EncodedOtlp;
}
