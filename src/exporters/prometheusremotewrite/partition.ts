import type { ILabel, IMetricMetadata, IPromHistogram, ITimeSeries, PromWrite } from '../../pdata/proto.js';
import { hashLabels, labelsSorted, sortLabels } from '../../prw/labels.js';

/**
 * Splitting an outgoing request into per-shard chunks.
 *
 * A series' shard is the hash of its (sorted) label set, so every sample of a
 * series goes through the same shard, which sends in order: samples of one
 * series can never overtake each other however many shards run (the
 * out-of-order failure of parallel remote-write senders). Chunks are bounded
 * by samples and by estimated bytes so that batches built from them are too.
 */

/** Settles one incoming request once all of its chunks are sent, refused or abandoned. */
export interface ChunkOwner {
  settle(chunk: Chunk, outcome: ChunkOutcome): void;
}

export type ChunkOutcome = { kind: 'sent' } | { kind: 'rejected'; reason: string } | { kind: 'abandoned' };

export interface Chunk {
  series: ITimeSeries[];
  metadata: IMetricMetadata[];
  /** Samples plus native histograms. */
  points: number;
  /** Estimated encoded size (protobuf, uncompressed). */
  bytes: number;
  /** Tenant header value, or undefined for none. */
  tenant: string | undefined;
  owner: ChunkOwner;
  /** Set once its owner has been told the outcome. */
  settled?: boolean;
}

export interface PartitionLimits {
  shards: number;
  maxSamples: number;
  maxBytes: number;
}

/** External labels as sorted pairs, merged into every series that lacks them. */
export type ExternalLabels = readonly ILabel[];

export function externalLabels(m: Readonly<Record<string, string>>): ExternalLabels {
  return sortLabels(Object.entries(m).map(([name, value]) => ({ name, value })));
}

/** Labels plus the external ones the series lacks; sorted; the input array is not changed. */
export function withExternal(labels: readonly ILabel[], ext: ExternalLabels): readonly ILabel[] {
  if (ext.length === 0) return labels;
  const out: ILabel[] = [];
  let i = 0;
  let j = 0;
  while (i < labels.length || j < ext.length) {
    if (j >= ext.length) out.push(labels[i++]!);
    else if (i >= labels.length) out.push(ext[j++]!);
    else {
      const a = labels[i]!.name ?? '';
      const b = ext[j]!.name ?? '';
      if (a < b) out.push(labels[i++]!);
      else if (a > b) out.push(ext[j++]!);
      else {
        out.push(labels[i++]!); // the series' own value wins, as Prometheus does
        j++;
      }
    }
  }
  return out;
}

function strBytes(s: string | null | undefined): number {
  return s ? s.length : 0;
}

function labelsBytes(labels: readonly ILabel[] | null | undefined): number {
  let n = 0;
  if (labels) for (let i = 0; i < labels.length; i++) n += strBytes(labels[i]!.name) + strBytes(labels[i]!.value) + 6;
  return n;
}

function histogramBytes(h: IPromHistogram): number {
  return (
    48 +
    6 * ((h.negativeSpans?.length ?? 0) + (h.positiveSpans?.length ?? 0)) +
    5 * ((h.negativeDeltas?.length ?? 0) + (h.positiveDeltas?.length ?? 0)) +
    9 * ((h.negativeCounts?.length ?? 0) + (h.positiveCounts?.length ?? 0) + (h.customValues?.length ?? 0))
  );
}

/**
 * Estimated protobuf size of a series: string lengths (exact for ASCII),
 * 20 bytes a sample (tags, double, millisecond varint), histograms by their
 * bucket arrays. Close enough to bound batches; the sender checks the real size.
 */
export function estimateSeriesBytes(ts: ITimeSeries, labelBytes: number): number {
  let n = 6 + labelBytes + 20 * (ts.samples?.length ?? 0);
  const ex = ts.exemplars;
  if (ex) for (let i = 0; i < ex.length; i++) n += 24 + labelsBytes(ex[i]!.labels);
  const hs = ts.histograms;
  if (hs) for (let i = 0; i < hs.length; i++) n += histogramBytes(hs[i]!);
  return n;
}

export function estimateMetadataBytes(m: IMetricMetadata): number {
  return 12 + strBytes(m.metricFamilyName) + strBytes(m.help) + strBytes(m.unit);
}

/**
 * Splits a request into chunks per shard, in request order within each shard.
 * Returns one array per shard (empty when the shard gets nothing).
 */
export function partition(req: PromWrite, lim: PartitionLimits, ext: ExternalLabels, tenant: string | undefined, owner: ChunkOwner): Chunk[][] {
  const out: Chunk[][] = Array.from({ length: lim.shards }, () => []);
  const current: Array<Chunk | undefined> = new Array(lim.shards);
  const open = (s: number): Chunk => {
    const c: Chunk = { series: [], metadata: [], points: 0, bytes: 0, tenant, owner };
    out[s]!.push(c);
    current[s] = c;
    return c;
  };
  const place = (s: number, points: number, bytes: number): Chunk => {
    const c = current[s];
    if (c && (c.points === 0 && c.bytes === 0 || (c.points + points <= lim.maxSamples && c.bytes + bytes <= lim.maxBytes))) return c;
    return open(s);
  };

  const series = req.timeseries ?? [];
  for (let i = 0; i < series.length; i++) {
    let ts = series[i]!;
    let labels: readonly ILabel[] = ts.labels ?? [];
    if (!labelsSorted(labels)) labels = sortLabels(labels);
    labels = withExternal(labels, ext);
    if (labels !== ts.labels) ts = { ...ts, labels: labels as ILabel[] };
    const shard = hashLabels(labels) % lim.shards;
    const lb = labelsBytes(labels);
    const points = (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0);
    if (points <= lim.maxSamples) {
      const bytes = estimateSeriesBytes(ts, lb);
      const c = place(shard, points, bytes);
      c.series.push(ts);
      c.points += points;
      c.bytes += bytes;
      continue;
    }
    // A series longer than a batch: split its samples (then histograms) in
    // order; exemplars ride with the first piece.
    for (const piece of splitSeries(ts, lim.maxSamples)) {
      const p = (piece.samples?.length ?? 0) + (piece.histograms?.length ?? 0);
      const bytes = estimateSeriesBytes(piece, lb);
      const c = place(shard, p, bytes);
      c.series.push(piece);
      c.points += p;
      c.bytes += bytes;
    }
  }
  const md = req.metadata;
  if (md && md.length > 0) {
    for (let i = 0; i < md.length; i++) {
      const m = md[i]!;
      const shard = hashLabels([{ name: '__name__', value: m.metricFamilyName ?? '' }]) % lim.shards;
      const bytes = estimateMetadataBytes(m);
      const c = place(shard, 0, bytes);
      c.metadata.push(m);
      c.bytes += bytes;
    }
  }
  return out;
}

function* splitSeries(ts: ITimeSeries, max: number): Generator<ITimeSeries> {
  const samples = ts.samples ?? [];
  const hist = ts.histograms ?? [];
  let first = true;
  for (let i = 0; i < samples.length; i += max) {
    const piece: ITimeSeries = { labels: ts.labels, samples: samples.slice(i, i + max) };
    if (first && ts.exemplars?.length) piece.exemplars = ts.exemplars;
    first = false;
    yield piece;
  }
  for (let i = 0; i < hist.length; i += max) {
    const piece: ITimeSeries = { labels: ts.labels, histograms: hist.slice(i, i + max) };
    if (first && ts.exemplars?.length) piece.exemplars = ts.exemplars;
    first = false;
    yield piece;
  }
}
