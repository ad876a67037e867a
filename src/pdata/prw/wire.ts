// Protobuf wire reading for the remote-write scanners: bounds-checked varints
// and field skipping, without allocating. A varint's end position is left in
// `wire.pos` (a module variable: no pair is returned).

/** Malformed protobuf: `path` is where (`timeseries[3].samples[0]`), `reason` what. */
export class PrwWireError extends Error {
  override name = 'PrwWireError';
  constructor(
    readonly reason: string,
    readonly path = '',
  ) {
    super(path ? `${path}: ${reason}` : reason);
  }
}

export const wire = { pos: 0 };

/**
 * A tag or length varint at `pos` (at most 5 bytes, below 2^32), with
 * `wire.pos` after it; -1 when cut off by `end` or longer.
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  if (pos < end) {
    const b = buf[pos] ?? 0;
    if (b < 0x80) {
      wire.pos = pos + 1;
      return b;
    }
  }
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return -1;
    const b = buf[pos++] ?? 0;
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      wire.pos = pos;
      return v > 0xffffffff ? -1 : v;
    }
    mul *= 128;
  }
  return -1;
}

/** Position after a varint of up to 10 bytes at `pos`, or -1. */
export function skipVarint(buf: Uint8Array, pos: number, end: number): number {
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return -1;
    if ((buf[pos++] ?? 0) < 0x80) return pos;
  }
  return -1;
}

/** Most nested groups skipped in an unknown field. */
const MAX_GROUP_DEPTH = 64;

/**
 * Position after the value of a field of wire type `wt` whose tag ends at
 * `pos`, or -1 when it is cut off or malformed. Unknown fields are skipped
 * this way (and kept in pass-through bytes). Groups (deprecated) are skipped
 * to their end tag.
 */
export function skipValue(buf: Uint8Array, pos: number, end: number, wt: number, field: number, depth = 0): number {
  switch (wt) {
    case 0:
      return skipVarint(buf, pos, end);
    case 1:
      return pos + 8 <= end ? pos + 8 : -1;
    case 5:
      return pos + 4 <= end ? pos + 4 : -1;
    case 2: {
      const len = readVarint(buf, pos, end);
      if (len < 0) return -1;
      const next = wire.pos + len;
      return next <= end ? next : -1;
    }
    case 3: {
      if (depth >= MAX_GROUP_DEPTH) return -1;
      while (pos < end) {
        const tag = readVarint(buf, pos, end);
        if (tag < 0) return -1;
        pos = wire.pos;
        const w = tag & 7;
        if (w === 4) return tag >>> 3 === field ? pos : -1;
        pos = skipValue(buf, pos, end, w, tag >>> 3, depth + 1);
        if (pos < 0) return -1;
      }
      return -1;
    }
    default:
      return -1;
  }
}

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit', 'wire type 6', 'wire type 7'];

export function wireName(wt: number): string {
  return WIRE_NAMES[wt] ?? `wire type ${wt}`;
}

/** The error for a known field that arrived with another wire type than its own. */
export function wrongType(field: string, no: number, wt: number, want: number): PrwWireError {
  return new PrwWireError(`field ${no} (${field}) has wire type ${wireName(wt)}, expected ${wireName(want)}`);
}
