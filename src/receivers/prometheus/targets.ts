// Target labelling as Prometheus 2.42's scrape.PopulateLabels does it: job,
// interval, timeout, path, scheme and params become labels, relabel_configs
// run, `__address__` gets the scheme's default port, `__meta_*` goes, and
// `instance` defaults to the address. Labels starting with `__` are the
// target's settings; the rest are added to every scraped series.
import type { ILabel } from '../../pdata/proto.js';
import { formatPromDuration, parsePromDuration } from './duration.js';
import { relabel, type CompiledRule } from './relabel.js';

/** What service discovery hands over: a source and its targets' labels. */
export interface TargetGroup {
  /** Unique per discovery source (file path + index, DNS name, `static/0`). */
  source: string;
  targets: Array<Record<string, string>>;
  labels: Record<string, string>;
}

export interface JobSettings {
  job: string;
  intervalMs: number;
  timeoutMs: number;
  metricsPath: string;
  scheme: string;
  params: Record<string, string[]>;
  relabel: readonly CompiledRule[];
}

export interface Target {
  /** Sorted `name=value` text of all labels (settings included): identity of the target. */
  readonly key: string;
  /** Labels added to scraped series (no `__` prefix), sorted by name. */
  readonly labels: readonly ILabel[];
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export type PopulateResult = { target: Target } | { dropped: true } | { error: string };

export function populateTarget(raw: Map<string, string>, job: JobSettings): PopulateResult {
  const lset = new Map(raw);
  const defaults: Array<[string, string]> = [
    ['job', job.job],
    ['__scrape_interval__', formatPromDuration(job.intervalMs)],
    ['__scrape_timeout__', formatPromDuration(job.timeoutMs)],
    ['__metrics_path__', job.metricsPath],
    ['__scheme__', job.scheme],
  ];
  for (const [k, v] of defaults) if (!lset.get(k)) lset.set(k, v);
  for (const [k, v] of Object.entries(job.params)) if (v.length > 0 && v[0] !== undefined) lset.set(`__param_${k}`, v[0]);
  for (const [k, v] of [...lset]) if (v === '') lset.delete(k);
  if (!relabel(lset, job.relabel)) return { dropped: true };
  for (const [k, v] of [...lset]) if (v === '') lset.delete(k);
  let addr = lset.get('__address__');
  if (!addr) return { error: 'no address' };
  const scheme = lset.get('__scheme__') ?? '';
  if (!hasPort(addr)) {
    if (scheme === 'http' || scheme === '') addr = `${addr}:80`;
    else if (scheme === 'https') addr = `${addr}:443`;
    else return { error: `invalid scheme: "${scheme}"` };
    lset.set('__address__', addr);
  }
  if (/[/@]/.test(addr)) return { error: `"${addr}" is not a valid hostname` };
  let intervalMs: number;
  let timeoutMs: number;
  try {
    intervalMs = parsePromDuration(lset.get('__scrape_interval__') ?? '');
    timeoutMs = parsePromDuration(lset.get('__scrape_timeout__') ?? '');
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (intervalMs === 0) return { error: 'scrape interval cannot be 0' };
  if (timeoutMs === 0) return { error: 'scrape timeout cannot be 0' };
  if (timeoutMs > intervalMs) return { error: `scrape timeout cannot be greater than scrape interval ("${formatPromDuration(timeoutMs)}" > "${formatPromDuration(intervalMs)}")` };
  for (const k of [...lset.keys()]) if (k.startsWith('__meta_')) lset.delete(k);
  if (!lset.get('instance')) lset.set('instance', addr);

  const names = [...lset.keys()].sort();
  const labels: ILabel[] = [];
  for (const n of names) if (!n.startsWith('__')) labels.push({ name: n, value: lset.get(n)! });
  const key = names.map((n) => `${n}=${JSON.stringify(lset.get(n))}`).join(',');
  return { target: { key, labels, url: scrapeUrl(lset, job.params), intervalMs, timeoutMs } };
}

function hasPort(addr: string): boolean {
  if (addr.startsWith('[')) return /\]:\d+$/.test(addr);
  const i = addr.lastIndexOf(':');
  return i > 0 && addr.indexOf(':') === i && /^\d+$/.test(addr.slice(i + 1));
}

/** scheme://address/path?params, with `__param_*` labels overriding the first value of each param. */
function scrapeUrl(lset: Map<string, string>, params: Record<string, string[]>): string {
  const q = new URLSearchParams();
  const merged = new Map<string, string[]>(Object.entries(params).map(([k, v]) => [k, [...v]]));
  for (const [k, v] of lset) {
    if (!k.startsWith('__param_')) continue;
    const name = k.slice('__param_'.length);
    const cur = merged.get(name);
    if (cur && cur.length > 0) cur[0] = v;
    else merged.set(name, [v]);
  }
  for (const [k, vs] of merged) for (const v of vs) q.append(k, v);
  const qs = q.toString();
  const path = lset.get('__metrics_path__') ?? '/metrics';
  return `${lset.get('__scheme__') ?? 'http'}://${lset.get('__address__')}${path.startsWith('/') ? '' : '/'}${path}${qs ? `?${qs}` : ''}`;
}

/** The labels of each target of a group, as discovery delivers them: the target's own over the group's. */
export function groupTargets(g: TargetGroup): Array<Map<string, string>> {
  return g.targets.map((t) => {
    const m = new Map<string, string>(Object.entries(t));
    for (const [k, v] of Object.entries(g.labels)) if (!m.has(k)) m.set(k, v);
    return m;
  });
}
