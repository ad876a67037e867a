// Prometheus text format 0.0.4 and OpenMetrics 1.0 parser, written for the
// scrape loop's hot path: one pass over the body, no per-line split, and the
// labels of a sample are only decoded when the loop asks (a series seen in the
// previous scrape is found in the loop's cache by its raw text, as Prometheus
// caches it). The npm alternative, parse-prometheus-text-format (1.1.1,
// unmaintained since 2019), builds an object tree per family, drops
// timestamps and does not read OpenMetrics; benchmarks/scrape.bench.ts
// measures both.

export type ExpositionFormat = 'text' | 'openmetrics';

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown' | 'untyped';

export interface FamilyMeta {
  type: FamilyType;
  help: string;
  unit: string;
}

export class ParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
  }
}

/** Receives each sample. `series` is the raw `name{labels}` text (a cache key); `tsMs` is NaN without a timestamp. */
export type SampleSink = (series: string, value: number, tsMs: number) => void;

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown', 'untyped']);

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || (c >= 48 && c <= 57);
}

/** Go's strconv.ParseFloat spellings Number() does not take, and Number()'s that Go refuses. */
function parseValue(s: string, line: number): number {
  const v = Number(s);
  if (s.length === 0) throw new ParseError('missing value', line);
  if (Number.isNaN(v)) {
    const l = s.toLowerCase();
    if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
    if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
    if (l === '-inf' || l === '-infinity') return -Infinity;
    throw new ParseError(`invalid value "${s}"`, line);
  }
  // Number() reads "Infinity" (Go does too) but also "0b1"/"0o7" which Go does not.
  const c1 = s.charCodeAt(1);
  if (s.charCodeAt(0) === 48 && (c1 === 98 || c1 === 66 || c1 === 111 || c1 === 79)) throw new ParseError(`invalid value "${s}"`, line);
  return v;
}

/**
 * One scrape body. `parse()` calls the sink for each sample and fills
 * `families` with HELP/TYPE/UNIT; `labels()` decodes the current sample's
 * labels on demand (valid only inside the sink call).
 */
export class ExpositionParser {
  readonly families = new Map<string, FamilyMeta>();
  /** The current sample's exemplar text (OpenMetrics `# {...} v [ts]`), or ''. */
  exemplar = '';
  private s = '';
  private lineNo = 0;
  private seriesStart = 0;
  private nameEnd = 0;
  private seriesEnd = 0;

  constructor(readonly format: ExpositionFormat) {}

  parse(body: string, sink: SampleSink): void {
    this.s = body;
    const s = body;
    const om = this.format === 'openmetrics';
    const n = s.length;
    let i = 0;
    let sawEof = false;
    this.lineNo = 0;
    while (i < n) {
      this.lineNo++;
      let eol = s.indexOf('\n', i);
      if (eol < 0) eol = n;
      if (sawEof) throw new ParseError('content after "# EOF"', this.lineNo);
      const c = s.charCodeAt(i);
      if (c === 35 /* # */) {
        if (om && eol - i === 5 && s.startsWith('# EOF', i)) {
          sawEof = true;
        } else this.comment(i, eol, om);
      } else if (eol === i || (!om && isBlank(s, i, eol))) {
        if (om) throw new ParseError('empty line', this.lineNo);
      } else {
        this.sample(i, eol, om, sink);
      }
      i = eol + 1;
    }
    if (om && !sawEof) throw new ParseError('data does not end with "# EOF"', this.lineNo);
  }

  /** Flat [name, value, name, value, ...] with `__name__` first, in exposition order. */
  labels(): string[] {
    const s = this.s;
    const out: string[] = ['__name__', s.slice(this.seriesStart, this.nameEnd)];
    let i = this.nameEnd;
    if (i >= this.seriesEnd || s.charCodeAt(i) !== 123) return out;
    i = this.readLabels(i + 1, this.seriesEnd, out);
    return out;
  }

  private comment(i: number, eol: number, om: boolean): void {
    const s = this.s;
    // "# HELP name text", "# TYPE name type", "# UNIT name unit"; anything else is a comment (text format).
    let j = i + 1;
    while (j < eol && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    const kwEnd = wordEnd(s, j, eol);
    const kw = s.slice(j, kwEnd);
    if (kw !== 'HELP' && kw !== 'TYPE' && kw !== 'UNIT') {
      if (om) throw new ParseError(`unexpected comment "${s.slice(i, Math.min(eol, i + 40))}"`, this.lineNo);
      return;
    }
    if (kw === 'UNIT' && !om) return;
    j = kwEnd;
    while (j < eol && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    const nEnd = wordEnd(s, j, eol);
    const name = s.slice(j, nEnd);
    if (name.length === 0 || !isNameStart(name.charCodeAt(0)) || !allNameChars(name)) throw new ParseError(`invalid metric name in ${kw} line: "${name}"`, this.lineNo);
    j = nEnd;
    if (j < eol && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    let rest = s.slice(j, eol);
    let fam = this.families.get(name);
    if (!fam) this.families.set(name, (fam = { type: 'unknown', help: '', unit: '' }));
    if (kw === 'HELP') {
      fam.help = unescapeHelp(rest, om);
    } else if (kw === 'TYPE') {
      rest = rest.trim();
      if (!TYPES.has(rest)) throw new ParseError(`invalid metric type "${rest}"`, this.lineNo);
      fam.type = rest as FamilyType;
    } else {
      fam.unit = rest;
    }
  }

  private sample(i: number, eol: number, om: boolean, sink: SampleSink): void {
    const s = this.s;
    let j = i;
    if (!isNameStart(s.charCodeAt(j))) throw new ParseError(`invalid metric name start "${s[j]}"`, this.lineNo);
    j++;
    while (j < eol && isNameChar(s.charCodeAt(j))) j++;
    this.seriesStart = i;
    this.nameEnd = j;
    if (s.charCodeAt(j) === 123 /* { */) {
      j = this.skipLabels(j + 1, eol);
    }
    this.seriesEnd = j;
    const c = s.charCodeAt(j);
    if (j >= eol || (c !== 32 && c !== 9)) throw new ParseError(`expected a value after "${s.slice(i, j)}"`, this.lineNo);
    while (j < eol && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    const vEnd = wordEnd(s, j, eol);
    const value = parseValue(s.slice(j, vEnd), this.lineNo);
    j = vEnd;
    while (j < eol && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    let ts = NaN;
    this.exemplar = '';
    if (j < eol && s.charCodeAt(j) !== 35) {
      const tEnd = wordEnd(s, j, eol);
      ts = this.timestamp(s.slice(j, tEnd), om);
      j = tEnd;
      while (j < eol && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    }
    if (j < eol) {
      if (om && s.charCodeAt(j) === 35) this.exemplar = s.slice(j + 1, eol).trim();
      else if (!(s.charCodeAt(j) === 13 && j === eol - 1)) throw new ParseError(`unexpected "${s.slice(j, Math.min(eol, j + 20))}" after the value`, this.lineNo);
    }
    sink(s.slice(i, this.seriesEnd), value, ts);
  }

  private timestamp(t: string, om: boolean): number {
    if (om) {
      const v = Number(t);
      if (t.length === 0 || !Number.isFinite(v)) throw new ParseError(`invalid timestamp "${t}"`, this.lineNo);
      return Math.trunc(v * 1000);
    }
    if (!/^-?\d+$/.test(t)) throw new ParseError(`invalid timestamp "${t}"`, this.lineNo);
    return Number(t);
  }

  /** Validates a `{...}` label block without decoding it; returns the index after `}`. */
  private skipLabels(i: number, eol: number): number {
    const s = this.s;
    for (;;) {
      while (i < eol && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
      if (s.charCodeAt(i) === 125 /* } */) return i + 1;
      if (!isLabelNameStart(s.charCodeAt(i))) throw new ParseError(`invalid label name at "${s.slice(i, Math.min(eol, i + 20))}"`, this.lineNo);
      i++;
      while (i < eol && isLabelNameChar(s.charCodeAt(i))) i++;
      while (i < eol && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
      if (s.charCodeAt(i) !== 61 /* = */) throw new ParseError('expected "=" after a label name', this.lineNo);
      i++;
      while (i < eol && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
      if (s.charCodeAt(i) !== 34 /* " */) throw new ParseError('expected a quoted label value', this.lineNo);
      i++;
      for (;;) {
        if (i >= eol) throw new ParseError('unterminated label value', this.lineNo);
        const c = s.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34) break;
        else i++;
      }
      i++;
      while (i < eol && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
      const c = s.charCodeAt(i);
      if (c === 44 /* , */) i++;
      else if (c !== 125) throw new ParseError('expected "," or "}" after a label value', this.lineNo);
    }
  }

  private readLabels(i: number, end: number, out: string[]): number {
    const s = this.s;
    for (;;) {
      while (i < end && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
      if (i >= end || s.charCodeAt(i) === 125) return i + 1;
      const ns = i;
      while (i < end && isLabelNameChar(s.charCodeAt(i))) i++;
      out.push(s.slice(ns, i));
      while (s.charCodeAt(i) !== 34) i++;
      i++;
      const vs = i;
      let esc = false;
      while (s.charCodeAt(i) !== 34) {
        if (s.charCodeAt(i) === 92) {
          esc = true;
          i += 2;
        } else i++;
      }
      out.push(esc ? unescapeLabel(s.slice(vs, i)) : s.slice(vs, i));
      i++;
      while (i < end && s.charCodeAt(i) !== 44 && s.charCodeAt(i) !== 125) i++;
      if (s.charCodeAt(i) === 44) i++;
    }
  }
}

/** Decodes an OpenMetrics exemplar `{a="b"} 1.5 [ts]` into labels, value and timestamp (ms, NaN if none). */
export function parseExemplar(text: string): { labels: string[]; value: number; tsMs: number } | undefined {
  const p = new ExpositionParser('openmetrics');
  const body = `x${text}`;
  let out: { labels: string[]; value: number; tsMs: number } | undefined;
  try {
    p.parse(`${body}\n# EOF`, (_s, value, tsMs) => {
      out = { labels: p.labels().slice(2), value, tsMs };
    });
  } catch {
    return undefined;
  }
  return out;
}

function isBlank(s: string, i: number, eol: number): boolean {
  for (let j = i; j < eol; j++) {
    const c = s.charCodeAt(j);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function wordEnd(s: string, i: number, eol: number): number {
  while (i < eol) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || (c === 13 && i === eol - 1)) break;
    i++;
  }
  return i;
}

function allNameChars(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : c === '"' ? '"' : `\\${c}`));
}

function unescapeHelp(v: string, om: boolean): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : om && c === '"' ? '"' : `\\${c}`));
}
