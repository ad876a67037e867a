// External labels on the wire: every series gets the configured labels it
// lacks, in sorted position (the series' own value wins, as Prometheus
// does). The series' labels are sorted (the receiver validated them, or the
// exporter sorted decoded ones before encoding), so one merge per series
// writes the new TimeSeries; the rest of its fields are copied as they are.
// Hashes stay those of the series' own labels: the external labels are the
// same for every series, so a series still always lands on one shard.
import { ByteWriter } from '../../pdata/prw/bytewriter.js';
import { EncodedPrw } from '../../pdata/prw/encoded.js';
import { M_STRIDE, Part, S_STRIDE } from '../../pdata/prw/part.js';
import { readVarint, skipValue, wire } from '../../pdata/prw/wire.js';

/** External labels, sorted by name, each as its name's bytes and its encoded Label field. */
export interface ExternalLabels {
  readonly names: readonly Buffer[];
  readonly fields: readonly Buffer[];
}

export function externalLabels(m: Readonly<Record<string, string>>): ExternalLabels {
  const entries = Object.entries(m)
    .map(([name, value]) => ({ name: Buffer.from(name, 'utf8'), value: Buffer.from(value, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.name, b.name));
  return {
    names: entries.map((e) => e.name),
    fields: entries.map((e) => {
      const body = new ByteWriter(e.name.length + e.value.length + 8);
      body.field(1, e.name, 0, e.name.length);
      body.field(2, e.value, 0, e.value.length);
      const f = new ByteWriter(body.pos + 6);
      f.field(1, body.buf, 0, body.pos);
      return f.take();
    }),
  };
}

/** Byte order of a[as, ae) against b (whole). */
function compare(a: Uint8Array, as: number, ae: number, b: Uint8Array): number {
  const n = Math.min(ae - as, b.length);
  for (let k = 0; k < n; k++) {
    const d = (a[as + k] ?? 0) - (b[k] ?? 0);
    if (d !== 0) return d;
  }
  return ae - as - b.length;
}

/** Name bytes of the Label message buf[s, e): [start, end) left in `nameAt`. */
const nameAt = { start: 0, end: 0 };
function labelName(buf: Uint8Array, s: number, e: number): void {
  nameAt.start = nameAt.end = s;
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    p = wire.pos;
    if (tag === 0x0a) {
      const len = readVarint(buf, p, e);
      nameAt.start = wire.pos;
      nameAt.end = wire.pos + len;
      p = wire.pos + len;
    } else p = skipValue(buf, p, e, tag & 7, tag >>> 3);
  }
}

const series = new ByteWriter(1024);

function copyField(f: Buffer | undefined): void {
  if (f) series.copy(f, 0, f.length);
}

/** The batch with the external labels merged into every series (a new batch; `batch` is not changed). */
export function withExternalLabels(batch: EncodedPrw, ext: ExternalLabels): EncodedPrw {
  if (ext.names.length === 0) return batch;
  return new EncodedPrw(batch.parts.map((p) => partWithExternal(p, ext)));
}

function partWithExternal(part: Part, ext: ExternalLabels): Part {
  const buf = part.buf;
  const out = new ByteWriter(part.bytes + part.seriesCount * 32 + 64);
  const n = part.seriesCount;
  const idx = new Int32Array(n * S_STRIDE);
  for (let i = 0; i < n; i++) {
    const k = (part.first + i) * S_STRIDE;
    const start = part.series[k] ?? 0;
    const end = part.series[k + 1] ?? 0;
    readVarint(buf, start, end);
    readVarint(buf, wire.pos, end);
    series.reset();
    const body = wire.pos;
    let j = 0; // next external label
    // Labels first, merged with the external ones; then every other field as it was.
    for (let p = body; p < end; ) {
      const tag = readVarint(buf, p, end);
      const value = wire.pos;
      const next = skipValue(buf, value, end, tag & 7, tag >>> 3);
      if (tag === 0x0a) {
        const len = readVarint(buf, value, end);
        labelName(buf, wire.pos, wire.pos + len);
        for (; j < ext.names.length; j++) {
          const c = compare(buf, nameAt.start, nameAt.end, ext.names[j] as Buffer);
          if (c < 0) break;
          if (c > 0) copyField(ext.fields[j]);
          else {
            j++; // the series has this name: its own value wins
            break;
          }
        }
        series.copy(buf, p, next);
      }
      p = next;
    }
    for (; j < ext.names.length; j++) copyField(ext.fields[j]);
    for (let p = body; p < end; ) {
      const tag = readVarint(buf, p, end);
      const next = skipValue(buf, wire.pos, end, tag & 7, tag >>> 3);
      if (tag !== 0x0a) series.copy(buf, p, next);
      p = next;
    }
    const o = i * S_STRIDE;
    idx[o] = out.pos;
    out.field(1, series.buf, 0, series.pos);
    idx[o + 1] = out.pos;
    idx[o + 2] = part.series[k + 2] ?? 0;
    idx[o + 3] = part.series[k + 3] ?? 0;
  }
  const nm = part.metaCount;
  const meta = new Int32Array(nm * M_STRIDE);
  for (let i = 0; i < nm; i++) {
    const k = (part.mfirst + i) * M_STRIDE;
    const o = i * M_STRIDE;
    meta[o] = out.pos;
    out.copy(buf, part.meta[k] ?? 0, part.meta[k + 1] ?? 0);
    meta[o + 1] = out.pos;
    meta[o + 2] = part.meta[k + 2] ?? 0;
  }
  return new Part(out.take(), idx, 0, n, meta, 0, nm);
}
