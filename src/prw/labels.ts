import type { ILabel } from '../pdata/proto.js';

/** Name of the label that holds the metric name. */
export const METRIC_NAME_LABEL = '__name__';

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Names seen before are checked once: a fleet has few distinct label names and
 * metric names, and a regex per label per series would dominate validation.
 * Bounded so a client sending random names cannot grow it without limit.
 */
class NameCache {
  private readonly ok = new Set<string>();
  constructor(
    private readonly re: RegExp,
    private readonly max = 50_000,
  ) {}
  valid(name: string): boolean {
    if (this.ok.has(name)) return true;
    if (!this.re.test(name)) return false;
    if (this.ok.size >= this.max) this.ok.clear();
    this.ok.add(name);
    return true;
  }
}

const metricNames = new NameCache(METRIC_NAME_RE);
const labelNames = new NameCache(LABEL_NAME_RE);

export function isValidMetricName(name: string): boolean {
  return metricNames.valid(name);
}

export function isValidLabelName(name: string): boolean {
  return labelNames.valid(name);
}

/** `name{a="1", b="2"}` for messages, cut to `max` characters. */
export function describeSeries(labels: readonly ILabel[] | null | undefined, max = 240): string {
  if (!labels || labels.length === 0) return '{}';
  let name = '';
  const parts: string[] = [];
  for (const l of labels) {
    if (l.name === METRIC_NAME_LABEL && name === '') name = l.value ?? '';
    else parts.push(`${l.name ?? ''}=${JSON.stringify(l.value ?? '')}`);
  }
  const s = `${name}{${parts.join(', ')}}`;
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Value of a label, or undefined. */
export function labelValue(labels: readonly ILabel[] | null | undefined, name: string): string | undefined {
  if (!labels) return undefined;
  for (const l of labels) if (l.name === name) return l.value ?? '';
  return undefined;
}

/**
 * 32-bit FNV-1a over the label set as it is ordered (valid remote-write
 * series are sorted by name, so one series always hashes the same). Used to
 * pick a series' shard.
 */
export function hashLabels(labels: readonly ILabel[] | null | undefined): number {
  let h = 0x811c9dc5;
  if (!labels) return h;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const n = l.name ?? '';
    for (let j = 0; j < n.length; j++) {
      h ^= n.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
    const v = l.value ?? '';
    for (let j = 0; j < v.length; j++) {
      h ^= v.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xfe;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** True when names are in strictly ascending order (sorted, no duplicates). */
export function labelsSorted(labels: readonly ILabel[]): boolean {
  for (let i = 1; i < labels.length; i++) if (!((labels[i - 1]!.name ?? '') < (labels[i]!.name ?? ''))) return false;
  return true;
}

/** A copy sorted by name (stable: of duplicate names the first stays first). */
export function sortLabels(labels: readonly ILabel[]): ILabel[] {
  return [...labels].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
}
