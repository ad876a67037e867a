// Multi-window, multi-burn-rate SLO rules (Google SRE workbook, "Alerting on SLOs"): per SLO, the
// error ratio over every window an alert reads, a page and a ticket alert, and error-budget rules.
import { formatPromDuration, parsePromDuration } from './duration.js';
import { alertName, burnRate, fmt, recordLevel, recordMetric, round, sloId, type SloFileSpec, type SloSpec, type WindowSpec } from './spec.js';

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval: string;
  rules: Rule[];
  /** Lines written as a comment above the group. */
  comment: string[];
}

/** What the generator decided for one SLO, for the file header and the CLI's notes. */
export interface SloPlan {
  id: string;
  spec: SloSpec;
  budget: number;
  periodMs: number;
  /** Latency SLOs: the bucket boundary used (at or under the threshold). */
  bucket?: number;
  windows: { kind: 'page' | 'ticket'; long: string; short: string; burn: number }[];
}

export function planSlo(slo: SloSpec, file: SloFileSpec): SloPlan {
  const periodMs = parsePromDuration(slo.period ?? file.period);
  const lat = slo.sli.latency;
  const bucket = lat ? Math.max(...lat.buckets.filter((b) => b <= lat.threshold)) : undefined;
  const windows = (['page', 'ticket'] as const).flatMap((kind) =>
    slo[kind].windows.map((w: WindowSpec) => ({ kind, long: w.long, short: w.short, burn: burnRate(w, periodMs) })),
  );
  return { id: sloId(slo), spec: slo, budget: round(1 - slo.objective / 100), periodMs, ...(bucket !== undefined ? { bucket } : {}), windows };
}

/** The two groups of one SLO: window ratios and alerts, then the period-long error-budget rules. */
export function sloGroups(plan: SloPlan, file: SloFileSpec): RuleGroup[] {
  const slo = plan.spec;
  const level = recordLevel(slo);
  const metric = recordMetric(slo);
  const name = (op: string) => `${level}:${metric}:${op}`;
  const labels = { slo: slo.name, ...(slo.source ? { source: slo.source } : {}), ...slo.labels };
  const budget = fmt(plan.budget);

  // Every window an alert reads, shortest first.
  const windowMs = [...new Set(plan.windows.flatMap((w) => [parsePromDuration(w.long), parsePromDuration(w.short)]))].sort((a, b) => a - b);
  const ratioRules: Rule[] = windowMs.map((ms) => {
    const w = formatPromDuration(ms);
    return { record: name(`ratio_rate${w}`), expr: sliExpr(plan, w), labels };
  });

  const alerts = (['page', 'ticket'] as const).map((kind): Rule => {
    const a = slo[kind];
    const pairs = plan.windows.filter((w) => w.kind === kind);
    const cond = pairs.map((w) => {
      const th = `(${fmt(w.burn)} * ${budget})`;
      return `(\n  ${name(`ratio_rate${norm(w.long)}`)} > ${th}\n    and\n  ${name(`ratio_rate${norm(w.short)}`)} > ${th}\n)`;
    });
    const alert = alertName(slo, kind);
    const annotations: Record<string, string> = {
      summary: summary(plan, kind),
      description: description(plan, kind),
      ...(file.runbook_base ? { runbook_url: `${file.runbook_base}#${alert.toLowerCase()}` } : {}),
      ...a.annotations,
    };
    return {
      alert,
      expr: `${cond.join('\nor\n')}\n`,
      for: a.for,
      labels: { severity: a.severity, ...labels, ...a.labels },
      annotations,
    };
  });

  const period = formatPromDuration(plan.periodMs);
  const budgetRules: Rule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${fmt(slo.objective / 100)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels },
    { record: name(`ratio_rate${period}`), expr: sliExpr(plan, period), labels },
    // 1 = untouched, 0 = spent, below 0 = overspent.
    { record: name(`budget_remaining${period}`), expr: `1 - ${name(`ratio_rate${period}`)} / ${budget}\n`, labels },
  ];

  return [
    { name: `slo-${plan.id}`, interval: file.interval, rules: [...ratioRules, ...alerts], comment: groupComment(plan) },
    {
      name: `slo-${plan.id}-budget`,
      interval: file.budget_interval,
      rules: budgetRules,
      comment: [`${plan.id}: objective ${fmt(slo.objective)}%, error budget ${fmt(plan.budget * 100)}% of the events in ${period}.`],
    },
  ];
}

export function generateGroups(spec: SloFileSpec): { plans: SloPlan[]; groups: RuleGroup[] } {
  const plans = spec.slos.map((s) => planSlo(s, spec));
  return { plans, groups: plans.flatMap((p) => sloGroups(p, spec)) };
}

/** A window written the way the recorded names spell it (`24h` → `1d`). */
function norm(w: string): string {
  return formatPromDuration(parsePromDuration(w));
}

/**
 * `le` matcher for a bucket boundary. Integer boundaries are spelled two ways in the field: `5` (Go
 * clients, Tollgate's OTLP translation) and `5.0` (Python's prometheus_client, e.g. vLLM; Prometheus
 * 3 also rewrites `le` to that form on ingestion), so both are matched.
 */
export function leMatcher(b: number): string {
  const go = goFloat(b);
  if (Number.isInteger(b)) return `le=~"${go}|${go}\\\\.0"`;
  return `le="${go}"`;
}

/** strconv.FormatFloat(v, 'g', -1, 64), as Prometheus clients write bucket boundaries. */
function goFloat(v: number): string {
  const s = String(v);
  if (!s.includes('e')) {
    // Go switches to exponent form below 1e-4 and at 1e21 and above, as JavaScript does at 1e-7 / 1e21.
    if (Math.abs(v) < 1e-4 && v !== 0) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
    return s;
  }
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function matchers(...parts: string[]): string {
  const m = parts.filter((p) => p.trim() !== '').join(', ');
  return m ? `{${m}}` : '';
}

/** Error ratio over window `w`. Latency: 1 - good/total with good = the chosen bucket. Ratio: errors/total. */
function sliExpr(plan: SloPlan, w: string): string {
  const by = plan.spec.group_by.length ? `sum by (${plan.spec.group_by.join(', ')}) ` : 'sum ';
  const lat = plan.spec.sli.latency;
  if (lat) {
    const good = `${lat.histogram}_bucket${matchers(lat.matchers, leMatcher(plan.bucket!))}`;
    const total = `${lat.histogram}_count${matchers(lat.matchers)}`;
    return `1 - (\n  ${by}(rate(${good}[${w}]))\n    /\n  ${by}(rate(${total}[${w}]))\n)\n`;
  }
  const r = plan.spec.sli.ratio!;
  return `${by}(rate(${r.errors.trim()}[${w}]))\n  /\n${by}(rate(${r.total.trim()}[${w}]))\n`;
}

function badEvents(plan: SloPlan): string {
  if (plan.spec.bad_events) return plan.spec.bad_events;
  return plan.spec.sli.latency ? `requests slower than ${plan.bucket}` : 'failed requests';
}

function who(slo: SloSpec): string {
  if (slo.group_by.length === 0) return sloId(slo);
  return slo.group_by.map((l) => `{{ $labels.${l} }}`).join(' ');
}

function summary(plan: SloPlan, kind: 'page' | 'ticket'): string {
  const slo = plan.spec;
  const how = kind === 'page' ? 'burning its' : 'slowly burning its';
  return `${who(slo)} is ${how} ${slo.name} error budget${kind === 'page' ? ' fast' : ''} ({{ $value | humanizePercentage }} ${badEvents(plan)})`;
}

function description(plan: SloPlan, kind: 'page' | 'ticket'): string {
  const pairs = plan.windows.filter((w) => w.kind === kind);
  const budget = `${fmt(plan.budget * 100)}%`;
  const conds = pairs.map((w, i) => `${i === 0 ? 'Burn rate above ' : 'above '}${fmt(w.burn)}x over ${norm(w.long)} and ${norm(w.short)}`);
  const days = pairs.map((w) => `${fmt(w.burn)}x in ${humanDays(plan.periodMs / w.burn)}`);
  return `${conds.join(', or ')} (error budget ${budget} of ${formatPromDuration(plan.periodMs)}). At these rates the whole budget is gone: ${days.join(', ')}.`;
}

function humanDays(ms: number): string {
  const d = ms / 86_400_000;
  if (d >= 1) return `${Number(d.toFixed(1))} days`;
  return `${Number((ms / 3_600_000).toFixed(1))} hours`;
}

function groupComment(plan: SloPlan): string[] {
  const slo = plan.spec;
  const lines = [`${plan.id}: ${slo.description ?? slo.name} Objective ${fmt(slo.objective)}% over ${formatPromDuration(plan.periodMs)} (error budget ${fmt(plan.budget * 100)}%).`];
  const lat = slo.sli.latency;
  if (lat) {
    lines.push(
      plan.bucket === lat.threshold
        ? `SLI: a request is good when it falls in the le="${plan.bucket}" bucket of ${lat.histogram} (the threshold is a boundary).`
        : `SLI: a request is good when it falls in the le="${plan.bucket}" bucket of ${lat.histogram}: ${lat.threshold} is not a bucket boundary, so the largest boundary under it is used and a request between ${plan.bucket} and ${lat.threshold} counts as bad (the SLO as measured is slightly stricter than stated).`,
    );
  } else {
    lines.push(`SLI: ${slo.sli.ratio!.errors.trim()} / ${slo.sli.ratio!.total.trim()}.`);
  }
  for (const kind of ['page', 'ticket'] as const) {
    const pairs = plan.windows.filter((w) => w.kind === kind).map((w) => `${fmt(w.burn)}x over ${norm(w.long)} and ${norm(w.short)}`);
    lines.push(`${alertName(slo, kind)} (${slo[kind].severity}): ${pairs.join(', or ')}.`);
  }
  return lines;
}
