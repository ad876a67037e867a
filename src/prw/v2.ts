import type {
  ILabel,
  IMetricMetadata,
  IPromExemplar,
  IPromHistogram,
  ISample,
  ITimeSeries,
  IWriteV2Exemplar,
  IWriteV2Histogram,
  IWriteV2Request,
  IWriteV2TimeSeries,
  Int64,
  PromWrite,
} from '../pdata/proto.js';
import { int64IsZero } from '../pdata/proto.js';
import { METRIC_NAME_LABEL, describeSeries } from './labels.js';

/**
 * Remote-write 2.0 carries its strings once in a symbol table and refers to
 * them by index. Tollgate turns a 2.0 request into the 1.0 shape at the edge,
 * so processors and exporters see one PromWrite shape whatever the sender spoke.
 *
 * What 2.0 has and 1.0 lacks is kept where it is cheap: the created (start)
 * timestamp rides on the series object as `createdTimestamp` (not encoded in
 * 1.0, visible to processors in the same process). Per-series metadata becomes
 * 1.0 per-family metadata.
 */

/** A 1.0 series that came from 2.0 may carry the created timestamp (ms). */
export interface TimeSeriesWithCreated extends ITimeSeries {
  createdTimestamp?: Int64;
}

export class SymbolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SymbolError';
  }
}

const HISTOGRAM_TYPES = new Set([3, 4, 5]); // HISTOGRAM, GAUGEHISTOGRAM, SUMMARY
const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_gsum', '_gcount'];

/** Family name of a series for metadata: classic histogram and summary series share their family's name. */
export function familyName(metric: string, type: number): string {
  if (!HISTOGRAM_TYPES.has(type)) return metric;
  for (const s of FAMILY_SUFFIXES) if (metric.endsWith(s)) return metric.slice(0, -s.length);
  return metric;
}

export interface V2Conversion {
  request: PromWrite;
  samples: number;
  histograms: number;
  exemplars: number;
}

/** Converts a decoded 2.0 request to the 1.0 shape; throws SymbolError on a bad reference. */
export function v2ToV1(req: IWriteV2Request): V2Conversion {
  const symbols = req.symbols ?? [];
  const series = req.timeseries ?? [];
  if (series.length > 0 && symbols.length > 0 && symbols[0] !== '') {
    throw new SymbolError(`symbols[0] must be the empty string, got ${JSON.stringify(symbols[0]!.slice(0, 64))}`);
  }
  const sym = (ref: number, i: number, what: string): string => {
    const s = symbols[ref];
    if (s === undefined) throw new SymbolError(`invalid series #${i}: ${what} ref ${ref} out of range (symbols table has ${symbols.length} entries)`);
    return s;
  };
  const labelsOf = (refs: readonly number[] | null | undefined, i: number, what: string): ILabel[] => {
    const out: ILabel[] = [];
    if (!refs) return out;
    if (refs.length % 2 !== 0) throw new SymbolError(`invalid series #${i}: odd number of ${what} refs (${refs.length})`);
    for (let j = 0; j < refs.length; j += 2) out.push({ name: sym(refs[j]!, i, what), value: sym(refs[j + 1]!, i, what) });
    return out;
  };

  const out: TimeSeriesWithCreated[] = new Array(series.length);
  const metadata: IMetricMetadata[] = [];
  const families = new Set<string>();
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  for (let i = 0; i < series.length; i++) {
    const s: IWriteV2TimeSeries = series[i]!;
    const ts: TimeSeriesWithCreated = { labels: labelsOf(s.labelsRefs, i, 'label') };
    if (s.samples && s.samples.length > 0) {
      const ss: ISample[] = new Array(s.samples.length);
      for (let j = 0; j < ss.length; j++) {
        const v = s.samples[j]!;
        ss[j] = { value: v.value ?? 0, timestamp: v.timestamp ?? 0 };
      }
      ts.samples = ss;
      samples += ss.length;
      const st = s.samples[0]!.startTimestamp;
      if (!int64IsZero(st)) ts.createdTimestamp = st!;
    }
    if (s.histograms && s.histograms.length > 0) {
      // Fields 1–16 of the 2.0 Histogram are those of 1.0, so the decoded
      // objects serve as 1.0 histograms without a copy (1.0 encode ignores
      // the 2.0-only start_timestamp).
      ts.histograms = s.histograms as unknown as IPromHistogram[];
      histograms += s.histograms.length;
      const st = s.histograms[0]!.startTimestamp;
      if (ts.createdTimestamp === undefined && !int64IsZero(st)) ts.createdTimestamp = st!;
    }
    if (s.exemplars && s.exemplars.length > 0) {
      ts.exemplars = s.exemplars.map((e: IWriteV2Exemplar): IPromExemplar => ({
        labels: labelsOf(e.labelsRefs, i, 'exemplar label'),
        value: e.value ?? 0,
        timestamp: e.timestamp ?? 0,
      }));
      exemplars += ts.exemplars.length;
    }
    if (!int64IsZero(s.createdTimestamp)) ts.createdTimestamp = s.createdTimestamp!;
    const md = s.metadata;
    if (md && ((md.type ?? 0) !== 0 || (md.helpRef ?? 0) !== 0 || (md.unitRef ?? 0) !== 0)) {
      const name = ts.labels!.find((l) => l.name === METRIC_NAME_LABEL)?.value;
      if (name) {
        const family = familyName(name, md.type ?? 0);
        if (!families.has(family)) {
          families.add(family);
          metadata.push({
            type: (md.type ?? 0) as number,
            metricFamilyName: family,
            help: sym(md.helpRef ?? 0, i, 'help'),
            unit: sym(md.unitRef ?? 0, i, 'unit'),
          });
        }
      }
    }
    out[i] = ts;
  }
  const request: PromWrite = { timeseries: out };
  if (metadata.length > 0) request.metadata = metadata;
  return { request, samples, histograms, exemplars };
}

/** Builds a 2.0 request from the 1.0 shape (senders of 2.0, tests). */
export function v1ToV2(req: PromWrite): IWriteV2Request {
  const symbols: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string | null | undefined): number => {
    const k = s ?? '';
    let r = index.get(k);
    if (r === undefined) {
      r = symbols.length;
      symbols.push(k);
      index.set(k, r);
    }
    return r;
  };
  const refsOf = (labels: readonly ILabel[] | null | undefined): number[] => {
    const out: number[] = [];
    for (const l of labels ?? []) out.push(ref(l.name), ref(l.value));
    return out;
  };
  const meta = new Map<string, IMetricMetadata>();
  for (const m of req.metadata ?? []) if (m.metricFamilyName) meta.set(m.metricFamilyName, m);

  const timeseries: IWriteV2TimeSeries[] = (req.timeseries ?? []).map((ts) => {
    const s: IWriteV2TimeSeries = { labelsRefs: refsOf(ts.labels) };
    if (ts.samples?.length) s.samples = ts.samples.map((x) => ({ value: x.value ?? 0, timestamp: x.timestamp ?? 0 }));
    if (ts.histograms?.length) s.histograms = ts.histograms as unknown as IWriteV2Histogram[];
    if (ts.exemplars?.length) s.exemplars = ts.exemplars.map((e) => ({ labelsRefs: refsOf(e.labels), value: e.value ?? 0, timestamp: e.timestamp ?? 0 }));
    const created = (ts as TimeSeriesWithCreated).createdTimestamp;
    if (created !== undefined && !int64IsZero(created)) s.createdTimestamp = created;
    const name = ts.labels?.find((l) => l.name === METRIC_NAME_LABEL)?.value;
    if (name) {
      let m = meta.get(name);
      if (!m) for (const suf of FAMILY_SUFFIXES) if (name.endsWith(suf) && (m = meta.get(name.slice(0, -suf.length)))) break;
      if (m) s.metadata = { type: (m.type ?? 0) as number, helpRef: ref(m.help), unitRef: ref(m.unit) };
    }
    return s;
  });
  return { symbols, timeseries };
}

/** For messages: a 2.0 series described by its resolved labels, when they resolve. */
export function describeV2Series(req: IWriteV2Request, i: number): string {
  const s = req.timeseries?.[i];
  const symbols = req.symbols ?? [];
  if (!s) return `#${i}`;
  const refs = s.labelsRefs ?? [];
  const labels: ILabel[] = [];
  for (let j = 0; j + 1 < refs.length; j += 2) labels.push({ name: symbols[refs[j]!] ?? '?', value: symbols[refs[j + 1]!] ?? '?' });
  return describeSeries(labels);
}
