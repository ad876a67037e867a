// `tollgate capture inspect`: what a set of capture files holds.
import type { Signal } from '../component/signal.js';
import { expandCapturePaths } from '../capture/merge.js';
import { CaptureFileReader, type Damage } from '../capture/reader.js';
import { countItems } from '../pdata/count.js';
import type { IKeyValue, ILabel, Logs, Metrics, Traces } from '../pdata/proto.js';
import { decodePayload, fromCapture } from './request.js';
import { v2ToV1 } from '../prw/v2.js';
import type { Payload } from './shift.js';

export interface InspectReport {
  files: Array<{ file: string; size: number; created?: string; receiver?: string; records: number; error?: string }>;
  firstArrival?: string;
  lastArrival?: string;
  spanSeconds: number;
  requests: number;
  bytes: number;
  byProtocol: Record<string, number>;
  /** One row per signal and tenant. */
  bySignalTenant: Array<{ signal: string; tenant: string; requests: number; items: number; bytes: number }>;
  topMetrics: Array<{ name: string; points: number }>;
  topModels: Array<{ model: string; items: number }>;
  undecodable: number;
  damage: Damage[];
}

/** Attributes and labels naming a model: GenAI semantic conventions, their Prometheus spelling, vLLM's label. */
const MODEL_ATTR = 'gen_ai.request.model';
const MODEL_LABELS = ['gen_ai_request_model', 'model_name'];

function strAttr(attrs: readonly IKeyValue[] | null | undefined, key: string): string | undefined {
  for (const kv of attrs ?? []) if (kv.key === key) return kv.value?.stringValue ?? undefined;
  return undefined;
}

function label(labels: readonly ILabel[] | null | undefined, names: readonly string[]): string | undefined {
  for (const n of names) for (const l of labels ?? []) if (l.name === n && l.value) return l.value;
  return undefined;
}

function add(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function tally(p: Payload, metrics: Map<string, number>, models: Map<string, number>): void {
  if (p.kind === 'otlp') {
    if (p.signal === 'traces') {
      for (const rs of (p.data as Traces).resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) {
            const m = strAttr(s.attributes, MODEL_ATTR);
            if (m) add(models, m, 1);
          }
    } else if (p.signal === 'logs') {
      for (const rl of (p.data as Logs).resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? [])
          for (const l of sl.logRecords ?? []) {
            const m = strAttr(l.attributes, MODEL_ATTR);
            if (m) add(models, m, 1);
          }
    } else {
      for (const rm of (p.data as Metrics).resourceMetrics ?? [])
        for (const sm of rm.scopeMetrics ?? [])
          for (const metric of sm.metrics ?? []) {
            const pts = ((metric.gauge ?? metric.sum ?? metric.histogram ?? metric.exponentialHistogram ?? metric.summary)?.dataPoints ?? []) as Array<{
              attributes?: IKeyValue[] | null;
            }>;
            add(metrics, metric.name ?? '', pts.length);
            for (const dp of pts) {
              const m = strAttr(dp.attributes, MODEL_ATTR);
              if (m) add(models, m, 1);
            }
          }
    }
    return;
  }
  const w = p.kind === 'prw1' ? p.data : v2ToV1(p.data).request;
  for (const ts of w.timeseries ?? []) {
    const n = (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0);
    add(metrics, label(ts.labels, ['__name__']) ?? '', n);
    const m = label(ts.labels, MODEL_LABELS);
    if (m) add(models, m, n);
  }
}

function itemsOf(p: Payload): number {
  if (p.kind === 'otlp') return countItems(p.signal, p.data as never);
  const w = p.kind === 'prw1' ? p.data : v2ToV1(p.data).request;
  return countItems('metrics', { format: 'prw', request: w });
}

function top(m: Map<string, number>, n: number): Array<[string, number]> {
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

function iso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

export async function inspectCaptures(paths: readonly string[], topN = 10): Promise<InspectReport> {
  const files = await expandCapturePaths(paths);
  const report: InspectReport = {
    files: [],
    spanSeconds: 0,
    requests: 0,
    bytes: 0,
    byProtocol: {},
    bySignalTenant: [],
    topMetrics: [],
    topModels: [],
    undecodable: 0,
    damage: [],
  };
  const rows = new Map<string, { signal: string; tenant: string; requests: number; items: number; bytes: number }>();
  const metrics = new Map<string, number>();
  const models = new Map<string, number>();
  let first: bigint | undefined;
  let last: bigint | undefined;
  for (const file of files) {
    let r: CaptureFileReader;
    try {
      r = await CaptureFileReader.open(file, (d) => report.damage.push(d));
    } catch (e) {
      report.files.push({ file, size: 0, records: 0, error: (e as Error).message });
      continue;
    }
    const entry: InspectReport['files'][number] = { file, size: r.size, records: 0 };
    if (r.meta?.created) entry.created = r.meta.created;
    if (r.meta?.receiver) entry.receiver = r.meta.receiver;
    report.files.push(entry);
    try {
      for await (const { record, offset } of r.records()) {
        entry.records++;
        report.requests++;
        report.bytes += record.body.length;
        report.byProtocol[record.protocol] = (report.byProtocol[record.protocol] ?? 0) + 1;
        if (first === undefined || record.arrivalNs < first) first = record.arrivalNs;
        if (last === undefined || record.arrivalNs > last) last = record.arrivalNs;
        const req = fromCapture(record, `${file}@${offset}`);
        let items = 0;
        let signal: Signal | 'unknown' = req.signal ?? 'unknown';
        try {
          const p = decodePayload(req);
          items = itemsOf(p);
          if (p.kind !== 'otlp') signal = 'metrics';
          tally(p, metrics, models);
        } catch {
          report.undecodable++;
        }
        const key = `${signal}\u0000${req.tenant}`;
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { signal, tenant: req.tenant, requests: 0, items: 0, bytes: 0 }));
        row.requests++;
        row.items += items;
        row.bytes += record.body.length;
      }
    } finally {
      await r.close();
    }
  }
  if (first !== undefined && last !== undefined) {
    report.firstArrival = iso(first);
    report.lastArrival = iso(last);
    report.spanSeconds = Number(last - first) / 1e9;
  }
  report.bySignalTenant = [...rows.values()].sort((a, b) => (a.signal + a.tenant < b.signal + b.tenant ? -1 : 1));
  report.topMetrics = top(metrics, topN).map(([name, points]) => ({ name, points }));
  report.topModels = top(models, topN).map(([model, items]) => ({ model, items }));
  return report;
}

export function formatInspect(r: InspectReport): string {
  const L: string[] = [];
  for (const f of r.files) {
    if (f.error) L.push(`${f.file}: unreadable: ${f.error}`);
    else L.push(`${f.file}: ${f.size} bytes, ${f.records} records${f.receiver ? `, receiver ${f.receiver}` : ''}${f.created ? `, created ${f.created}` : ''}`);
  }
  L.push('');
  if (r.firstArrival) L.push(`time range: ${r.firstArrival} .. ${r.lastArrival} (${r.spanSeconds.toFixed(3)} s)`);
  else L.push('time range: (no records)');
  L.push(`requests: ${r.requests} (${Object.entries(r.byProtocol).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), ${r.bytes} payload bytes`);
  if (r.undecodable > 0) L.push(`undecodable payloads: ${r.undecodable}`);
  L.push('');
  L.push('signal   tenant                  requests        items        bytes');
  for (const row of r.bySignalTenant) {
    L.push(`${row.signal.padEnd(8)} ${(row.tenant || '-').padEnd(20)} ${String(row.requests).padStart(11)} ${String(row.items).padStart(12)} ${String(row.bytes).padStart(12)}`);
  }
  if (r.topMetrics.length > 0) {
    L.push('', 'top metrics (points):');
    for (const m of r.topMetrics) L.push(`  ${String(m.points).padStart(10)}  ${m.name}`);
  }
  if (r.topModels.length > 0) {
    L.push('', `top models (${MODEL_ATTR}; spans, log records, points):`);
    for (const m of r.topModels) L.push(`  ${String(m.items).padStart(10)}  ${m.model}`);
  }
  L.push('');
  if (r.damage.length === 0) L.push('damage: none');
  else {
    const torn = r.damage.filter((d) => d.kind === 'torn').length;
    L.push(`damage: ${r.damage.length} (${torn} torn, ${r.damage.length - torn} corrupt)`);
    for (const d of r.damage) L.push(`  ${d.file} @${d.offset} (+${d.length} bytes) ${d.kind}: ${d.reason}`);
  }
  return `${L.join('\n')}\n`;
}
