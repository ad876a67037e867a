// Locating the top-level fields of a message the scan has accepted (so no
// bounds checks): what cutting and splicing work from.

/** One field of a message, located in its buffer. */
export interface FieldLoc {
  no: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the value (after the length, for length-delimited fields). */
  value: number;
  end: number;
}

// Position after the varint read last (saves returning pairs).
let at = 0;

function varint(buf: Uint8Array, pos: number): number {
  let v = 0;
  let mul = 1;
  let b: number;
  do {
    b = buf[pos++] ?? 0;
    v += (b & 0x7f) * mul;
    mul *= 128;
  } while (b >= 0x80);
  at = pos;
  return v;
}

/** Position after one value of wire type `wt` starting at `pos` (groups skipped to their end tag). */
function skipValue(buf: Uint8Array, pos: number, end: number, wt: number): number {
  switch (wt) {
    case 0:
      varint(buf, pos);
      return at;
    case 1:
      return pos + 8;
    case 5:
      return pos + 4;
    case 2: {
      const len = varint(buf, pos);
      return at + len;
    }
    case 3: {
      // Groups (deprecated) are kept whole: never on the path to items.
      while (pos < end) {
        const tag = varint(buf, pos);
        if (tag % 8 === 4) return at;
        pos = skipValue(buf, at, end, tag % 8);
      }
      return pos;
    }
    default:
      return end;
  }
}

/** The top-level fields of buf[start, end) (a message the scan accepted). */
export function fieldLocs(buf: Uint8Array, start: number, end: number): FieldLoc[] {
  const out: FieldLoc[] = [];
  let pos = start;
  while (pos < end) {
    const tag = varint(buf, pos);
    const wt = tag % 8;
    let value = at;
    let next: number;
    if (wt === 2) {
      const len = varint(buf, at);
      value = at;
      next = at + len;
    } else next = skipValue(buf, at, end, wt);
    out.push({ no: Math.floor(tag / 8), start: pos, value, end: next });
    pos = next;
  }
  return out;
}
