// include / exclude for the attributes processor, with the collector's
// filterconfig semantics: every property that is set must match; within a
// list of names one match suffices; listed attributes must all be present
// (and equal, or matching, when a value is given). Regexp patterns are not
// anchored (Go's MatchString), so write ^...$ to match whole strings.
import type { Signal } from '../../component/signal.js';
import type { IAnyValue, IInstrumentationScope, IKeyValue, IResource } from '../../pdata/proto.js';
import { compilePattern, type MatchConfig } from './config.js';
import { equalsRaw, kindOf, valueToString } from './value.js';

/** What an item offers to the matcher. Unused fields may be left undefined. */
export interface MatchSubject {
  resource: IResource | null | undefined;
  scope: IInstrumentationScope | null | undefined;
  attributes?: IKeyValue[] | null;
  spanName?: string;
  metricName?: string;
  logBody?: IAnyValue | null;
  severityText?: string;
}

export type Matcher = (s: MatchSubject) => boolean;
/** True when the item is skipped (not included, or excluded). */
export type SkipFn = Matcher;

type StrMatch = (s: string) => boolean;

function nameSet(names: readonly string[], regexp: boolean): StrMatch {
  if (!regexp) {
    const set = new Set(names);
    return (s) => set.has(s);
  }
  const res = names.map(compilePattern);
  return (s) => res.some((r) => r.test(s));
}

function find(attrs: IKeyValue[] | null | undefined, key: string): IKeyValue | undefined {
  if (!attrs) return undefined;
  for (const kv of attrs) if (kv.key === key) return kv;
  return undefined;
}

function attrsMatcher(list: ReadonlyArray<{ key: string; value?: unknown }>, regexp: boolean): (attrs: IKeyValue[] | null | undefined) => boolean {
  const checks = list.map(({ key, value }) => {
    if (value === undefined || value === null) return (attrs: IKeyValue[] | null | undefined) => find(attrs, key) !== undefined;
    if (regexp) {
      const re = compilePattern(String(value));
      return (attrs: IKeyValue[] | null | undefined) => {
        const kv = find(attrs, key);
        return kv !== undefined && re.test(valueToString(kv.value));
      };
    }
    return (attrs: IKeyValue[] | null | undefined) => {
      const kv = find(attrs, key);
      return kv !== undefined && equalsRaw(kv.value, value);
    };
  });
  return (attrs) => checks.every((c) => c(attrs));
}

const APPLIES: Record<Signal, ReadonlySet<string>> = {
  traces: new Set(['services', 'span_names', 'attributes', 'resources', 'libraries']),
  logs: new Set(['attributes', 'resources', 'libraries', 'log_bodies', 'log_severity_texts']),
  metrics: new Set(['metric_names', 'resources']),
};

/** Keys of `m` that cannot be used with `signal` (the collector refuses such a config for that pipeline). */
export function unsupportedKeys(m: MatchConfig, signal: Signal): string[] {
  const lists = ['services', 'span_names', 'metric_names', 'log_bodies', 'log_severity_texts', 'attributes', 'resources', 'libraries'] as const;
  return lists.filter((k) => (m[k]?.length ?? 0) > 0 && !APPLIES[signal].has(k));
}

export function compileMatch(m: MatchConfig): Matcher {
  const regexp = m.match_type === 'regexp';
  const parts: Matcher[] = [];
  if (m.services?.length) {
    const f = nameSet(m.services, regexp);
    parts.push((s) => {
      const kv = find(s.resource?.attributes, 'service.name');
      return f(kv ? valueToString(kv.value) : '');
    });
  }
  if (m.span_names?.length) {
    const f = nameSet(m.span_names, regexp);
    parts.push((s) => f(s.spanName ?? ''));
  }
  if (m.metric_names?.length) {
    const f = nameSet(m.metric_names, regexp);
    parts.push((s) => f(s.metricName ?? ''));
  }
  if (m.log_bodies?.length) {
    const f = nameSet(m.log_bodies, regexp);
    parts.push((s) => kindOf(s.logBody) !== 'empty' && f(valueToString(s.logBody)));
  }
  if (m.log_severity_texts?.length) {
    const f = nameSet(m.log_severity_texts, regexp);
    parts.push((s) => f(s.severityText ?? ''));
  }
  if (m.resources?.length) {
    const f = attrsMatcher(m.resources, regexp);
    parts.push((s) => f(s.resource?.attributes));
  }
  if (m.attributes?.length) {
    const f = attrsMatcher(m.attributes, regexp);
    parts.push((s) => f(s.attributes));
  }
  if (m.libraries?.length) {
    const libs = m.libraries.map((l) => ({
      name: nameSet([l.name], regexp),
      version: l.version === undefined ? undefined : nameSet([l.version], regexp),
    }));
    parts.push((s) => libs.some((l) => l.name(s.scope?.name ?? '') && (!l.version || l.version(s.scope?.version ?? ''))));
  }
  return (s) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(s)) return false;
    return true;
  };
}

/** The skip test for include/exclude; undefined when neither is set (everything applies). */
export function compileSkip(include: MatchConfig | undefined, exclude: MatchConfig | undefined): SkipFn | undefined {
  const inc = include ? compileMatch(include) : undefined;
  const exc = exclude ? compileMatch(exclude) : undefined;
  if (!inc && !exc) return undefined;
  return (s) => (inc !== undefined && !inc(s)) || (exc !== undefined && exc(s));
}
