// Prometheus rules, alerts, SLOs and dashboard shipped in config/prometheus: checked and unit-tested
// with the real promtool (Debian prometheus package, /usr/bin/promtool).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..', '..', '..', 'config', 'prometheus');
const promtool = process.env.PROMTOOL ?? '/usr/bin/promtool';
const ruleFiles = ['recording-rules.yaml', 'alerts.yaml', 'slo.yaml'];

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8', timeout: 8000 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules: Rule[] = ruleFiles.flatMap((f) => (parse(readFileSync(join(dir, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));

for (const f of ruleFiles) {
  test(`promtool check rules ${f}`, () => {
    const r = run(['check', 'rules', f]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });
}

test('promtool test rules: recording-rule values and firing alerts for vLLM, DCGM and Tollgate inputs', () => {
  const r = run(['test', 'rules', join('tests', 'rules.test.yaml')]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS/);
});

test('the unit tests cover every alert', () => {
  const t = parse(readFileSync(join(dir, 'tests', 'rules.test.yaml'), 'utf8')) as {
    tests: { alert_rule_test?: { alertname: string }[] }[];
  };
  const tested = new Set(t.tests.flatMap((c) => (c.alert_rule_test ?? []).map((a) => a.alertname)));
  const alerts = rules.filter((r) => r.alert).map((r) => r.alert!);
  // The Tollgate-derived TTFT SLO alerts share their expression shape with the vLLM ones.
  const untested = alerts.filter((a) => !tested.has(a) && !/^GenAITTFTSLOBurnRateSlow$|^VLLMTTFTSLOBurnRateSlow$/.test(a));
  assert.deepEqual(untested, []);
});

test('the corrected metric names are used, the article mistakes are not', () => {
  const all = ruleFiles.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n') + readFileSync(join(dir, 'dashboard.json'), 'utf8');
  const exprs = rules.map((r) => r.expr).join('\n');
  const recordedNames = new Set(rules.filter((r) => r.record).map((r) => r.record!));
  const inputs = rules.flatMap((r) => referencedNames(r.expr)).filter((n) => !recordedNames.has(n));
  assert.deepEqual(
    inputs.filter((n) => n.startsWith('vllm_')),
    [],
    'vLLM metrics use the vllm: prefix',
  );
  for (const bad of [/vllm:gpu_cache_usage_perc/, /vllm:time_per_output_token/, /DCGM_FI_DEV_FB_TOTAL/, /request_failure_total/, /node_gpu_cost/]) {
    assert.doesNotMatch(exprs, bad);
  }
  for (const good of [
    'vllm:kv_cache_usage_perc',
    'vllm:inter_token_latency_seconds_bucket',
    'finished_reason="error"',
    'finished_reason="abort"',
    'error_type!=""',
    'tollgate_genai_cost_adjustment_total',
    'DCGM_FI_DEV_FB_FREE',
    'tollgate_genai_cost_total',
    'le="2.5"',
  ]) {
    assert.ok(all.includes(good), good);
  }
  // every histogram_quantile reads a series aggregated `sum by (le, <model>)`
  for (const r of rules.filter((x) => x.expr.includes('histogram_quantile'))) {
    const src = /histogram_quantile\([\d.]+,\s*([\w:]+)\)/.exec(r.expr)?.[1];
    const rec = rules.find((x) => x.record === src);
    assert.ok(rec, `${r.record} reads a recorded bucket rate`);
    assert.match(rec.expr, /^sum by \(le, (model_name|gen_ai_request_model)\) \(rate\(/);
  }
  for (const r of rules.filter((x) => x.alert)) {
    assert.ok(r.annotations?.summary && r.annotations?.runbook_url, `${r.alert} has summary and runbook_url annotations`);
    assert.ok(r.labels?.severity, `${r.alert} has a severity`);
  }
});

// Names a PromQL expression refers to: strips strings, label matchers, grouping clauses,
// ranges and Grafana variables, then drops functions and keywords.
const PROMQL_WORDS = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'rate',
  'irate',
  'increase',
  'round',
  'histogram_quantile',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'label_values',
]);
function referencedNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\w+/g, ' ');
  return (s.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w) && w !== 'e6');
}

test('the dashboard parses and every query uses a recording rule or a metric of the rule files or test inputs', () => {
  const dash = JSON.parse(readFileSync(join(dir, 'dashboard.json'), 'utf8')) as {
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };
  const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record!));
  const known = new Set<string>([...recorded, 'ALERTS']);
  for (const r of rules) for (const n of referencedNames(r.expr)) known.add(n);
  const t = parse(readFileSync(join(dir, 'tests', 'rules.test.yaml'), 'utf8')) as { tests: { input_series: { series: string }[] }[] };
  for (const c of t.tests) for (const s of c.input_series) known.add(s.series.split('{')[0]!);

  const queries = dash.panels
    .filter((p) => p.type !== 'row')
    .flatMap((p) => {
      assert.ok(p.targets && p.targets.length > 0, `panel "${p.title}" has queries`);
      return p.targets.map((x) => ({ title: p.title, expr: x.expr }));
    });
  assert.ok(queries.length >= 20);
  let usingRules = 0;
  for (const q of queries) {
    const names = referencedNames(q.expr);
    assert.ok(names.length > 0, q.expr);
    for (const n of names) assert.ok(known.has(n), `panel "${q.title}": ${n} is neither recorded nor an input metric`);
    if (names.some((n) => recorded.has(n))) usingRules++;
  }
  // Panels read recording rules; only Tollgate self-health reads raw series.
  assert.ok(usingRules >= queries.length - 2, `${usingRules} of ${queries.length} queries use recording rules`);
  const titles = dash.panels.map((p) => p.title).join('\n');
  for (const want of [
    /TTFT/,
    /Inter-token/,
    /Token throughput/,
    /Request rate/,
    /Error rate/,
    /Queue depth/,
    /KV-cache/,
    /GPU utilization/,
    /GPU memory/,
    /GPU temperature/,
    /GPU power/,
    /Cost per request/,
    /Cost per 1M tokens/,
    /24h/,
    /quality/,
    /SLO/,
    /pricing method/,
    /Late requests and cost corrections/,
    /API models/,
    /Showback/,
    /per tenant/,
  ]) {
    assert.match(titles, want);
  }
});
