// A growable output buffer for writing protobuf on the wire (varints, copied
// ranges, length-delimited fields whose length is known once written).

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.pos = p;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Copies src[s, e). */
  copy(src: Uint8Array, s: number, e: number): void {
    const n = e - s;
    this.ensure(n);
    const b = this.buf;
    const p = this.pos;
    if (n > 64) b.set(src.subarray(s, e), p);
    else for (let k = 0; k < n; k++) b[p + k] = src[s + k] ?? 0;
    this.pos = p + n;
  }

  /** A length-delimited field `no` holding src[s, e). */
  field(no: number, src: Uint8Array, s: number, e: number): void {
    this.varint(no * 8 + 2);
    this.varint(e - s);
    this.copy(src, s, e);
  }

  /** The bytes written (a view: the writer must not be written to again while it is used). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written, as a buffer of their own. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  reset(): void {
    this.pos = 0;
  }
}

/** Bytes a varint of `v` (0 ≤ v < 2^53) takes. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
