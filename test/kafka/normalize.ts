// One comparable line per span, metric data point and log record, built the
// same way from what the OpenTelemetry SDK recorded and from OTLP data read
// back out of Kafka, so tests compare whole item sets (with multiplicity).
import type { HrTime } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics as SdkResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { int64ToString, type Int64, type Logs, type Metrics, type Traces } from '../../src/pdata/proto.js';

import { hex, tagAny, tagAttrs, tagJs, tagJsAttrs } from '../helpers/tagged.js';

export { hex, tagAny, tagAttrs, tagJs, tagJsAttrs } from '../helpers/tagged.js';
const hr = (t: HrTime): string => (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
const ns = (v: Int64 | null | undefined): string => int64ToString(v);

// ---- spans -------------------------------------------------------------------

export function sdkSpans(spans: readonly ReadableSpan[]): string[] {
  return spans.map((s) =>
    JSON.stringify({
      res: tagJsAttrs(s.resource.attributes as Record<string, unknown>),
      scope: [s.instrumentationScope.name, s.instrumentationScope.version ?? ''],
      trace: s.spanContext().traceId,
      span: s.spanContext().spanId,
      parent: s.parentSpanContext?.spanId ?? '',
      name: s.name,
      kind: s.kind + 1,
      start: hr(s.startTime),
      end: hr(s.endTime),
      attrs: tagJsAttrs(s.attributes as Record<string, unknown>),
      events: s.events.map((e) => [e.name, hr(e.time), tagJsAttrs(e.attributes as Record<string, unknown>)]),
      links: s.links.map((l) => [l.context.traceId, l.context.spanId, tagJsAttrs(l.attributes as Record<string, unknown>)]),
      status: [s.status.code, s.status.message ?? ''],
    }),
  );
}

export function otlpSpans(batches: readonly Traces[]): string[] {
  const out: string[] = [];
  for (const t of batches) {
    for (const rs of t.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          out.push(
            JSON.stringify({
              res: tagAttrs(rs.resource?.attributes),
              scope: [ss.scope?.name ?? '', ss.scope?.version ?? ''],
              trace: hex(s.traceId),
              span: hex(s.spanId),
              parent: hex(s.parentSpanId),
              name: s.name ?? '',
              kind: s.kind ?? 0,
              start: ns(s.startTimeUnixNano as Int64),
              end: ns(s.endTimeUnixNano as Int64),
              attrs: tagAttrs(s.attributes),
              events: (s.events ?? []).map((e) => [e.name ?? '', ns(e.timeUnixNano as Int64), tagAttrs(e.attributes)]),
              links: (s.links ?? []).map((l) => [hex(l.traceId), hex(l.spanId), tagAttrs(l.attributes)]),
              status: [s.status?.code ?? 0, s.status?.message ?? ''],
            }),
          );
        }
      }
    }
  }
  return out;
}

// ---- metric points -------------------------------------------------------------

interface SdkPoint {
  attributes: Record<string, unknown>;
  startTime: HrTime;
  endTime: HrTime;
  value: number | { count: number; sum?: number; buckets: { boundaries: number[]; counts: number[] } };
}

export function sdkPoints(rms: readonly SdkResourceMetrics[]): string[] {
  const out: string[] = [];
  for (const rm of rms) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        for (const p of m.dataPoints as SdkPoint[]) {
          const v = p.value;
          out.push(
            JSON.stringify({
              res: tagJsAttrs(rm.resource.attributes as Record<string, unknown>),
              scope: sm.scope.name,
              name: m.descriptor.name,
              unit: m.descriptor.unit,
              attrs: tagJsAttrs(p.attributes),
              start: hr(p.startTime),
              time: hr(p.endTime),
              value: typeof v === 'number' ? v : { count: v.count, sum: v.sum ?? 0, bounds: v.buckets.boundaries, counts: v.buckets.counts },
            }),
          );
        }
      }
    }
  }
  return out;
}

export function otlpPoints(batches: readonly Metrics[]): string[] {
  const out: string[] = [];
  for (const md of batches) {
    for (const rm of md.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const base = { res: tagAttrs(rm.resource?.attributes), scope: sm.scope?.name ?? '', name: m.name ?? '', unit: m.unit ?? '' };
          const numberPoints = m.gauge?.dataPoints ?? m.sum?.dataPoints;
          for (const p of numberPoints ?? []) {
            const value = p.asDouble != null ? p.asDouble : Number(int64ToString(p.asInt as Int64));
            out.push(JSON.stringify({ ...base, attrs: tagAttrs(p.attributes), start: ns(p.startTimeUnixNano as Int64), time: ns(p.timeUnixNano as Int64), value }));
          }
          for (const p of m.histogram?.dataPoints ?? []) {
            out.push(
              JSON.stringify({
                ...base,
                attrs: tagAttrs(p.attributes),
                start: ns(p.startTimeUnixNano as Int64),
                time: ns(p.timeUnixNano as Int64),
                value: { count: Number(int64ToString(p.count as Int64)), sum: p.sum ?? 0, bounds: p.explicitBounds ?? [], counts: (p.bucketCounts ?? []).map((c) => Number(int64ToString(c as Int64))) },
              }),
            );
          }
        }
      }
    }
  }
  return out;
}

// ---- log records -------------------------------------------------------------

export function sdkLogs(records: readonly ReadableLogRecord[]): string[] {
  return records.map((r) =>
    JSON.stringify({
      res: tagJsAttrs(r.resource.attributes as Record<string, unknown>),
      scope: r.instrumentationScope.name,
      time: hr(r.hrTime),
      observed: hr(r.hrTimeObserved),
      sev: [r.severityNumber ?? 0, r.severityText ?? ''],
      body: tagJs(r.body),
      attrs: tagJsAttrs(r.attributes as Record<string, unknown>),
      trace: r.spanContext?.traceId ?? '',
      span: r.spanContext?.spanId ?? '',
    }),
  );
}

export function otlpLogs(batches: readonly Logs[]): string[] {
  const out: string[] = [];
  for (const l of batches) {
    for (const rl of l.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const r of sl.logRecords ?? []) {
          out.push(
            JSON.stringify({
              res: tagAttrs(rl.resource?.attributes),
              scope: sl.scope?.name ?? '',
              time: ns(r.timeUnixNano as Int64),
              observed: ns(r.observedTimeUnixNano as Int64),
              sev: [r.severityNumber ?? 0, r.severityText ?? ''],
              body: tagAny(r.body),
              attrs: tagAttrs(r.attributes),
              trace: hex(r.traceId),
              span: hex(r.spanId),
            }),
          );
        }
      }
    }
  }
  return out;
}

/** Multiset comparison that reports what is missing and what is extra. */
export function diff(expected: readonly string[], actual: readonly string[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const e of expected) count.set(e, (count.get(e) ?? 0) + 1);
  const extra: string[] = [];
  for (const a of actual) {
    const n = count.get(a) ?? 0;
    if (n === 0) extra.push(a);
    else count.set(a, n - 1);
  }
  const missing: string[] = [];
  for (const [k, n] of count) for (let i = 0; i < n; i++) missing.push(k);
  return { missing, extra };
}
