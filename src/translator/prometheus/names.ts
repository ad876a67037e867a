// Metric and label names under the OpenTelemetry → Prometheus compatibility
// rules: invalid characters become `_`, UCUM units become Prometheus unit
// words appended as suffixes, monotonic sums end in `_total`, unit `1` on a
// gauge ends in `_ratio`. Only ASCII letters and digits count as valid
// (Prometheus 2.x accepts nothing else in names).

/** What decides a metric's suffixes. */
export type MetricShape = 'gauge' | 'counter' | 'updowncounter' | 'histogram' | 'exponential_histogram' | 'summary';

const UNIT_WORDS: Readonly<Record<string, string>> = {
  // time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // bytes
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  // misc
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits on every run of characters that are not ASCII letters or digits. */
function tokens(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isAlnum(s.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(s.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** A unit word with invalid characters collapsed to single underscores. */
function cleanUnit(s: string): string {
  return tokens(s).join('_');
}

/** The Prometheus words for a UCUM unit: `By/s` → `["bytes","per","second"]`; `{req}` and `1` → none. */
export function unitTokens(unit: string): { main: string; per: string } {
  const slash = unit.indexOf('/');
  const mainOtel = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perOtel = slash < 0 ? '' : unit.slice(slash + 1).trim();
  let main = '';
  let per = '';
  if (mainOtel !== '' && !/[{}]/.test(mainOtel)) main = cleanUnit(UNIT_WORDS[mainOtel] ?? mainOtel);
  if (perOtel !== '' && !/[{}]/.test(perOtel)) per = cleanUnit(PER_UNIT_WORDS[perOtel] ?? perOtel);
  return { main, per };
}

/** The unit as Prometheus metadata carries it (`seconds`, `bytes_per_second`), or "" when it has none. */
export function promUnit(unit: string): string {
  const { main, per } = unitTokens(unit);
  if (per === '') return main;
  return main === '' ? `per_${per}` : `${main}_per_${per}`;
}

/**
 * The Prometheus metric name of an OTLP metric (before `_bucket`/`_sum`/`_count`).
 * With suffixes (the default): name tokens, then unit words not already present,
 * then `_total` for counters and `_ratio` for unit-`1` gauges. Without: the name
 * with invalid characters replaced, colons kept.
 */
export function metricName(name: string, unit: string, shape: MetricShape, namespace: string, addSuffixes: boolean): string {
  let out: string;
  if (addSuffixes) {
    const parts = tokens(name);
    const { main, per } = unitTokens(unit);
    if (main !== '' && !parts.includes(main)) parts.push(main);
    if (per !== '' && !parts.includes(per)) parts.push('per', per);
    if (shape === 'counter') {
      removeAll(parts, 'total');
      parts.push('total');
    }
    if (unit === '1' && shape === 'gauge') {
      removeAll(parts, 'ratio');
      parts.push('ratio');
    }
    if (namespace !== '') parts.unshift(namespace);
    out = parts.join('_');
  } else {
    out = sanitizeMetricName(name);
    if (namespace !== '') out = `${namespace}_${out}`;
  }
  if (out !== '' && isDigit(out.charCodeAt(0))) out = `_${out}`;
  return out;
}

function removeAll(list: string[], v: string): void {
  for (let i = list.length - 1; i >= 0; i--) if (list[i] === v) list.splice(i, 1);
}

/** Every character outside `[a-zA-Z0-9_:]` becomes `_` (runs collapse into one). */
export function sanitizeMetricName(s: string): string {
  let out = '';
  let pendingUnderscore = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAlnum(c) || c === 95 || c === 58) {
      if (pendingUnderscore && out !== '') out += '_';
      pendingUnderscore = false;
      out += s[i];
    } else {
      pendingUnderscore = true;
    }
  }
  return out;
}

/**
 * A Prometheus label name for an attribute key: invalid characters become `_`;
 * a leading digit gets `key_`, a single leading underscore gets `key` (double
 * underscores are Prometheus's reserved prefix and are kept).
 */
export function labelName(key: string): string {
  if (key === '') return key;
  let out = '';
  let changed = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (isAlnum(c) || c === 95) out += key[i];
    else {
      out += '_';
      changed = true;
    }
  }
  if (!changed) out = key;
  if (isDigit(out.charCodeAt(0))) return `key_${out}`;
  if (out.charCodeAt(0) === 95 && out.charCodeAt(1) !== 95) return `key${out}`;
  return out;
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export function isValidMetricName(s: string): boolean {
  return NAME_RE.test(s);
}
export function isValidLabelName(s: string): boolean {
  return LABEL_RE.test(s);
}
