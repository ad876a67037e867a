// One pass over a remote-write 1.0 WriteRequest as it arrived (snappy
// already undone): checks that it is well-formed protobuf all the way down
// (lengths, wire types of known fields, varints, strict UTF-8 strings, packed
// fields), validates every series' labels as the specification requires of
// a receiver (sorted by name, no duplicates, no empty name or value, valid
// label and metric names), counts samples, histograms and exemplars, and
// indexes the top-level TimeSeries and MetricMetadata entries with each
// series' points and label hash (hash.ts) — without building an object.
//
// What it accepts, protobufjs and Prometheus decode; known fields with a
// foreign wire type are refused (as Go's protobuf does; protobufjs misreads
// them). Unknown fields are skipped by wire type and kept in the bytes.
// Labels are compared as bytes (UTF-8 order, as Prometheus compares them).
// The 400 message for a series with bad labels is the one the decoded
// validation (prw/validate.ts) gives: that series alone is decoded to say it.
import { isUtf8 } from 'node:buffer';
import { TimeSeries } from '../proto.js';
import { checkSeries, describeInvalid, type InvalidReason, type InvalidSeries } from '../../prw/validate.js';
import { HASH_SEED, finishHash, hashBytes } from './hash.js';
import { M_STRIDE, Part, S_STRIDE } from './part.js';
import { PrwWireError, readVarint, skipValue, skipVarint, wire, wrongType } from './wire.js';

export interface ScannedWrite {
  part: Part;
  samples: number;
  histograms: number;
  exemplars: number;
  /** The first series whose labels break the specification (only when validating). */
  invalid?: InvalidSeries;
}

// Byte classes of label and metric names.
const LABEL_FIRST = 1;
const LABEL_REST = 2;
const METRIC_FIRST = 4;
const METRIC_REST = 8;
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  const alpha = /[a-zA-Z_]/.test(ch);
  const digit = /[0-9]/.test(ch);
  CLASS[c] = (alpha ? LABEL_FIRST | METRIC_FIRST : 0) | (alpha || digit ? LABEL_REST | METRIC_REST : 0) | (ch === ':' ? METRIC_FIRST | METRIC_REST : 0);
}
// "__name__"
const NAME_LABEL = [0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f];

function validName(buf: Uint8Array, s: number, e: number, first: number, rest: number): boolean {
  if (((CLASS[buf[s] ?? 0] ?? 0) & first) === 0) return false;
  for (let p = s + 1; p < e; p++) if (((CLASS[buf[p] ?? 0] ?? 0) & rest) === 0) return false;
  return true;
}

function isNameLabel(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 8) return false;
  for (let k = 0; k < 8; k++) if (buf[s + k] !== NAME_LABEL[k]) return false;
  return true;
}

/** Byte order of buf[as, ae) against buf[bs, be): <0, 0, >0. */
function compareBytes(buf: Uint8Array, as: number, ae: number, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = (buf[as + k] ?? 0) - (buf[bs + k] ?? 0);
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

/** True when buf[s, e) is ASCII (four bytes per step), else whether it is valid UTF-8. */
function utf8(buf: Uint8Array, dv: DataView, s: number, e: number): boolean {
  let acc = 0;
  let p = s;
  for (; p + 4 <= e; p += 4) acc |= dv.getInt32(p, true);
  for (; p < e; p++) acc |= buf[p] ?? 0;
  return (acc & 0x80808080) === 0 || isUtf8(buf.subarray(s, e));
}

const SERIES_FIELDS = ['', 'labels', 'samples', 'exemplars', 'histograms'];

// Results of the last scanLabel / scanSeries (module variables: nothing is allocated per label).
let lName = 0;
let lNameEnd = 0;
let lValue = 0;
let lValueEnd = 0;
let sSamples = 0;
let sHistograms = 0;
let sExemplars = 0;
let sHash = 0;
let sBad = false;

/** Locates name and value of the Label message buf[s, e); throws on malformed input. */
function scanLabel(buf: Uint8Array, s: number, e: number): void {
  lName = lNameEnd = lValue = lValueEnd = s;
  // Canonical encoding first: 0x0a len name 0x12 len value, one-byte lengths.
  if (buf[s] === 0x0a) {
    const nl = buf[s + 1] ?? 0;
    if (nl < 0x80 && s + 2 + nl + 2 <= e && buf[s + 2 + nl] === 0x12) {
      const vl = buf[s + 3 + nl] ?? 0;
      if (vl < 0x80 && s + 4 + nl + vl === e) {
        lName = s + 2;
        lNameEnd = lName + nl;
        lValue = lNameEnd + 2;
        lValueEnd = e;
        return;
      }
    }
  }
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 || no === 2) {
      if (wt !== 2) throw wrongType(no === 1 ? 'name' : 'value', no, wt, 2);
      const len = readVarint(buf, p, e);
      if (len < 0 || wire.pos + len > e) throw new PrwWireError(`${no === 1 ? 'name' : 'value'}: length runs past the end of the label`);
      if (no === 1) {
        lName = wire.pos;
        lNameEnd = wire.pos + len;
      } else {
        lValue = wire.pos;
        lValueEnd = wire.pos + len;
      }
      p = wire.pos + len;
    } else {
      if (no === 0) throw new PrwWireError('field number 0');
      p = skipValue(buf, p, e, wt, no);
      if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
    }
  }
}

/** Checks the Sample message buf[s, e). */
function scanSample(buf: Uint8Array, s: number, e: number): void {
  // Canonical: 0x09 <8 bytes> 0x10 <varint>.
  if (buf[s] === 0x09 && s + 10 < e && buf[s + 9] === 0x10 && skipVarint(buf, s + 10, e) === e) return;
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 && wt !== 1) throw wrongType('value', 1, wt, 1);
    if (no === 2 && wt !== 0) throw wrongType('timestamp', 2, wt, 0);
    if (no === 0) throw new PrwWireError('field number 0');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
}

/** Checks the Exemplar message buf[s, e): labels (UTF-8), value, timestamp. */
function scanExemplar(buf: Uint8Array, dv: DataView, s: number, e: number): void {
  let p = s;
  let j = 0;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1) {
      if (wt !== 2) throw wrongType('labels', 1, wt, 2);
      const len = readVarint(buf, p, e);
      if (len < 0 || wire.pos + len > e) throw new PrwWireError(`labels[${j}]: length runs past the end of the exemplar`);
      const ls = wire.pos;
      p = ls + len;
      try {
        scanLabel(buf, ls, p);
      } catch (err) {
        throw within(err, `labels[${j}]`);
      }
      if (!utf8(buf, dv, lName, lNameEnd)) throw new PrwWireError('name: invalid UTF-8', `labels[${j}]`);
      if (!utf8(buf, dv, lValue, lValueEnd)) throw new PrwWireError('value: invalid UTF-8', `labels[${j}]`);
      j++;
      continue;
    }
    if (no === 2 && wt !== 1) throw wrongType('value', 2, wt, 1);
    if (no === 3 && wt !== 0) throw wrongType('timestamp', 3, wt, 0);
    if (no === 0) throw new PrwWireError('field number 0');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
}

// Native histogram fields (1.0 and 2.0 share 1–16; 2.0 adds 17): the wire
// type each must have; packed repeated ones also arrive unpacked.
const H_VARINT = 1;
const H_FIXED64 = 2;
const H_SPANS = 3;
const H_PACKED_VARINT = 4;
const H_PACKED_FIXED64 = 5;
const HISTOGRAM_FIELDS: readonly number[] = [
  0,
  H_VARINT, // 1 count_int
  H_FIXED64, // 2 count_float
  H_FIXED64, // 3 sum
  H_VARINT, // 4 schema
  H_FIXED64, // 5 zero_threshold
  H_VARINT, // 6 zero_count_int
  H_FIXED64, // 7 zero_count_float
  H_SPANS, // 8 negative_spans
  H_PACKED_VARINT, // 9 negative_deltas
  H_PACKED_FIXED64, // 10 negative_counts
  H_SPANS, // 11 positive_spans
  H_PACKED_VARINT, // 12 positive_deltas
  H_PACKED_FIXED64, // 13 positive_counts
  H_VARINT, // 14 reset_hint
  H_VARINT, // 15 timestamp
  H_PACKED_FIXED64, // 16 custom_values
  H_VARINT, // 17 start_timestamp (2.0)
];

/** Checks a native Histogram message buf[s, e) (1.0, or 2.0 with `v2`). */
export function scanHistogram(buf: Uint8Array, s: number, e: number, v2: boolean): void {
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 0) throw new PrwWireError('field number 0');
    const kind = no < 17 || (v2 && no === 17) ? (HISTOGRAM_FIELDS[no] ?? 0) : 0;
    if (kind === H_VARINT || kind === H_FIXED64) {
      const want = kind === H_VARINT ? 0 : 1;
      if (wt !== want) throw wrongType(`histogram field ${no}`, no, wt, want);
    } else if (kind === H_SPANS) {
      if (wt !== 2) throw wrongType('spans', no, wt, 2);
      const len = readVarint(buf, p, e);
      if (len < 0 || wire.pos + len > e) throw new PrwWireError(`field ${no}: length runs past the end of the histogram`);
      const ss = wire.pos;
      p = ss + len;
      scanSpan(buf, ss, p);
      continue;
    } else if (kind === H_PACKED_VARINT || kind === H_PACKED_FIXED64) {
      const single = kind === H_PACKED_VARINT ? 0 : 1;
      if (wt === 2) {
        const len = readVarint(buf, p, e);
        if (len < 0 || wire.pos + len > e) throw new PrwWireError(`field ${no}: length runs past the end of the histogram`);
        const vs = wire.pos;
        const ve = vs + len;
        if (single === 1) {
          if (len % 8 !== 0) throw new PrwWireError(`field ${no}: packed doubles of ${len} bytes (not a multiple of 8)`);
        } else {
          for (let q = vs; q < ve; ) {
            q = skipVarint(buf, q, ve);
            if (q < 0) throw new PrwWireError(`field ${no}: packed varints cut off`);
          }
        }
        p = ve;
        continue;
      }
      if (wt !== single) throw wrongType(`histogram field ${no}`, no, wt, single);
    }
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
}

function scanSpan(buf: Uint8Array, s: number, e: number): void {
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if ((no === 1 || no === 2) && wt !== 0) throw wrongType(no === 1 ? 'offset' : 'length', no, wt, 0);
    if (no === 0) throw new PrwWireError('field number 0');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
}

function within(err: unknown, segment: string): unknown {
  if (!(err instanceof PrwWireError)) return err;
  return new PrwWireError(err.reason, err.path ? `${segment}.${err.path}` : segment);
}

/**
 * Scans the TimeSeries message buf[s, e): sets sSamples, sHistograms,
 * sExemplars, sHash, and sBad (labels break the specification; checked
 * only with `validate`). Throws PrwWireError for malformed protobuf.
 */
function scanSeries(buf: Uint8Array, dv: DataView, s: number, e: number, validate: boolean): void {
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  let h = HASH_SEED;
  let bad = false;
  let labels = 0;
  let metric = -1;
  let metricEnd = -1;
  let prevName = 0;
  let prevNameEnd = 0;
  let p = s;
  while (p < e) {
    let tag = buf[p] ?? 0;
    if (tag < 0x80) p++;
    else {
      tag = readVarint(buf, p, e);
      if (tag < 0) throw new PrwWireError('truncated field tag');
      p = wire.pos;
    }
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no >= 1 && no <= 4) {
      if (wt !== 2) throw wrongType(SERIES_FIELDS[no] ?? '', no, wt, 2);
      let len = buf[p] ?? 0;
      if (len < 0x80 && p < e) p++;
      else {
        len = readVarint(buf, p, e);
        if (len < 0) throw new PrwWireError(`field ${no}: bad length`);
        p = wire.pos;
      }
      const ms = p;
      const me = p + len;
      if (me > e)
        throw new PrwWireError(
          `${SERIES_FIELDS[no]}[${no === 1 ? labels : no === 2 ? samples : no === 3 ? exemplars : histograms}]: length runs past the end of the series`,
        );
      p = me;
      if (no === 2) {
        try {
          scanSample(buf, ms, me);
        } catch (err) {
          throw within(err, `samples[${samples}]`);
        }
        samples++;
      } else if (no === 1) {
        try {
          scanLabel(buf, ms, me);
        } catch (err) {
          throw within(err, `labels[${labels}]`);
        }
        const ns = lName;
        const ne = lNameEnd;
        const vs = lValue;
        const ve = lValueEnd;
        // Hash name and value, and see whether the value is ASCII, in one read.
        let acc = 0;
        let q = ns;
        for (; q + 4 <= ne; q += 4) h = Math.imul(h ^ dv.getInt32(q, true), 0x01000193);
        for (; q < ne; q++) h = Math.imul(h ^ (buf[q] ?? 0), 0x01000193);
        h = Math.imul(h ^ 0xff, 0x01000193);
        q = vs;
        for (; q + 4 <= ve; q += 4) {
          const w = dv.getInt32(q, true);
          acc |= w;
          h = Math.imul(h ^ w, 0x01000193);
        }
        for (; q < ve; q++) {
          const b = buf[q] ?? 0;
          acc |= b;
          h = Math.imul(h ^ b, 0x01000193);
        }
        h = Math.imul(h ^ 0xfe, 0x01000193);
        if ((acc & 0x80808080) !== 0 && !isUtf8(buf.subarray(vs, ve))) throw new PrwWireError('value: invalid UTF-8', `labels[${labels}]`);
        if (isNameLabel(buf, ns, ne)) {
          metric = vs;
          metricEnd = ve;
        } else if (validate) {
          if (ne > ns && !validName(buf, ns, ne, LABEL_FIRST, LABEL_REST)) {
            if (!isUtf8(buf.subarray(ns, ne))) throw new PrwWireError('name: invalid UTF-8', `labels[${labels}]`);
            bad = true;
          }
        } else if (!utf8(buf, dv, ns, ne)) throw new PrwWireError('name: invalid UTF-8', `labels[${labels}]`);
        if (validate && !bad) {
          if (ne === ns || ve === vs || (labels > 0 && compareBytes(buf, ns, ne, prevName, prevNameEnd) <= 0)) bad = true;
        }
        prevName = ns;
        prevNameEnd = ne;
        labels++;
      } else if (no === 4) {
        try {
          scanHistogram(buf, ms, me, false);
        } catch (err) {
          throw within(err, `histograms[${histograms}]`);
        }
        histograms++;
      } else {
        try {
          scanExemplar(buf, dv, ms, me);
        } catch (err) {
          throw within(err, `exemplars[${exemplars}]`);
        }
        exemplars++;
      }
      continue;
    }
    if (no === 0) throw new PrwWireError('field number 0');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
  if (validate && !bad) {
    if (labels === 0 || metric < 0 || metricEnd === metric || !validName(buf, metric, metricEnd, METRIC_FIRST, METRIC_REST)) bad = true;
  }
  sSamples = samples;
  sHistograms = histograms;
  sExemplars = exemplars;
  sHash = finishHash(h);
  sBad = bad;
}

/** Checks a MetricMetadata message buf[s, e); returns the hash of its family name (for shard choice). */
function scanMetadata(buf: Uint8Array, dv: DataView, s: number, e: number): number {
  let fs = s;
  let fe = s;
  let p = s;
  while (p < e) {
    const tag = readVarint(buf, p, e);
    if (tag < 0) throw new PrwWireError('truncated field tag');
    p = wire.pos;
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 && wt !== 0) throw wrongType('type', 1, wt, 0);
    if (no === 2 || no === 4 || no === 5) {
      const what = no === 2 ? 'metric_family_name' : no === 4 ? 'help' : 'unit';
      if (wt !== 2) throw wrongType(what, no, wt, 2);
      const len = readVarint(buf, p, e);
      if (len < 0 || wire.pos + len > e) throw new PrwWireError(`${what}: length runs past the end of the metadata`);
      if (!utf8(buf, dv, wire.pos, wire.pos + len)) throw new PrwWireError(`${what}: invalid UTF-8`);
      if (no === 2) {
        fs = wire.pos;
        fe = wire.pos + len;
      }
      p = wire.pos + len;
      continue;
    }
    if (no === 0) throw new PrwWireError('field number 0');
    p = skipValue(buf, p, e, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`);
  }
  return familyHash(buf, dv, fs, fe);
}

const NAME_LABEL_BYTES = new Uint8Array(NAME_LABEL);
const NAME_LABEL_DV = new DataView(NAME_LABEL_BYTES.buffer);

/** Hash of {__name__=family}: metadata goes to the shard its family's series name would pick. */
export function familyHash(buf: Uint8Array, dv: DataView, s: number, e: number): number {
  let h = hashBytes(HASH_SEED, NAME_LABEL_BYTES, NAME_LABEL_DV, 0, 8);
  h = Math.imul(h ^ 0xff, 0x01000193);
  h = Math.imul(hashBytes(h, buf, dv, s, e) ^ 0xfe, 0x01000193);
  return finishHash(h);
}

// Scratch index, grown as needed; each scan copies out what it filled.
let seriesScratch: Int32Array = new Int32Array(S_STRIDE * 1024);
let metaScratch: Int32Array = new Int32Array(M_STRIDE * 64);

function grow(a: Int32Array, need: number): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Scans a WriteRequest. With `validate`, series labels are checked against
 * the specification and the first offender is reported (the scan still
 * finishes, so a malformed request is refused as undecodable whatever comes
 * first). Throws PrwWireError for malformed protobuf.
 */
export function scanWriteRequest(raw: Buffer, validate: boolean): ScannedWrite {
  const buf = raw;
  const end = buf.length;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  let m = 0;
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  let firstBad = -1;
  let p = 0;
  while (p < end) {
    const start = p;
    let tag = buf[p] ?? 0;
    if (tag < 0x80) p++;
    else {
      tag = readVarint(buf, p, end);
      if (tag < 0) throw new PrwWireError('truncated field tag', `at byte ${p}`);
      p = wire.pos;
    }
    const no = tag >>> 3;
    const wt = tag & 7;
    if (no === 1 || no === 3) {
      const what = no === 1 ? `timeseries[${n}]` : `metadata[${m}]`;
      if (wt !== 2) throw new PrwWireError(wrongType(no === 1 ? 'timeseries' : 'metadata', no, wt, 2).reason, what);
      const len = readVarint(buf, p, end);
      if (len < 0 || wire.pos + len > end) throw new PrwWireError('length runs past the end of the request', what);
      const ms = wire.pos;
      p = ms + len;
      if (no === 1) {
        try {
          scanSeries(buf, dv, ms, p, validate);
        } catch (err) {
          throw within(err, what);
        }
        seriesScratch = grow(seriesScratch, (n + 1) * S_STRIDE);
        const k = n * S_STRIDE;
        seriesScratch[k] = start;
        seriesScratch[k + 1] = p;
        seriesScratch[k + 2] = sSamples + sHistograms;
        seriesScratch[k + 3] = sHash | 0;
        samples += sSamples;
        histograms += sHistograms;
        exemplars += sExemplars;
        if (sBad && firstBad < 0) firstBad = n;
        n++;
      } else {
        let hash: number;
        try {
          hash = scanMetadata(buf, dv, ms, p);
        } catch (err) {
          throw within(err, what);
        }
        metaScratch = grow(metaScratch, (m + 1) * M_STRIDE);
        const k = m * M_STRIDE;
        metaScratch[k] = start;
        metaScratch[k + 1] = p;
        metaScratch[k + 2] = hash | 0;
        m++;
      }
      continue;
    }
    if (no === 0) throw new PrwWireError('field number 0', `at byte ${start}`);
    p = skipValue(buf, p, end, wt, no);
    if (p < 0) throw new PrwWireError(`field ${no}: malformed or cut off`, `at byte ${start}`);
  }
  const series = seriesScratch.slice(0, n * S_STRIDE);
  const meta = m > 0 ? metaScratch.slice(0, m * M_STRIDE) : undefined;
  const part = new Part(buf, series, 0, n, meta);
  const out: ScannedWrite = { part, samples, histograms, exemplars };
  if (firstBad >= 0) out.invalid = invalidSeries(part, firstBad);
  return out;
}

/** The message for series `i`, which the byte checks refused: the decoded validation's words. */
function invalidSeries(part: Part, i: number): InvalidSeries {
  const k = i * S_STRIDE;
  const start = part.series[k] ?? 0;
  const end = part.series[k + 1] ?? 0;
  readVarint(part.buf, start, end); // tag
  readVarint(part.buf, wire.pos, end); // length
  const ts = TimeSeries.decode(part.buf.subarray(wire.pos, end));
  const why = checkSeries(ts) ?? { reason: 'invalid label name' as InvalidReason, detail: '' };
  return describeInvalid(i, ts, why);
}
