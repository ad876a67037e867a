// Label sets for translated series. The resource part (job, instance,
// promoted attributes) is computed once per resource; each data point adds its
// own attributes. Keys that collide after sanitizing are merged with `;`
// between their values, in the order of their original keys.
import type { IKeyValue, ILabel } from '../../pdata/proto.js';
import { labelName } from './names.js';
import { anyValueToString } from './values.js';

export const SERVICE_NAME = 'service.name';
export const SERVICE_NAMESPACE = 'service.namespace';
export const SERVICE_INSTANCE_ID = 'service.instance.id';

/** Sanitized label names, memoized: attribute keys repeat across points and batches. */
const nameCache = new Map<string, string>();
export function cachedLabelName(key: string): string {
  let n = nameCache.get(key);
  if (n === undefined) {
    n = labelName(key);
    if (nameCache.size > 10_000) nameCache.clear();
    nameCache.set(key, n);
  }
  return n;
}

/** Attributes as sanitized label pairs; collisions merged. */
export function attributesToLabels(attrs: readonly IKeyValue[] | null | undefined, into: Map<string, string>, skip?: ReadonlySet<string>): void {
  if (!attrs || attrs.length === 0) return;
  let sorted: readonly IKeyValue[] = attrs;
  // Only sort when a collision is possible; the common case has none.
  let collisions = false;
  const seen = new Set<string>();
  for (const kv of attrs) {
    const key = kv.key ?? '';
    if (key === '' || skip?.has(key)) continue;
    const n = cachedLabelName(key);
    if (seen.has(n)) collisions = true;
    seen.add(n);
  }
  if (collisions) sorted = [...attrs].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  const local = collisions ? new Map<string, string>() : into;
  for (const kv of sorted) {
    const key = kv.key ?? '';
    if (key === '' || skip?.has(key)) continue;
    const n = cachedLabelName(key);
    const v = anyValueToString(kv.value);
    const prev = collisions ? local.get(n) : undefined;
    local.set(n, prev === undefined ? v : `${prev};${v}`);
  }
  if (collisions) for (const [k, v] of local) into.set(k, v);
}

/** What a resource contributes to every series of its metrics. */
export interface ResourceLabels {
  /** job and instance (when the resource names them). */
  readonly identity: ReadonlyMap<string, string>;
  /** Promoted (or all, with resource_to_telemetry_conversion) resource attributes. */
  readonly promoted: ReadonlyMap<string, string>;
  /** Labels of target_info: every resource attribute but the identifying ones, plus job/instance; null when there are none. */
  readonly targetInfo: Map<string, string> | null;
}

const IDENTIFYING = new Set([SERVICE_NAME, SERVICE_NAMESPACE, SERVICE_INSTANCE_ID]);

export function resourceLabels(attrs: readonly IKeyValue[] | null | undefined, allToTelemetry: boolean, promote: ReadonlySet<string>): ResourceLabels {
  const identity = new Map<string, string>();
  let name: string | undefined;
  let ns: string | undefined;
  let inst: string | undefined;
  let others = 0;
  for (const kv of attrs ?? []) {
    if (kv.key === SERVICE_NAME) name = anyValueToString(kv.value);
    else if (kv.key === SERVICE_NAMESPACE) ns = anyValueToString(kv.value);
    else if (kv.key === SERVICE_INSTANCE_ID) inst = anyValueToString(kv.value);
    else others++;
  }
  if (name !== undefined) identity.set('job', ns !== undefined && ns !== '' ? `${ns}/${name}` : name);
  if (inst !== undefined) identity.set('instance', inst);

  const promoted = new Map<string, string>();
  if (allToTelemetry) attributesToLabels(attrs, promoted);
  else if (promote.size > 0) attributesToLabels((attrs ?? []).filter((kv) => promote.has(kv.key ?? '')), promoted);

  let targetInfo: Map<string, string> | null = null;
  if (others > 0) {
    targetInfo = new Map();
    attributesToLabels(attrs, targetInfo, IDENTIFYING);
    for (const [k, v] of identity) targetInfo.set(k, v);
  }
  return { identity, promoted, targetInfo };
}

/** Map → sorted label list (Prometheus requires labels sorted by name), empty values left out. */
export function toSortedLabels(m: ReadonlyMap<string, string>): ILabel[] {
  const names = [...m.keys()].sort();
  const out: ILabel[] = [];
  for (const name of names) {
    const value = m.get(name)!;
    if (value !== '') out.push({ name, value });
  }
  return out;
}

/** Identity of a label set, for grouping samples of one series. */
export function labelsKey(labels: readonly ILabel[]): string {
  let k = '';
  for (const l of labels) k += `${l.name}\xff${l.value}\xfe`;
  return k;
}

/**
 * `base` (sorted) with `__name__` and an optional `le`/`quantile` merged in at
 * their sorted places; attributes of the same names are replaced, as the
 * names the rules give win.
 */
export function withNames(base: readonly ILabel[], name: string, extra: [string, string] | null): ILabel[] {
  const ins: ILabel[] = [{ name: '__name__', value: name }];
  if (extra) {
    const x = { name: extra[0], value: extra[1] };
    if (x.name < '__name__') ins.unshift(x);
    else ins.push(x);
  }
  const out: ILabel[] = [];
  let i = 0;
  for (const l of base) {
    if (l.name === ins[0]?.name || l.name === ins[1]?.name) continue;
    while (i < ins.length && ins[i]!.name! < l.name!) out.push(ins[i++]!);
    out.push(l);
  }
  while (i < ins.length) out.push(ins[i++]!);
  return out;
}
