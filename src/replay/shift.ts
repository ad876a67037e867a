// Timestamps in payloads: finding their range and moving them all by one
// offset, so a replay lands at "now" while every interval between samples,
// and so every rate, counter increase and histogram, stays as captured.
//
// OTLP (nanoseconds): span start/end and event times; log time and observed
// time; metric point time, start time and exemplar time (every point type).
// Remote-write (milliseconds): sample, histogram and exemplar timestamps, and
// 2.0's created timestamp. A zero timestamp means "unset" and stays zero.
import type { Signal } from '../component/signal.js';
import { Long, int64IsZero, int64ToBigInt, type Int64, type IWriteV2Request, type Logs, type Metrics, type PromWrite, type Traces } from '../pdata/proto.js';

/** A decoded payload. */
export type Payload =
  | { kind: 'otlp'; signal: 'traces'; data: Traces }
  | { kind: 'otlp'; signal: 'metrics'; data: Metrics }
  | { kind: 'otlp'; signal: 'logs'; data: Logs }
  | { kind: 'prw1'; data: PromWrite }
  | { kind: 'prw2'; data: IWriteV2Request };

export function payloadSignal(p: Payload): Signal {
  return p.kind === 'otlp' ? p.signal : 'metrics';
}

/** Range of the observation times in a payload, in ns (undefined fields: none found). */
export interface TimeRange {
  minNs?: bigint;
  maxNs?: bigint;
}

type Visit = (v: Int64 | null | undefined, set: (x: Int64) => void, observation: boolean) => void;

/** Calls `visit` for every timestamp field (OTLP ns; remote-write ms, flagged by `ms`). */
function walk(p: Payload, visit: Visit, ms: Visit): void {
  switch (p.kind) {
    case 'otlp':
      if (p.signal === 'traces') {
        for (const rs of p.data.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? []) {
              visit(s.startTimeUnixNano, (x) => (s.startTimeUnixNano = x), true);
              visit(s.endTimeUnixNano, (x) => (s.endTimeUnixNano = x), true);
              for (const e of s.events ?? []) visit(e.timeUnixNano, (x) => (e.timeUnixNano = x), true);
            }
      } else if (p.signal === 'logs') {
        for (const rl of p.data.resourceLogs ?? [])
          for (const sl of rl.scopeLogs ?? [])
            for (const l of sl.logRecords ?? []) {
              visit(l.timeUnixNano, (x) => (l.timeUnixNano = x), true);
              visit(l.observedTimeUnixNano, (x) => (l.observedTimeUnixNano = x), true);
            }
      } else {
        for (const rm of p.data.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics ?? [])
            for (const m of sm.metrics ?? []) {
              const pts = (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints ?? [];
              for (const dp of pts as Array<{
                timeUnixNano?: Int64 | null;
                startTimeUnixNano?: Int64 | null;
                exemplars?: Array<{ timeUnixNano?: Int64 | null }> | null;
              }>) {
                visit(dp.timeUnixNano, (x) => (dp.timeUnixNano = x), true);
                // A cumulative start time may lie long before the capture: shifted, but not part of its span.
                visit(dp.startTimeUnixNano, (x) => (dp.startTimeUnixNano = x), false);
                for (const ex of dp.exemplars ?? []) visit(ex.timeUnixNano, (x) => (ex.timeUnixNano = x), true);
              }
            }
      }
      return;
    case 'prw1':
      for (const ts of p.data.timeseries ?? []) {
        for (const s of ts.samples ?? []) ms(s.timestamp, (x) => (s.timestamp = x), true);
        for (const h of ts.histograms ?? []) ms(h.timestamp, (x) => (h.timestamp = x), true);
        for (const e of ts.exemplars ?? []) ms(e.timestamp, (x) => (e.timestamp = x), true);
      }
      return;
    case 'prw2':
      for (const ts of p.data.timeseries ?? []) {
        for (const s of ts.samples ?? []) ms(s.timestamp, (x) => (s.timestamp = x), true);
        for (const h of ts.histograms ?? []) ms(h.timestamp, (x) => (h.timestamp = x), true);
        for (const e of ts.exemplars ?? []) ms(e.timestamp, (x) => (e.timestamp = x), true);
        ms(ts.createdTimestamp, (x) => (ts.createdTimestamp = x), false);
      }
      return;
  }
}

const MAX_SANE_NS = 1n << 63n;

/** Oldest and newest observation times in a payload, in ns. */
export function timeRange(p: Payload, into: TimeRange = {}): TimeRange {
  const add = (ns: bigint) => {
    if (ns >= MAX_SANE_NS) return; // junk (e.g. 2^64-1 as an "end" time) would otherwise decide the shift
    if (into.minNs === undefined || ns < into.minNs) into.minNs = ns;
    if (into.maxNs === undefined || ns > into.maxNs) into.maxNs = ns;
  };
  walk(
    p,
    (v, _set, obs) => {
      if (obs && !int64IsZero(v)) add(int64ToBigInt(v));
    },
    (v, _set, obs) => {
      if (obs && !int64IsZero(v)) add(int64ToBigInt(v) * 1_000_000n);
    },
  );
  return into;
}

/**
 * Moves every non-zero timestamp by `deltaMs` milliseconds, in place. One
 * whole-millisecond offset for both units, so OTLP and remote-write data of
 * one capture stay aligned.
 */
export function shiftPayload(p: Payload, deltaMs: bigint): void {
  if (deltaMs === 0n) return;
  const dNs = Long.fromString(String(deltaMs * 1_000_000n), false);
  const dMs = Long.fromString(String(deltaMs), false);
  walk(
    p,
    (v, set) => {
      if (int64IsZero(v)) return;
      // OTLP times are fixed64: keep them unsigned.
      set(toLong(v!, true).add(dNs).toUnsigned());
    },
    (v, set) => {
      if (int64IsZero(v)) return;
      set(toLong(v!, false).add(dMs));
    },
  );
}

function toLong(v: Int64, unsigned: boolean): Long {
  if (typeof v === 'number') return Long.fromNumber(v, unsigned);
  return v.unsigned === unsigned ? v : Long.fromBits(v.low, v.high, unsigned);
}
