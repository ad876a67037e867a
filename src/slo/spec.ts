// The SLO spec file read by `tollgate slo generate` (format in docs/slo.md). One TypeBox schema is the
// source of defaults, validation (Ajv, as for gateway configs) and the documented keys.
import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { parse } from 'yaml';
import { validateAgainst } from '../config/validate.js';
import { PROM_DURATION_PATTERN, parsePromDuration } from './duration.js';

const PromDuration = (def: string | undefined, description: string) =>
  Type.String({ pattern: PROM_DURATION_PATTERN, minLength: 1, ...(def !== undefined ? { default: def } : {}), description });

const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const METRIC_NAME = '^[a-zA-Z_:][a-zA-Z0-9_:]*$';
const SLUG = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';

export const WindowSpec = Type.Object(
  {
    long: PromDuration(undefined, 'Long window: the error ratio over it must exceed the burn rate (it makes the alert significant).'),
    short: PromDuration(
      undefined,
      'Short window: must exceed the burn rate too (it makes the alert stop soon after the burn stops); the workbook uses 1/12 of the long window.',
    ),
    budget_consumed: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100,
        description:
          "Percent of the period's error budget spent in `long` at the alerting burn rate; the burn rate is budget_consumed/100 × period / long. Give this or burn_rate.",
      }),
    ),
    burn_rate: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'The burn rate itself (multiple of the error budget). Give this or budget_consumed.' }),
    ),
  },
  { additionalProperties: false },
);
export type WindowSpec = Static<typeof WindowSpec>;

/** The SRE workbook's "multiwindow, multi-burn-rate alerts" (chapter 5, table 5-8) for a 30-day period. */
export const PAGE_WINDOWS: WindowSpec[] = [
  { long: '1h', short: '5m', budget_consumed: 2 },
  { long: '6h', short: '30m', budget_consumed: 5 },
];
export const TICKET_WINDOWS: WindowSpec[] = [
  { long: '1d', short: '2h', budget_consumed: 10 },
  { long: '3d', short: '6h', budget_consumed: 10 },
];

const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { default: {}, description });

function AlertSpec(kind: 'page' | 'ticket', severity: string, forDefault: string, windows: WindowSpec[]) {
  return Type.Object(
    {
      name: Type.Optional(
        Type.String({
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          description: `Alert name (default: the SLO's name and source in PascalCase + "SLOBurnRate${kind === 'page' ? 'Fast' : 'Slow'}").`,
        }),
      ),
      severity: Type.String({ minLength: 1, default: severity, description: 'Value of the `severity` label.' }),
      for: PromDuration(forDefault, 'How long the condition must hold before the alert fires.'),
      windows: Type.Array(WindowSpec, {
        minItems: 1,
        default: windows,
        description: 'Window pairs; the alert fires when any pair exceeds its burn rate on both windows.',
      }),
      labels: StringMap('Extra alert labels.'),
      annotations: StringMap('Extra or replacement annotations (summary, description, runbook_url, ...); values may use Prometheus templates.'),
    },
    { additionalProperties: false, default: {} },
  );
}

export const LatencySli = Type.Object(
  {
    histogram: Type.String({
      pattern: METRIC_NAME,
      description: 'Histogram name without the `_bucket`/`_count` suffix, e.g. `vllm:time_to_first_token_seconds`.',
    }),
    threshold: Type.Number({ exclusiveMinimum: 0, description: "A request is good when it took at most this long (the histogram's unit, usually seconds)." }),
    buckets: Type.Array(Type.Number(), {
      minItems: 1,
      description:
        "The histogram's bucket boundaries. A ratio can only be read at a boundary: the largest boundary at or under `threshold` is used (stricter than stated when the threshold is not a boundary).",
    }),
    matchers: Type.String({ default: '', description: 'Extra label matchers for both series, e.g. `job="vllm", namespace="prod"`.' }),
  },
  { additionalProperties: false },
);

export const RatioSli = Type.Object(
  {
    errors: Type.String({ minLength: 1, description: 'Series selector counting bad events, e.g. `vllm:request_success_total{finished_reason="error"}`.' }),
    total: Type.String({ minLength: 1, description: 'Series selector counting all events, e.g. `vllm:request_success_total`.' }),
  },
  { additionalProperties: false },
);

export const SloSpec = Type.Object(
  {
    name: Type.String({ pattern: SLUG, description: 'The SLO (value of the `slo` label), e.g. ttft-p99-3s.' }),
    source: Type.Optional(
      Type.String({ pattern: SLUG, description: 'Where the SLI is measured (value of the `source` label); one SLO may be measured from several sources.' }),
    ),
    description: Type.Optional(Type.String()),
    objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'Percent of events that must be good, e.g. 99 (error budget 1%).' }),
    period: Type.Optional(PromDuration(undefined, "SLO period (default: the file's period).")),
    group_by: Type.Array(Type.String({ pattern: LABEL_NAME }), {
      default: [],
      description: 'Labels the SLO is kept per (e.g. model_name); also the level of the recorded rule names.',
    }),
    record: Type.Optional(
      Type.String({
        pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$',
        description: 'Metric part of the recorded names (default `slo_<name>_errors`, dashes as underscores).',
      }),
    ),
    bad_events: Type.Optional(
      Type.String({ description: 'What a bad event is, for alert summaries (default `requests slower than <bucket>` or `failed requests`).' }),
    ),
    sli: Type.Object(
      {
        latency: Type.Optional(LatencySli),
        ratio: Type.Optional(RatioSli),
      },
      { additionalProperties: false, description: 'Exactly one of latency or ratio.' },
    ),
    labels: StringMap('Labels added to every recorded series and alert of this SLO.'),
    page: AlertSpec('page', 'critical', '2m', PAGE_WINDOWS),
    ticket: AlertSpec('ticket', 'warning', '15m', TICKET_WINDOWS),
  },
  { additionalProperties: false },
);
export type SloSpec = Static<typeof SloSpec>;

export const SloFileSpec = Type.Object(
  {
    period: PromDuration('30d', 'Default SLO period: the error budget is (1 - objective) of the events in it.'),
    interval: PromDuration('1m', 'Evaluation interval of the window ratios and alerts.'),
    budget_interval: PromDuration('5m', 'Evaluation interval of the period-long error-budget rules (a range over the whole period is costly).'),
    runbook_base: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'When set, every alert gets `runbook_url: <runbook_base>#<alert name in lower case>` unless its annotations give one.',
      }),
    ),
    slos: Type.Array(SloSpec, { minItems: 1 }),
  },
  // Keys starting with x- are left alone (a place for YAML anchors, e.g. shared bucket lists).
  { additionalProperties: false, patternProperties: { '^x-': {} } },
);
export type SloFileSpec = Static<typeof SloFileSpec>;

export class SloSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SloSpecError';
  }
}

/** Reads and validates an SLO spec file; throws SloSpecError naming every problem by its path. */
export function loadSloSpec(path: string): SloFileSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SloSpecError([`${path}: cannot read: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (err) {
    throw new SloSpecError([`${path}: invalid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  return checkSloSpec(doc);
}

/** Validates a parsed spec (filling defaults in place) and returns it, or throws SloSpecError. */
export function checkSloSpec(doc: unknown): SloFileSpec {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new SloSpecError(['top level must be a map with a "slos" list']);
  const problems = validateAgainst(SloFileSpec as TSchema, doc, '').filter((p) => p !== '');
  if (problems.length) throw new SloSpecError(problems);
  const spec = doc as SloFileSpec;
  problems.push(...semanticProblems(spec));
  if (problems.length) throw new SloSpecError(problems);
  return spec;
}

function semanticProblems(spec: SloFileSpec): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  const alertNames = new Map<string, string>();
  const records = new Map<string, string>();
  spec.slos.forEach((slo, i) => {
    const at = `slos.${i}`;
    const id = sloId(slo);
    if (ids.has(id)) out.push(`${at}: name "${slo.name}"${slo.source ? ` with source "${slo.source}"` : ''} is defined twice`);
    ids.add(id);
    const { latency, ratio } = slo.sli;
    if ((latency ? 1 : 0) + (ratio ? 1 : 0) !== 1) out.push(`${at}.sli: give exactly one of latency or ratio`);
    if (latency && !latency.buckets.some((b) => b <= latency.threshold)) {
      out.push(
        `${at}.sli.latency.threshold: ${latency.threshold} is below the smallest bucket (${Math.min(...latency.buckets)}): no bucket can tell good requests`,
      );
    }
    if (latency && latency.buckets.some((b) => !Number.isFinite(b))) out.push(`${at}.sli.latency.buckets: boundaries must be finite (+Inf is implied)`);
    if (ratio) {
      for (const k of ['errors', 'total'] as const) {
        if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?$/.test(ratio[k].trim())) out.push(`${at}.sli.ratio.${k}: must be a series selector, metric{matchers}`);
      }
    }
    for (const l of ['slo', ...slo.group_by]) if (l in slo.labels) out.push(`${at}.labels.${l}: set by the generator (slo, group_by labels)`);
    if (slo.source !== undefined && 'source' in slo.labels) out.push(`${at}.labels.source: already given by source`);
    const periodMs = parsePromDuration(slo.period ?? spec.period);
    for (const kind of ['page', 'ticket'] as const) {
      const a = slo[kind];
      const name = alertName(slo, kind);
      const prev = alertNames.get(name);
      if (prev) out.push(`${at}.${kind}: alert name ${name} is also used by ${prev}`);
      alertNames.set(name, `${at}.${kind}`);
      a.windows.forEach((w, j) => {
        const wat = `${at}.${kind}.windows.${j}`;
        if ((w.budget_consumed === undefined) === (w.burn_rate === undefined)) out.push(`${wat}: give exactly one of budget_consumed or burn_rate`);
        const long = parsePromDuration(w.long);
        const short = parsePromDuration(w.short);
        if (short >= long) out.push(`${wat}.short: must be shorter than long (${w.long})`);
        if (long > periodMs) out.push(`${wat}.long: longer than the SLO period`);
        if (short === 0) out.push(`${wat}.short: must be above zero`);
        if (w.burn_rate !== undefined || w.budget_consumed !== undefined) {
          const burn = burnRate(w, periodMs);
          if (round(burn * round(1 - slo.objective / 100)) >= 1)
            out.push(`${wat}: burn rate ${fmt(burn)} × error budget ${fmt(100 - slo.objective)}% is 100% or more: the alert could never fire`);
        }
      });
    }
    for (const rec of recordNames(slo)) {
      const prev = records.get(rec);
      if (prev) out.push(`${at}: recorded name ${rec} is also recorded by ${prev} (set record: or group_by so they differ)`);
      records.set(rec, at);
    }
  });
  return out;
}

/** `name` or `name-source`: the SLO's unique ID (rule group names). */
export function sloId(slo: SloSpec): string {
  return slo.source ? `${slo.name}-${slo.source}` : slo.name;
}

export function alertName(slo: SloSpec, kind: 'page' | 'ticket'): string {
  const given = slo[kind].name;
  if (given) return given;
  const pascal = sloId(slo)
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return `${pascal}SLOBurnRate${kind === 'page' ? 'Fast' : 'Slow'}`;
}

/** Metric part of the recorded names. */
export function recordMetric(slo: SloSpec): string {
  return slo.record ?? `slo_${slo.name.replace(/-/g, '_')}_errors`;
}

/** `level:` prefix of the recorded names: the group_by labels joined by `_` (empty for a fleet-wide SLO). */
export function recordLevel(slo: SloSpec): string {
  return slo.group_by.join('_');
}

function recordNames(slo: SloSpec): string[] {
  return [`${recordLevel(slo)}:${recordMetric(slo)}:ratio_rate`];
}

/** The burn rate of a window pair, for an SLO period in milliseconds. */
export function burnRate(w: WindowSpec, periodMs: number): number {
  if (w.burn_rate !== undefined) return w.burn_rate;
  return round((w.budget_consumed! / 100) * (periodMs / parsePromDuration(w.long)));
}

/** Rounds away binary noise (0.02 × 720 = 14.399999999999999). */
export function round(v: number): number {
  return Number(v.toPrecision(12));
}

export function fmt(v: number): string {
  return String(round(v));
}
