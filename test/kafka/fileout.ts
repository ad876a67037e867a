// Reads what a `file` exporter wrote (OTLP JSON lines; remote-write metrics as
// {"prometheusRemoteWrite": ...} lines), tolerating a last line still being written.
import { existsSync, readFileSync } from 'node:fs';
import { decodeJSON } from '../../src/pdata/otlpjson.js';
import type { Logs, Metrics, Traces } from '../../src/pdata/proto.js';

export interface FileOut {
  traces: Traces[];
  metrics: Metrics[];
  logs: Logs[];
  /** Remote-write requests in proto3 JSON. */
  prw: { timeseries?: { labels?: { name: string; value: string }[]; samples?: { value: number | string; timestamp: string }[] }[] }[];
}

export function readFileOut(path: string): FileOut {
  const out: FileOut = { traces: [], metrics: [], logs: [], prw: [] };
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line);
    } catch {
      continue; // a line being appended right now
    }
    if ('prometheusRemoteWrite' in v) out.prw.push(v.prometheusRemoteWrite as FileOut['prw'][number]);
    else if ('resourceSpans' in v) out.traces.push(decodeJSON('traces', line));
    else if ('resourceMetrics' in v) out.metrics.push(decodeJSON('metrics', line));
    else if ('resourceLogs' in v) out.logs.push(decodeJSON('logs', line));
  }
  return out;
}
