// The index of remote-write 1.0 bytes (one WriteRequest, or pieces of one):
// where each TimeSeries and MetricMetadata entry lies, how many points each
// series holds and its label hash. A batch (encoded.ts) is a list of parts.
// Index entries live in one Int32Array per part (no object per series: a
// million samples a second would otherwise be a million objects for the GC).

/** Series index: stride 4 — tag offset, end offset, points (samples + histograms), label hash (int32). */
export const S_STRIDE = 4;
/** Metadata index: stride 3 — tag offset, end offset, hash of the family name. */
export const M_STRIDE = 3;

const NO_META = new Int32Array(0);

/**
 * Entries of one buffer: series [first, last) of `series` and metadata
 * [mfirst, mlast) of `meta`. The bytes are never written after a part is
 * made, so parts (and the arrays) are shared freely between batches.
 */
export class Part {
  /** Points (samples + native histograms) of the part's series. */
  readonly points: number;
  /** Bytes of the part's entries (tags and lengths included): their share of a WriteRequest. */
  readonly bytes: number;

  constructor(
    readonly buf: Buffer,
    readonly series: Int32Array,
    readonly first: number,
    readonly last: number,
    readonly meta: Int32Array = NO_META,
    readonly mfirst = 0,
    readonly mlast = meta.length / M_STRIDE,
  ) {
    let points = 0;
    let bytes = 0;
    for (let i = first * S_STRIDE, e = last * S_STRIDE; i < e; i += S_STRIDE) {
      bytes += (series[i + 1] ?? 0) - (series[i] ?? 0);
      points += series[i + 2] ?? 0;
    }
    for (let i = mfirst * M_STRIDE, e = mlast * M_STRIDE; i < e; i += M_STRIDE) bytes += (meta[i + 1] ?? 0) - (meta[i] ?? 0);
    this.points = points;
    this.bytes = bytes;
  }

  get seriesCount(): number {
    return this.last - this.first;
  }
  get metaCount(): number {
    return this.mlast - this.mfirst;
  }

  /** Series [from, to) of this part (indices into its arrays), without its metadata. */
  slice(from: number, to: number): Part {
    return new Part(this.buf, this.series, from, to);
  }

  /** This part's series without its metadata. */
  withoutMeta(): Part {
    return this.metaCount === 0 ? this : new Part(this.buf, this.series, this.first, this.last);
  }

  /** This part's metadata alone. */
  metaOnly(): Part {
    return new Part(this.buf, this.series, this.first, this.first, this.meta, this.mfirst, this.mlast);
  }

  /**
   * Copies the entries into out at pos, series then metadata (a valid
   * WriteRequest body); returns the position after them. Adjacent entries
   * are copied as one run.
   */
  copyTo(out: Uint8Array, pos: number): number {
    const s = this.series;
    const buf = this.buf;
    let i = this.first * S_STRIDE;
    const e = this.last * S_STRIDE;
    while (i < e) {
      const start = s[i] ?? 0;
      let end = s[i + 1] ?? 0;
      i += S_STRIDE;
      while (i < e && s[i] === end) {
        end = s[i + 1] ?? 0;
        i += S_STRIDE;
      }
      pos = copyRange(buf, start, end, out, pos);
    }
    const m = this.meta;
    for (let j = this.mfirst * M_STRIDE, me = this.mlast * M_STRIDE; j < me; j += M_STRIDE) pos = copyRange(buf, m[j] ?? 0, m[j + 1] ?? 0, out, pos);
    return pos;
  }
}

/** Copies src[start, end) to out at pos; short runs in JavaScript (a native call costs more), long ones natively. */
export function copyRange(src: Buffer, start: number, end: number, out: Uint8Array, pos: number): number {
  const n = end - start;
  if (n > 96) src.copy(out, pos, start, end);
  else for (let k = 0; k < n; k++) out[pos + k] = src[start + k] ?? 0;
  return pos + n;
}
