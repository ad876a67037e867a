// Remote-write 2.0 → 1.0 on the wire. A 2.0 Request carries its strings once
// in a symbol table and refers to them by index; everything downstream (the
// exporter, Kafka, the persistent queue) speaks 1.0, so the receiver writes
// the 1.0 bytes straight from the 2.0 ones — labels from the symbols, samples
// and exemplars re-tagged, native histograms copied field by field (fields
// 1–16 are 1.0's; the 2.0-only start_timestamp is dropped), per-series
// metadata turned into 1.0 per-family metadata — and the 1.0 scan then
// validates and indexes the result. No object is built. What 1.0 cannot
// carry (created and start timestamps) is dropped, as the 1.0 encoding of
// the decoded conversion (prw/v2.ts) always did.
import { isUtf8 } from 'node:buffer';
import { METRIC_NAME_LABEL } from '../../prw/labels.js';
import { SymbolError, familyName } from '../../prw/v2.js';
import { ByteWriter } from './bytewriter.js';
import { scanHistogram } from './scan.js';
import { PrwWireError, readVarint, skipValue, skipVarint, wire, wrongType } from './wire.js';

export interface ConvertedV2 {
  /** The 1.0 WriteRequest. */
  raw: Buffer;
  samples: number;
  histograms: number;
  exemplars: number;
}

const fromUtf8 = new TextDecoder();

// Scratch state of one conversion (reused: a conversion runs to its end synchronously).
let symbols: Int32Array = new Int32Array(2 * 1024);
/** A growable list of symbol references. */
class Refs {
  a: Int32Array = new Int32Array(64);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) this.a = growInt(this.a, this.n + 1);
    this.a[this.n++] = v;
  }
}
const seriesRefs = new Refs();
const exemplarRefs = new Refs();
const series = new ByteWriter(1024);
const samplesW = new ByteWriter(256);
const exemplarsW = new ByteWriter(256);
const histogramsW = new ByteWriter(256);
const scratch = new ByteWriter(256);

function growInt(a: Int32Array, need: number): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** Appends the refs of a packed (wt 2) or single (wt 0) uint32 field to `refs`. */
function readRefs(buf: Uint8Array, p: number, e: number, wt: number, refs: Refs, what: string): void {
  if (wt === 0) {
    const v = readVarint(buf, p, e);
    if (v < 0) throw new PrwWireError(`${what}: bad varint`);
    refs.push(v);
    return;
  }
  const len = readVarint(buf, p, e);
  if (len < 0 || wire.pos + len > e) throw new PrwWireError(`${what}: length runs past the end of the message`);
  let q = wire.pos;
  const qe = q + len;
  while (q < qe) {
    const v = readVarint(buf, q, qe);
    if (v < 0) throw new PrwWireError(`${what}: packed varints cut off`);
    refs.push(v);
    q = wire.pos;
  }
}

/** Writes Label messages for `refs` into w; `what` names them in errors. */
function writeLabels(w: ByteWriter, buf: Uint8Array, list: Refs, nsym: number, i: number, what: string): void {
  const refs = list.a;
  const n = list.n;
  if (n % 2 !== 0) throw new SymbolError(`invalid series #${i}: odd number of ${what} refs (${n})`);
  for (let j = 0; j < n; j += 2) {
    const a = refs[j] ?? 0;
    const b = refs[j + 1] ?? 0;
    if (a >= nsym) throw new SymbolError(`invalid series #${i}: ${what} ref ${a} out of range (symbols table has ${nsym} entries)`);
    if (b >= nsym) throw new SymbolError(`invalid series #${i}: ${what} ref ${b} out of range (symbols table has ${nsym} entries)`);
    const ns = symbols[2 * a] ?? 0;
    const ne = symbols[2 * a + 1] ?? 0;
    const vs = symbols[2 * b] ?? 0;
    const ve = symbols[2 * b + 1] ?? 0;
    const nl = ne - ns;
    const vl = ve - vs;
    w.varint((1 << 3) | 2);
    w.varint(1 + sizeOf(nl) + nl + 1 + sizeOf(vl) + vl);
    w.field(1, buf, ns, ne);
    w.field(2, buf, vs, ve);
  }
}

function sizeOf(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

const ZERO8 = new Uint8Array(8);

/** A 1.0 Sample or Exemplar tail: value (fixed64, field vNo) and timestamp (varint, field tNo) copied from the 2.0 message; both always written. */
function writeValueTimestamp(w: ByteWriter, buf: Uint8Array, vAt: number, tAt: number, tEnd: number, vNo: number, tNo: number): void {
  w.varint((vNo << 3) | 1);
  if (vAt >= 0) w.copy(buf, vAt, vAt + 8);
  else w.copy(ZERO8, 0, 8);
  w.varint(tNo << 3);
  if (tAt >= 0) w.copy(buf, tAt, tEnd);
  else w.byte(0);
}

/** Converts a 2.0 Request to 1.0 WriteRequest bytes. Throws PrwWireError (malformed) or SymbolError (bad references). */
export function convertV2(buf: Buffer): ConvertedV2 {
  const end = buf.length;
  // Pass 1: the symbol table and where the series are.
  let nsym = 0;
  const seriesAt: number[] = [];
  let p = 0;
  while (p < end) {
    const tag = readVarint(buf, p, end);
    if (tag < 0) throw new PrwWireError('truncated field tag', `at byte ${p}`);
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 4 || no === 5) {
      const what = no === 4 ? `symbols[${nsym}]` : `timeseries[${seriesAt.length / 2}]`;
      if (wt !== 2) throw new PrwWireError(wrongType(no === 4 ? 'symbols' : 'timeseries', no, wt, 2).reason, what);
      const len = readVarint(buf, p, end);
      if (len < 0 || wire.pos + len > end) throw new PrwWireError('length runs past the end of the request', what);
      const s = wire.pos;
      p = s + len;
      if (no === 4) {
        if (!isUtf8(buf.subarray(s, p))) throw new PrwWireError('invalid UTF-8', what);
        symbols = growInt(symbols, 2 * nsym + 2);
        symbols[2 * nsym] = s;
        symbols[2 * nsym + 1] = p;
        nsym++;
      } else seriesAt.push(s, p);
      continue;
    }
    if (no === 0) throw new PrwWireError('field number 0', `at byte ${p}`);
    p = skipValue(buf, p, end, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
  const nseries = seriesAt.length / 2;
  if (nseries > 0 && nsym > 0 && (symbols[1] ?? 0) > (symbols[0] ?? 0)) {
    const first = fromUtf8.decode(buf.subarray(symbols[0] ?? 0, symbols[1] ?? 0));
    throw new SymbolError(`symbols[0] must be the empty string, got ${JSON.stringify(first.slice(0, 64))}`);
  }

  // Pass 2: each series, written as 1.0.
  const out = new ByteWriter(Math.max(1024, Math.ceil(end * 1.5)));
  const metadata = new ByteWriter(256);
  const families = new Set<string>();
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  for (let i = 0; i < nseries; i++) {
    const ss = seriesAt[2 * i] ?? 0;
    const se = seriesAt[2 * i + 1] ?? 0;
    try {
      const c = convertSeries(buf, ss, se, nsym, i, metadata, families);
      samples += c.samples;
      histograms += c.histograms;
      exemplars += c.exemplars;
    } catch (err) {
      if (err instanceof PrwWireError) throw new PrwWireError(err.reason, err.path ? `timeseries[${i}].${err.path}` : `timeseries[${i}]`);
      throw err;
    }
    out.field(1, series.buf, 0, series.pos);
  }
  out.copy(metadata.buf, 0, metadata.pos);
  return { raw: out.take(), samples, histograms, exemplars };
}

const counts = { samples: 0, histograms: 0, exemplars: 0 };

/** Writes series i (buf[s, e)) as a 1.0 TimeSeries body into `series`; 1.0 metadata into `metadata`. */
function convertSeries(buf: Buffer, s: number, e: number, nsym: number, i: number, metadata: ByteWriter, families: Set<string>): typeof counts {
  series.reset();
  // Labels come first in 1.0; samples, exemplars and histograms are gathered in order meanwhile.
  samplesW.reset();
  exemplarsW.reset();
  histogramsW.reset();
  seriesRefs.n = 0;
  let ns = 0;
  let nh = 0;
  let ne = 0;
  let mdType = 0;
  let mdHelp = 0;
  let mdUnit = 0;
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1) {
      if (wt !== 0 && wt !== 2) throw wrongType('labels_refs', 1, wt, 2);
      readRefs(buf, p, e, wt, seriesRefs, 'labels_refs');
      p = skipValue(buf, p, e, wt, no);
      continue;
    }
    if (no >= 2 && no <= 5) {
      const what = ['', '', 'samples', 'histograms', 'exemplars', 'metadata'][no] ?? '';
      if (wt !== 2) throw wrongType(what, no, wt, 2);
      const len = readVarint(buf, p, e);
      if (len < 0 || wire.pos + len > e) throw new PrwWireError(`${what}: length runs past the end of the series`);
      const ms = wire.pos;
      const me = ms + len;
      p = me;
      if (no === 2) {
        writeSample(samplesW, buf, ms, me, ns);
        ns++;
      } else if (no === 3) {
        try {
          scanHistogram(buf, ms, me, true);
        } catch (err) {
          throw err instanceof PrwWireError ? new PrwWireError(err.reason, `histograms[${nh}]`) : err;
        }
        writeHistogram(histogramsW, buf, ms, me);
        nh++;
      } else if (no === 4) {
        writeExemplar(exemplarsW, buf, ms, me, ne, nsym, i);
        ne++;
      } else {
        const md = readMetadata(buf, ms, me);
        mdType = md.type;
        mdHelp = md.help;
        mdUnit = md.unit;
      }
      continue;
    }
    if (no === 6 && wt !== 0) throw wrongType('created_timestamp', 6, wt, 0);
    if (no === 0) throw new PrwWireError('field number 0');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
  writeLabels(series, buf, seriesRefs, nsym, i, 'label');
  series.copy(samplesW.buf, 0, samplesW.pos);
  series.copy(exemplarsW.buf, 0, exemplarsW.pos);
  series.copy(histogramsW.buf, 0, histogramsW.pos);
  if (mdType !== 0 || mdHelp !== 0 || mdUnit !== 0) addMetadata(metadata, families, buf, nsym, i, mdType, mdHelp, mdUnit);
  counts.samples = ns;
  counts.histograms = nh;
  counts.exemplars = ne;
  return counts;
}

/** A 2.0 Sample (value 1, timestamp 2, start_timestamp 3) as a 1.0 Sample field. */
function writeSample(w: ByteWriter, buf: Uint8Array, s: number, e: number, j: number): void {
  let vAt = -1;
  let tAt = -1;
  let tEnd = -1;
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag', `samples[${j}]`);
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1) {
      if (wt !== 1) throw new PrwWireError(wrongType('value', 1, wt, 1).reason, `samples[${j}]`);
      if (p + 8 > e) throw new PrwWireError('value cut off', `samples[${j}]`);
      vAt = p;
      p += 8;
      continue;
    }
    if ((no === 2 || no === 3) && wt !== 0) throw new PrwWireError(wrongType(no === 2 ? 'timestamp' : 'start_timestamp', no, wt, 0).reason, `samples[${j}]`);
    if (no === 0) throw new PrwWireError('field number 0', `samples[${j}]`);
    const next = skipValue(buf, p, e, wt, no);
    if (next < 0) throw new PrwWireError(`field ${no}: malformed or cut off`, `samples[${j}]`);
    if (no === 2) {
      tAt = p;
      tEnd = next;
    }
    p = next;
  }
  // Sample: 09 <8> 10 <varint>: at most 20 bytes.
  const body = 9 + 1 + (tAt >= 0 ? tEnd - tAt : 1);
  w.varint((2 << 3) | 2);
  w.varint(body);
  writeValueTimestamp(w, buf, vAt, tAt, tEnd, 1, 2);
}

/** A 2.0 Exemplar (labels_refs 1, value 2, timestamp 3) as a 1.0 Exemplar field. */
function writeExemplar(w: ByteWriter, buf: Uint8Array, s: number, e: number, j: number, nsym: number, i: number): void {
  let vAt = -1;
  let tAt = -1;
  let tEnd = -1;
  exemplarRefs.n = 0;
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag', `exemplars[${j}]`);
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1) {
      if (wt !== 0 && wt !== 2) throw new PrwWireError(wrongType('labels_refs', 1, wt, 2).reason, `exemplars[${j}]`);
      readRefs(buf, p, e, wt, exemplarRefs, `exemplars[${j}].labels_refs`);
      p = skipValue(buf, p, e, wt, no);
      continue;
    }
    if (no === 2) {
      if (wt !== 1) throw new PrwWireError(wrongType('value', 2, wt, 1).reason, `exemplars[${j}]`);
      if (p + 8 > e) throw new PrwWireError('value cut off', `exemplars[${j}]`);
      vAt = p;
      p += 8;
      continue;
    }
    if (no === 3 && wt !== 0) throw new PrwWireError(wrongType('timestamp', 3, wt, 0).reason, `exemplars[${j}]`);
    if (no === 0) throw new PrwWireError('field number 0', `exemplars[${j}]`);
    const next = skipValue(buf, p, e, wt, no);
    if (next < 0) throw new PrwWireError(`field ${no}: malformed or cut off`, `exemplars[${j}]`);
    if (no === 3) {
      tAt = p;
      tEnd = next;
    }
    p = next;
  }
  const body = scratch;
  body.reset();
  writeLabels(body, buf, exemplarRefs, nsym, i, 'exemplar label');
  writeValueTimestamp(body, buf, vAt, tAt, tEnd, 2, 3);
  w.field(3, body.buf, 0, body.pos);
}

/** A 2.0 Histogram (already checked) as a 1.0 Histogram field: fields 1–16 copied, the rest dropped. */
function writeHistogram(w: ByteWriter, buf: Uint8Array, s: number, e: number): void {
  const body = scratch;
  body.reset();
  let p = s;
  while (p < e) {
    const start = p;
    const tag = readVarint(buf, p, e);
    const no = tag >>> 3;
    const next = skipValue(buf, wire.pos, e, tag & 7, no);
    if (no >= 1 && no <= 16) body.copy(buf, start, next);
    p = next;
  }
  w.field(4, body.buf, 0, body.pos);
}

function readMetadata(buf: Uint8Array, s: number, e: number): { type: number; help: number; unit: number } {
  const md = { type: 0, help: 0, unit: 0 };
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag', 'metadata');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 || no === 3 || no === 4) {
      if (wt !== 0) throw new PrwWireError(wrongType(no === 1 ? 'type' : no === 3 ? 'help_ref' : 'unit_ref', no, wt, 0).reason, 'metadata');
      const v = readVarint(buf, p, e);
      if (v < 0) {
        // A type enum may be a negative int32 (10 bytes): not a valid MetricType; keep it as unknown.
        const q = skipVarint(buf, p, e);
        if (q < 0) throw new PrwWireError('bad varint', 'metadata');
        p = q;
        continue;
      }
      if (no === 1) md.type = v;
      else if (no === 3) md.help = v;
      else md.unit = v;
      p = wire.pos;
      continue;
    }
    if (no === 0) throw new PrwWireError('field number 0', 'metadata');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`, 'metadata');
  }
  return md;
}

/** 1.0 metadata for the series' family, the first time the family is seen in the request. */
function addMetadata(w: ByteWriter, families: Set<string>, buf: Uint8Array, nsym: number, i: number, type: number, help: number, unit: number): void {
  const refs = seriesRefs.a;
  const nrefs = seriesRefs.n;
  let name: string | undefined;
  for (let j = 0; j + 1 < nrefs; j += 2) {
    const a = refs[j] ?? 0;
    if (fromUtf8.decode(buf.subarray(symbols[2 * a] ?? 0, symbols[2 * a + 1] ?? 0)) === METRIC_NAME_LABEL) {
      const b = refs[j + 1] ?? 0;
      name = fromUtf8.decode(buf.subarray(symbols[2 * b] ?? 0, symbols[2 * b + 1] ?? 0));
      break;
    }
  }
  if (!name) return;
  const family = familyName(name, type);
  if (families.has(family)) return;
  families.add(family);
  const sym = (ref: number, what: string): [number, number] => {
    if (ref >= nsym) throw new SymbolError(`invalid series #${i}: ${what} ref ${ref} out of range (symbols table has ${nsym} entries)`);
    return [symbols[2 * ref] ?? 0, symbols[2 * ref + 1] ?? 0];
  };
  const [hs, he] = sym(help, 'help');
  const [us, ue] = sym(unit, 'unit');
  const fam = Buffer.from(family, 'utf8');
  const body = new ByteWriter(64 + fam.length + (he - hs) + (ue - us));
  body.varint(1 << 3);
  body.varint(type);
  body.field(2, fam, 0, fam.length);
  body.field(4, buf, hs, he);
  body.field(5, buf, us, ue);
  w.field(3, body.buf, 0, body.pos);
}
