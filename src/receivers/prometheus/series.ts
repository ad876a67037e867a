// How a scraped sample's labels become the stored series' labels, as
// Prometheus 2.42's mutateSampleLabels does: target labels win over scraped
// ones, which are kept as `exported_<name>` (honor_labels: false), or
// scraped ones win (honor_labels: true); then metric_relabel_configs; empty
// values mean absent. External labels fill in last, as remote-write adds them.
import type { ILabel } from '../../pdata/proto.js';
import { relabel, type CompiledRule } from './relabel.js';

export interface SeriesRules {
  honorLabels: boolean;
  metricRelabel: readonly CompiledRule[];
  externalLabels: ReadonlyArray<[string, string]>;
}

/**
 * Final sorted labels of a scraped series, or undefined when metric
 * relabelling drops it. `scraped` is flat [name, value, ...] with __name__ first.
 */
export function seriesLabels(scraped: readonly string[], target: readonly ILabel[], rules: SeriesRules): ILabel[] | undefined {
  const lset = new Map<string, string>();
  for (let i = 0; i < scraped.length; i += 2) {
    const v = scraped[i + 1]!;
    if (v !== '') lset.set(scraped[i]!, v);
  }
  if (rules.honorLabels) {
    for (const l of target) if (!lset.has(l.name!)) lset.set(l.name!, l.value!);
  } else {
    const conflicts: Array<[string, string]> = [];
    const exposed = new Map(lset);
    for (const l of target) {
      const existing = lset.get(l.name!);
      if (existing) conflicts.push([l.name!, existing]);
      lset.set(l.name!, l.value!);
    }
    if (conflicts.length > 0) {
      conflicts.sort((a, b) => a[0].length - b[0].length);
      const targetNames = new Set(target.map((l) => l.name!));
      for (let i = 0; i < conflicts.length; i++) {
        let name = conflicts[i]![0];
        for (;;) {
          name = `exported_${name}`;
          if (!exposed.has(name) && !targetNames.has(name) && !conflicts.slice(0, i).some((c) => c[0] === name)) break;
        }
        conflicts[i]![0] = name;
      }
      for (const [n, v] of conflicts) lset.set(n, v);
    }
  }
  if (rules.metricRelabel.length > 0 && !relabel(lset, rules.metricRelabel)) return undefined;
  for (const [n, v] of rules.externalLabels) if (!lset.get(n)) lset.set(n, v);
  const names = [...lset.keys()].filter((n) => lset.get(n) !== '').sort();
  if (names.length === 0) return undefined;
  return names.map((n) => ({ name: n, value: lset.get(n)! }));
}

/** Sorted label text, identity of a series. */
export function labelsKey(labels: readonly ILabel[]): string {
  let k = '';
  for (const l of labels) k += `${l.name}\xff${l.value}\xfe`;
  return k;
}

/** Report-series labels: target labels (and external labels) plus __name__, sorted. */
export function reportLabels(name: string, target: readonly ILabel[], external: ReadonlyArray<[string, string]>): ILabel[] {
  const m = new Map<string, string>();
  for (const l of target) m.set(l.name!, l.value!);
  for (const [n, v] of external) if (!m.get(n)) m.set(n, v);
  m.set('__name__', name);
  return [...m.keys()].sort().map((n) => ({ name: n, value: m.get(n)! }));
}
