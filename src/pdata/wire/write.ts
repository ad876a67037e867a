// Writing length-delimited protobuf fields from pieces of existing messages:
// what splitting and splicing need (a tag, a length, then bytes copied as is).

/** Bytes a varint of `v` (0 ≤ v < 2^53) takes. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes varint `v` at `pos`; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}

/** Size of a length-delimited field of `len` bytes with field number `no`, tag and length included. */
export function fieldSize(no: number, len: number): number {
  return varintSize(no * 8 + 2) + varintSize(len) + len;
}

/** A slice of an existing buffer: bytes to copy. */
export interface Piece {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly end: number;
}

export function piecesLength(pieces: readonly Piece[]): number {
  let n = 0;
  for (const p of pieces) n += p.end - p.start;
  return n;
}

/**
 * One length-delimited field `no` whose value is the pieces, concatenated.
 * Returns the buffer and the offset of the value in it.
 */
export function writeField(no: number, pieces: readonly Piece[]): { buf: Buffer; body: number } {
  const len = piecesLength(pieces);
  const out = Buffer.allocUnsafe(fieldSize(no, len));
  let pos = writeVarint(out, 0, no * 8 + 2);
  pos = writeVarint(out, pos, len);
  const body = pos;
  for (const p of pieces) {
    out.set(p.buf.subarray(p.start, p.end), pos);
    pos += p.end - p.start;
  }
  return { buf: out, body };
}
