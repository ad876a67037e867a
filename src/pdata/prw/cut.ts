// Cutting one remote-write series (a TimeSeries entry of a scanned part) in
// two at a point boundary, on the wire: the head gets the labels, the first
// `n` points (float samples first, then native histograms, as the decoded
// split counts them) and all exemplars; the rest gets the labels and the
// remaining points. Only needed when a single series holds more points than
// a batch may (a series is otherwise never cut).
import { ByteWriter } from './bytewriter.js';
import { Part, S_STRIDE } from './part.js';
import { readVarint, skipValue, wire } from './wire.js';

/** Head and rest of series `i` of `part` after `n` points (0 < n < its points), as two one-series parts. */
export function cutSeries(part: Part, i: number, n: number): [Part, Part] {
  const k = i * S_STRIDE;
  const buf = part.buf;
  const start = part.series[k] ?? 0;
  const end = part.series[k + 1] ?? 0;
  const hash = part.series[k + 3] ?? 0;
  readVarint(buf, start, end);
  readVarint(buf, wire.pos, end);
  const s = wire.pos;
  // Field ranges by kind (the series was scanned, so it is well-formed).
  const labels: number[] = [];
  const samples: number[] = [];
  const exemplars: number[] = [];
  const histograms: number[] = [];
  const other: number[] = [];
  let p = s;
  while (p < end) {
    const at = p;
    const tag = readVarint(buf, p, end);
    const no = tag >>> 3;
    const next = skipValue(buf, wire.pos, end, tag & 7, no);
    const into = no === 1 ? labels : no === 2 ? samples : no === 3 ? exemplars : no === 4 ? histograms : other;
    into.push(at, next);
    p = next;
  }
  const ns = samples.length / 2;
  const nh = histograms.length / 2;
  const headSamples = Math.min(n, ns);
  const headHist = Math.min(n - headSamples, nh);
  const head = body(buf, labels, samples, 0, headSamples, exemplars, histograms, 0, headHist, other);
  const rest = body(buf, labels, samples, headSamples, ns, [], histograms, headHist, nh, []);
  return [onePart(head, headSamples + headHist, hash), onePart(rest, ns - headSamples + nh - headHist, hash)];
}

function body(
  buf: Buffer,
  labels: number[],
  samples: number[],
  s0: number,
  s1: number,
  exemplars: number[],
  histograms: number[],
  h0: number,
  h1: number,
  other: number[],
): ByteWriter {
  const w = new ByteWriter(256);
  const put = (ranges: number[], from: number, to: number) => {
    for (let j = from; j < to; j++) w.copy(buf, ranges[2 * j] ?? 0, ranges[2 * j + 1] ?? 0);
  };
  put(labels, 0, labels.length / 2);
  put(samples, s0, s1);
  put(exemplars, 0, exemplars.length / 2);
  put(histograms, h0, h1);
  put(other, 0, other.length / 2);
  return w;
}

/** A part holding one TimeSeries field whose body is `w`. */
function onePart(w: ByteWriter, points: number, hash: number): Part {
  const out = new ByteWriter(w.pos + 8);
  out.field(1, w.buf, 0, w.pos);
  const buf = out.take();
  const idx = new Int32Array(S_STRIDE);
  idx[0] = 0;
  idx[1] = buf.length;
  idx[2] = points;
  idx[3] = hash;
  return new Part(buf, idx, 0, 1);
}
