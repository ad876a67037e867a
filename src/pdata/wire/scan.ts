// One pass over an OTLP Export*ServiceRequest as it arrived: checks that it
// is well-formed protobuf all the way down (lengths, wire types, varints,
// UTF-8 strings, trace and span ID sizes, nesting depth) and counts its
// items, without building a single object. What it accepts, protobufjs and
// the collector decode; what it refuses gets a message naming the field:
//   resourceSpans[0].scopeSpans[1].spans[7].traceId: 15 bytes; a trace ID is 16 bytes (or empty)
//
// Checks follow the OpenTelemetry Collector's pdata unmarshalling (0.165):
// a known field with the wrong wire type is refused, unknown fields are
// skipped by their wire type (and kept: pass-through forwards them), IDs
// are empty or of their exact size, AnyValue nesting stops at 100 levels.
// Strings must be UTF-8 (protobufjs decodes strictly, so Tollgate always
// refused invalid UTF-8; the collector does not check).
//
// Cost (benchmarks/wire.bench.ts, Node 20, LLM spans of ~660 bytes with 15
// attributes): ~0.4 µs per span (0.87 before the two fast paths below),
// against ~6.8 µs for a protobufjs decode and ~13.7 for decode + encode.
// The loop reads tags and lengths with inline one-byte fast paths and
// returns the position of a varint through a module variable (no allocation).
import { isUtf8 } from 'node:buffer';
import { Kind, messageDef, type MessageDef } from './schema.js';

/** Most nested AnyValues accepted (the collector's proto.RecursionLimit). */
export const MAX_NESTING = 100;

/** Bounds on pathological shapes, configurable per receiver (`limits`). */
export interface ShapeLimits {
  /** Attributes of one item (span, event, link, log record, point, resource, scope), values of one array or map value. */
  readonly maxAttributes: number;
  /** Nested AnyValues (arrays and maps within arrays and maps). */
  readonly maxNesting: number;
}

export const DEFAULT_SHAPE_LIMITS: ShapeLimits = { maxAttributes: 16_384, maxNesting: MAX_NESTING };

// The limits of the scan in progress (a scan is synchronous, as `view` is).
let lim: ShapeLimits = DEFAULT_SHAPE_LIMITS;

/** Malformed input: `path` is where, `reason` what. */
export class WireError extends Error {
  override name = 'WireError';
  path: string;
  constructor(
    readonly reason: string,
    path = '',
  ) {
    super(path ? `${path}: ${reason}` : reason);
    this.path = path;
  }
  /** Prepends one path segment (`field` or `field[i]`) on the way out. */
  within(segment: string): this {
    this.path = this.path === '' ? segment : `${segment}.${this.path}`;
    this.message = `${this.path}: ${this.reason}`;
    return this;
  }
}

/** A request past a shape limit: well-formed, but refused (TG_SHAPE_LIMIT). */
export class ShapeLimitError extends WireError {
  override name = 'ShapeLimitError';
}

// Position after the last varint read by readLen/skipVarint (saves returning pairs).
let vpos = 0;

/** Reads a length or tag varint at `pos` (at most 2^35); sets vpos. Returns -1 when cut off or malformed. */
function readVarint(buf: Uint8Array, pos: number, end: number): number {
  const first = buf[pos];
  if (first !== undefined && pos < end && first < 0x80) {
    vpos = pos + 1;
    return first;
  }
  let b: number;
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return -1;
    b = buf[pos++] ?? 0;
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      vpos = pos;
      return v;
    }
    mul *= 128;
  }
  return -2; // more than 5 bytes: not a length this buffer could hold
}

/** Skips a varint of up to 10 bytes; returns the position after it, or -1. */
function skipVarint(buf: Uint8Array, pos: number, end: number): number {
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return -1;
    if ((buf[pos++] ?? 0) < 0x80) return pos;
  }
  return -1;
}

// A view of the buffer being scanned, for reading four bytes at a time.
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));

function utf8Ok(buf: Uint8Array, start: number, end: number): boolean {
  // Most strings are ASCII: checked four bytes per step (half the scan's
  // time went to a byte loop here); anything else goes to the native check.
  let i = start;
  for (; i + 4 <= end; i += 4) if ((view.getUint32(i) & 0x80808080) !== 0) return isUtf8(buf.subarray(start, end));
  for (; i < end; i++) if ((buf[i] ?? 0) >= 0x80) return isUtf8(buf.subarray(start, end));
  return true;
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', 'wire type 6', 'wire type 7'];
const EXPECTED: Record<number, string> = {
  [Kind.Varint]: 'varint',
  [Kind.I64]: 'fixed64',
  [Kind.I32]: 'fixed32',
  [Kind.String]: 'length-delimited',
  [Kind.Bytes]: 'length-delimited',
  [Kind.TraceId]: 'length-delimited',
  [Kind.SpanId]: 'length-delimited',
  [Kind.Message]: 'length-delimited',
  [Kind.PackedI64]: 'fixed64 or length-delimited',
  [Kind.PackedVarint]: 'varint or length-delimited',
};

/**
 * Skips one unknown field's value (wire type `wt`, after its tag). Groups
 * (deprecated, still legal) are skipped to their end tag. Returns the
 * position after the value, or throws.
 */
function skipUnknown(buf: Uint8Array, pos: number, end: number, wt: number, no: number, depth: number): number {
  switch (wt) {
    case 0: {
      const p = skipVarint(buf, pos, end);
      if (p < 0) throw new WireError('truncated or malformed varint');
      return p;
    }
    case 1:
      if (pos + 8 > end) throw new WireError('truncated fixed64');
      return pos + 8;
    case 5:
      if (pos + 4 > end) throw new WireError('truncated fixed32');
      return pos + 4;
    case 2: {
      const len = readVarint(buf, pos, end);
      if (len < 0 || vpos + len > end) throw new WireError(len < 0 ? 'truncated or malformed length' : `length ${len} runs past the end of its message`);
      return vpos + len;
    }
    case 3: {
      if (depth >= MAX_NESTING) throw new WireError(`groups nested deeper than ${MAX_NESTING} levels`);
      for (;;) {
        const tag = readVarint(buf, pos, end);
        if (tag < 0) throw new WireError(`unterminated group (field ${no})`);
        pos = vpos;
        const w = tag % 8;
        const n = Math.floor(tag / 8);
        if (w === 4) {
          if (n !== no) throw new WireError(`group of field ${no} ended by the end tag of field ${n}`);
          return pos;
        }
        if (n === 0) throw new WireError('field number 0');
        pos = skipUnknown(buf, pos, end, w, n, depth + 1);
      }
    }
    case 4:
      throw new WireError(`unexpected end-group tag (field ${no})`);
    default:
      throw new WireError(`invalid wire type ${wt} (field ${no})`);
  }
}

/** Checks one message buf[start, end) against `m` on its own; returns the items it holds. */
export function scanMessage(buf: Uint8Array, start: number, end: number, m: MessageDef): number {
  view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  lim = DEFAULT_SHAPE_LIMITS;
  return walk(buf, start, end, m, 0);
}

/**
 * Checks one message occupying buf[start, end) against `m`; returns the
 * items it holds (1 for an item message). `depth` counts nested AnyValues.
 */
function walk(buf: Uint8Array, start: number, end: number, m: MessageDef, depth: number): number {
  const kinds = m.kinds;
  const nk = kinds.length;
  let items = 0;
  let values = 0;
  let pos = start;
  while (pos < end) {
    const at = pos;
    let tag = buf[pos] ?? 0;
    if (tag < 0x80) pos++;
    else {
      tag = readVarint(buf, pos, end);
      if (tag < 0 || tag > 0xffffffff) throw fieldError(m, 0, 'truncated or malformed tag', buf, start, at);
      pos = vpos;
    }
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 0) throw fieldError(m, 0, 'field number 0', buf, start, at);
    const kind = no < nk ? (kinds[no] ?? Kind.Unknown) : Kind.Unknown;
    switch (kind) {
      case Kind.Varint: {
        if (wt !== 0) throw wrongWire(m, no, wt, buf, start, at);
        const p = skipVarint(buf, pos, end);
        if (p < 0) throw fieldError(m, no, 'truncated or malformed varint', buf, start, at);
        pos = p;
        break;
      }
      case Kind.I64:
        if (wt !== 1) throw wrongWire(m, no, wt, buf, start, at);
        pos += 8;
        if (pos > end) throw fieldError(m, no, 'truncated fixed64', buf, start, at);
        break;
      case Kind.I32:
        if (wt !== 5) throw wrongWire(m, no, wt, buf, start, at);
        pos += 4;
        if (pos > end) throw fieldError(m, no, 'truncated fixed32', buf, start, at);
        break;
      case Kind.Unknown:
        try {
          pos = skipUnknown(buf, pos, end, wt, no, 0);
        } catch (e) {
          throw e instanceof WireError ? e.within(`<unknown field ${no}>`) : e;
        }
        break;
      default: {
        // Every other kind is length-delimited (or, for packed kinds, may be one element).
        if (wt !== 2) {
          if (kind === Kind.PackedI64 && wt === 1) {
            pos += 8;
            if (pos > end) throw fieldError(m, no, 'truncated fixed64', buf, start, at);
            break;
          }
          if (kind === Kind.PackedVarint && wt === 0) {
            const p = skipVarint(buf, pos, end);
            if (p < 0) throw fieldError(m, no, 'truncated or malformed varint', buf, start, at);
            pos = p;
            break;
          }
          throw wrongWire(m, no, wt, buf, start, at);
        }
        // (Past the end reads undefined: the slow path then refuses it.)
        let len = buf[pos] ?? 0x80;
        if (len < 0x80 && pos < end) pos++;
        else {
          len = readVarint(buf, pos, end);
          if (len < 0) throw fieldError(m, no, 'truncated or malformed length', buf, start, at);
          pos = vpos;
        }
        const stop = pos + len;
        if (stop > end) throw fieldError(m, no, `length ${len} runs past the end of its message`, buf, start, at);
        switch (kind) {
          case Kind.Message: {
            const child = m.children[no];
            if (!child) throw new Error(`wire schema: ${m.name} field ${no} is a message without a definition`);
            const d = child.nests ? depth + 1 : depth;
            if (d > lim.maxNesting) throw shapeError(m, no, `AnyValue nesting deeper than ${lim.maxNesting} levels (limits.max_nesting)`, buf, start, at);
            if ((child === KEY_VALUE || child === ANY_VALUE) && ++values > lim.maxAttributes) {
              throw shapeError(m, no, `more than ${lim.maxAttributes} attributes or values in one ${m.name} (limits.max_attributes)`, buf, start, at);
            }
            try {
              if (child === KEY_VALUE) walkKeyValue(buf, pos, stop, depth);
              else {
                const n = walk(buf, pos, stop, child, d);
                if (m.holdsItems) items += n;
              }
            } catch (e) {
              throw e instanceof WireError ? e.within(pathOf(m, no, buf, start, at)) : e;
            }
            break;
          }
          case Kind.String:
            if (!utf8Ok(buf, pos, stop)) throw fieldError(m, no, 'string is not valid UTF-8', buf, start, at);
            break;
          case Kind.TraceId:
            if (len !== 16 && len !== 0) throw fieldError(m, no, `${len} bytes; a trace ID is 16 bytes (or empty)`, buf, start, at);
            break;
          case Kind.SpanId:
            if (len !== 8 && len !== 0) throw fieldError(m, no, `${len} bytes; a span ID is 8 bytes (or empty)`, buf, start, at);
            break;
          case Kind.PackedI64:
            if (len % 8 !== 0) throw fieldError(m, no, `packed fixed64 values of ${len} bytes (not a multiple of 8)`, buf, start, at);
            break;
          case Kind.PackedVarint: {
            let p = pos;
            while (p < stop) {
              p = skipVarint(buf, p, stop);
              if (p < 0) throw fieldError(m, no, 'malformed packed varint', buf, start, at);
            }
            break;
          }
          default: // Bytes
            break;
        }
        pos = stop;
      }
    }
  }
  if (pos !== end) throw fieldError(m, -1, 'last field runs past the end of its message', buf, start, end);
  return m.item ? 1 : items;
}

// ---- attributes: the common shapes, straight-line --------------------------------

const KEY_VALUE = messageDef('KeyValue');
const ANY_VALUE = messageDef('AnyValue');

/**
 * A KeyValue of the usual shape (key, then a scalar value) checked without
 * the generic loop; anything else (nested values, other fields, errors) goes
 * to walk(), which also words the error messages. Attributes are most of a
 * span: this halved the scan's structural cost (0.46 → ~0.25 µs per span of
 * 15 attributes, benchmarks/wire.bench.ts).
 */
function walkKeyValue(buf: Uint8Array, start: number, end: number, depth: number): void {
  let pos = start;
  while (pos < end) {
    const tag = buf[pos] ?? 0;
    if (tag !== 0x0a && tag !== 0x12) return void walk(buf, start, end, KEY_VALUE, depth);
    const len = buf[pos + 1] ?? 0x80;
    const at = pos + 2;
    const stop = at + len;
    if (len >= 0x80 || stop > end) return void walk(buf, start, end, KEY_VALUE, depth);
    if (tag === 0x0a) {
      if (!utf8Ok(buf, at, stop)) return void walk(buf, start, end, KEY_VALUE, depth);
    } else if (!scalarAnyValue(buf, at, stop)) {
      // Arrays, maps, bytes, or anything unusual: the generic walk (with the nesting count).
      if (depth + 1 > lim.maxNesting) return void walk(buf, start, end, KEY_VALUE, depth);
      try {
        walk(buf, at, stop, ANY_VALUE, depth + 1);
      } catch (e) {
        throw e instanceof WireError ? e.within('value') : e;
      }
    }
    pos = stop;
  }
}

/** True for an AnyValue holding one well-formed string, bool, int or double (or nothing). */
function scalarAnyValue(buf: Uint8Array, start: number, end: number): boolean {
  if (start === end) return true;
  switch (buf[start]) {
    case 0x0a: {
      const len = buf[start + 1] ?? 0x80;
      return len < 0x80 && start + 2 + len === end && utf8Ok(buf, start + 2, end);
    }
    case 0x10:
    case 0x18:
      return skipVarint(buf, start + 1, end) === end;
    case 0x21:
      return start + 9 === end;
    default:
      return false;
  }
}

// ---- error paths (built only when something is wrong) -------------------------

/** `name` or `name[i]` for the field whose tag starts at `at` (i counts earlier occurrences). */
function pathOf(m: MessageDef, no: number, buf: Uint8Array, start: number, at: number): string {
  if (no < 0) return '';
  const f = no < m.fields.length ? m.fields[no] : undefined;
  if (!f) return no === 0 ? '' : `<field ${no}>`;
  // Packed numbers are one list however many fields carry them: no index.
  if (!f.repeated || f.kind === Kind.PackedI64 || f.kind === Kind.PackedVarint) return f.name;
  return `${f.name}[${occurrencesBefore(buf, start, at, no)}]`;
}

/** Occurrences of field `no` in buf[start, at), a prefix the scan already accepted. */
function occurrencesBefore(buf: Uint8Array, start: number, at: number, no: number): number {
  let n = 0;
  let pos = start;
  while (pos < at) {
    const tag = readVarint(buf, pos, at);
    if (tag < 0) break;
    pos = vpos;
    if (tag >>> 3 === no) n++;
    try {
      pos = skipUnknown(buf, pos, at, tag & 7, tag >>> 3, 0);
    } catch {
      break;
    }
  }
  return n;
}

function fieldError(m: MessageDef, no: number, reason: string, buf: Uint8Array, start: number, at: number): WireError {
  const e = new WireError(reason);
  const p = pathOf(m, no, buf, start, at);
  return p ? e.within(p) : e;
}

function shapeError(m: MessageDef, no: number, reason: string, buf: Uint8Array, start: number, at: number): WireError {
  const e = new ShapeLimitError(reason);
  const p = pathOf(m, no, buf, start, at);
  return p ? e.within(p) : e;
}

function wrongWire(m: MessageDef, no: number, wt: number, buf: Uint8Array, start: number, at: number): WireError {
  return fieldError(m, no, `wrong wire type: ${WIRE_NAMES[wt]}, expected ${EXPECTED[m.kinds[no] ?? Kind.Unknown] ?? 'another'}`, buf, start, at);
}

// ---- requests -----------------------------------------------------------------

/** One top-level resource entry (ResourceSpans, ResourceMetrics, ResourceLogs) of a request. */
export interface ScannedEntry {
  /** Offset of the field's tag in the request. */
  readonly start: number;
  /** Offset of the entry's own bytes (after tag and length). */
  readonly body: number;
  /** End of the entry. */
  readonly end: number;
  /** Spans, data points or log records it holds. */
  readonly items: number;
}

/**
 * Checks a whole request (`root` is ExportTraceServiceRequest, ...) and lists
 * its top-level entries (field 1). Other top-level fields are checked and
 * left out (the request message has no other field).
 */
export function scanEntries(buf: Uint8Array, root: MessageDef, limits: ShapeLimits = DEFAULT_SHAPE_LIMITS): ScannedEntry[] {
  const entryDef = root.children[1];
  if (!entryDef) throw new Error(`wire schema: ${root.name} has no field 1`);
  view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  lim = limits;
  const out: ScannedEntry[] = [];
  const end = buf.length;
  let pos = 0;
  while (pos < end) {
    const at = pos;
    const tag = readVarint(buf, pos, end);
    if (tag < 0) throw new WireError('truncated or malformed tag');
    pos = vpos;
    const no = Math.floor(tag / 8);
    const wt = tag % 8;
    if (no === 0) throw new WireError('field number 0');
    if (no !== 1) {
      try {
        pos = skipUnknown(buf, pos, end, wt, no, 0);
      } catch (e) {
        throw e instanceof WireError ? e.within(`<unknown field ${no}>`) : e;
      }
      continue;
    }
    const name = root.fields[1]?.name ?? 'entries';
    if (wt !== 2) throw new WireError(`wrong wire type: ${WIRE_NAMES[wt]}, expected length-delimited`).within(`${name}[${out.length}]`);
    const len = readVarint(buf, pos, end);
    if (len < 0) throw new WireError('truncated or malformed length').within(`${name}[${out.length}]`);
    const body = vpos;
    const stop = body + len;
    if (stop > end) throw new WireError(`length ${len} runs past the end of the request`).within(`${name}[${out.length}]`);
    let items: number;
    try {
      items = walk(buf, body, stop, entryDef, 0);
    } catch (e) {
      throw e instanceof WireError ? e.within(`${name}[${out.length}]`) : e;
    }
    out.push({ start: at, body, end: stop, items });
    pos = stop;
  }
  return out;
}

export const REQUEST_DEFS = {
  traces: messageDef('ExportTraceServiceRequest'),
  metrics: messageDef('ExportMetricsServiceRequest'),
  logs: messageDef('ExportLogsServiceRequest'),
} as const;
