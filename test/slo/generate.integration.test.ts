// `tollgate slo generate`: the committed config/prometheus/slo.yaml is exactly what the example spec
// generates (CI fails on drift), the workbook's burn rates, the bucket choice for latency SLOs, and
// spec validation naming every problem by its path. Rule syntax is checked by the real promtool.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { generateRuleFile } from '../../src/slo/cli.js';
import { formatPromDuration, parsePromDuration } from '../../src/slo/duration.js';
import { leMatcher } from '../../src/slo/generate.js';
import { checkSloSpec, loadSloSpec, SloSpecError } from '../../src/slo/spec.js';
import { CLI } from '../helpers/cli.js';

const PROM = join(import.meta.dirname, '..', '..', '..', 'config', 'prometheus');
const SPEC = join(PROM, 'slo-spec.yaml');
const OUT = join(PROM, 'slo.yaml');
const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tollgate-slogen-'));
}

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
type Groups = { groups: { name: string; interval: string; rules: Rule[] }[] };

test('config/prometheus/slo.yaml is what slo-spec.yaml generates (regenerate with `tollgate slo generate`)', () => {
  const { text } = generateRuleFile(loadSloSpec(SPEC), 'slo-spec.yaml');
  assert.equal(
    readFileSync(OUT, 'utf8'),
    text,
    'config/prometheus/slo.yaml drifted: run `node dist/src/cli/main.js slo generate --config config/prometheus/slo-spec.yaml --output config/prometheus/slo.yaml`',
  );
  const r = cli(['slo', 'generate', '--config', SPEC, '--output', OUT, '--check']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /up to date/);
});

test('--check exits 1 naming the command when the rule file differs; stdout output equals --output', () => {
  const dir = tmp();
  try {
    const f = join(dir, 'slo.yaml');
    writeFileSync(f, readFileSync(OUT, 'utf8').replace('(14.4 * 0.01)', '(14 * 0.01)'));
    const r = cli(['slo', 'generate', '--config', SPEC, '--output', f, '--check']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not what .*slo-spec\.yaml generates: run `tollgate slo generate --config/);
    const w = cli(['slo', 'generate', '--config', SPEC, '--output', f]);
    assert.equal(w.code, 0, w.stderr);
    const s = cli(['slo', 'generate', '--config', SPEC]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout, readFileSync(f, 'utf8'));
    assert.equal(s.stdout, readFileSync(OUT, 'utf8'));
    // The bucket choice is said where it is made.
    assert.match(s.stderr, /ttft-p99-3s-vllm: threshold 3 is not a bucket boundary; using le="2.5"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the example SLOs: workbook windows and burn rates, the le="2.5" bucket, error-budget rules', () => {
  const out = parse(readFileSync(OUT, 'utf8')) as Groups;
  assert.deepEqual(
    out.groups.map((g) => [g.name, g.interval]),
    [
      ['slo-ttft-p99-3s-vllm', '1m'],
      ['slo-ttft-p99-3s-vllm-budget', '5m'],
      ['slo-ttft-p99-3s-tollgate', '1m'],
      ['slo-ttft-p99-3s-tollgate-budget', '5m'],
      ['slo-error-rate-1pct-vllm', '1m'],
      ['slo-error-rate-1pct-vllm-budget', '5m'],
      ['slo-error-rate-1pct-tollgate', '1m'],
      ['slo-error-rate-1pct-tollgate-budget', '5m'],
    ],
  );
  const g = out.groups[0]!;
  assert.deepEqual(
    g.rules.filter((r) => r.record).map((r) => r.record),
    ['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `model_name:slo_ttft_errors:ratio_rate${w}`),
  );
  for (const r of g.rules.filter((x) => x.record)) {
    assert.match(r.expr, /vllm:time_to_first_token_seconds_bucket\{le="2\.5"\}/);
    assert.deepEqual(r.labels, { slo: 'ttft-p99-3s', source: 'vllm' });
  }
  const page = g.rules.find((r) => r.alert === 'VLLMTTFTSLOBurnRateFast')!;
  const ticket = g.rules.find((r) => r.alert === 'VLLMTTFTSLOBurnRateSlow')!;
  const pairs = (e: string) =>
    [...e.matchAll(/ratio_rate(\w+) > \(([\d.]+) \* 0\.01\)\s+and\s+\S+ratio_rate(\w+) > \(([\d.]+) \* 0\.01\)/g)].map((m) => [
      m[1],
      m[3],
      Number(m[2]),
      Number(m[4]),
    ]);
  assert.deepEqual(pairs(page.expr), [
    ['1h', '5m', 14.4, 14.4],
    ['6h', '30m', 6, 6],
  ]);
  assert.deepEqual(pairs(ticket.expr), [
    ['1d', '2h', 3, 3],
    ['3d', '6h', 1, 1],
  ]);
  assert.deepEqual([page.for, page.labels?.severity, ticket.for, ticket.labels?.severity], ['2m', 'critical', '15m', 'warning']);
  assert.equal(page.annotations?.runbook_url, 'docs/runbooks.md#vllmttftsloburnratefast');
  const budget = out.groups[1]!.rules;
  assert.deepEqual(
    budget.map((r) => [r.record, r.expr.trim()]),
    [
      ['slo:objective:ratio', 'vector(0.99)'],
      ['slo:error_budget:ratio', 'vector(0.01)'],
      ['model_name:slo_ttft_errors:ratio_rate30d', budget[2]!.expr.trim()],
      ['model_name:slo_ttft_errors:budget_remaining30d', '1 - model_name:slo_ttft_errors:ratio_rate30d / 0.01'],
    ],
  );
  assert.match(budget[2]!.expr, /\[30d\]/);
  const err = out.groups[4]!.rules[0]!;
  assert.equal(
    err.expr,
    'sum by (model_name) (rate(vllm:request_success_total{finished_reason="error"}[5m]))\n  /\nsum by (model_name) (rate(vllm:request_success_total[5m]))\n',
  );
});

function spec(slo: Record<string, unknown>, top: Record<string, unknown> = {}): unknown {
  return { ...top, slos: [{ name: 'x', objective: 99.9, sli: { ratio: { errors: 'e_total{code="5xx"}', total: 'e_total' } }, ...slo }] };
}

test('burn rates scale with the period (budget_consumed × period / long), or are given as burn_rate', () => {
  const gen = (s: unknown) => parse(generateRuleFile(checkSloSpec(s), 's.yaml').text) as Groups;
  const thresholds = (g: Groups) =>
    [
      ...g.groups[0]!.rules.filter((r) => r.alert)
        .map((r) => r.expr)
        .join('\n')
        .matchAll(/> \(([\d.]+) \* ([\d.e-]+)\)/g),
    ].map((m) => [Number(m[1]), m[2]]);
  // 28 days: 2% in 1h is 13.44x, 5% in 6h 5.6x, 10% in 1d 2.8x, 10% in 3d 0.9333x; budget 0.1%.
  const d28 = thresholds(gen(spec({ period: '28d' })));
  assert.deepEqual(
    d28.map(([b]) => b),
    [13.44, 13.44, 5.6, 5.6, 2.8, 2.8, 0.933333333333, 0.933333333333],
  );
  assert.ok(d28.every(([, b]) => b === '0.001'));
  const custom = gen(spec({ page: { windows: [{ long: '2h', short: '10m', burn_rate: 10 }] } }, { period: '7d' }));
  const alerts = custom.groups[0]!.rules.filter((r) => r.alert);
  assert.equal(alerts[0]!.expr, '(\n  :slo_x_errors:ratio_rate2h > (10 * 0.001)\n    and\n  :slo_x_errors:ratio_rate10m > (10 * 0.001)\n)\n');
  // the 7d period's ticket windows: 10% of 7 days in 1d is 0.7x
  assert.match(alerts[1]!.expr, /ratio_rate1d > \(0\.7 \* 0\.001\)/);
  assert.deepEqual(
    custom.groups[0]!.rules.filter((r) => r.record).map((r) => r.record),
    ['10m', '2h', '6h', '1d', '3d'].map((w) => `:slo_x_errors:ratio_rate${w}`),
  );
  assert.equal(custom.groups[1]!.rules[3]!.record, ':slo_x_errors:budget_remaining7d');
  assert.equal(alerts[0]!.alert, 'XSLOBurnRateFast');
});

test('latency SLOs read the largest bucket at or under the threshold; integer boundaries match both spellings', () => {
  const lat = (threshold: number, buckets: number[]) => {
    const s = checkSloSpec(spec({ group_by: ['model'], sli: { latency: { histogram: 'h_seconds', threshold, buckets, matchers: 'job="a"' } } }));
    return (parse(generateRuleFile(s, 's.yaml').text) as Groups).groups[0]!.rules[0]!.expr;
  };
  assert.match(lat(3, [1, 2.5, 5]), /h_seconds_bucket\{job="a", le="2\.5"\}\[5m\]/);
  assert.match(lat(2.5, [1, 2.5, 5]), /le="2\.5"/);
  assert.match(lat(0.3, [0.1, 0.25, 0.5]), /le="0\.25"/);
  // 5 is written "5" by Go clients and Tollgate, "5.0" by Python's prometheus_client and Prometheus 3.
  assert.match(lat(6, [1, 2.5, 5, 10]), /le=~"5\|5\\\\\.0"/);
  assert.match(lat(6, [1, 2.5, 5, 10]), /h_seconds_count\{job="a"\}\[5m\]/);
  assert.equal(leMatcher(0.00005), 'le="5e-05"');
  assert.equal(leMatcher(1e21), 'le=~"1e+21|1e+21\\\\.0"');
});

test('generated rules pass promtool check rules, including regex le matchers and fleet-wide SLOs', () => {
  const dir = tmp();
  try {
    const s = checkSloSpec({
      period: '28d',
      runbook_base: 'https://runbooks.example/slo',
      slos: [
        {
          name: 'latency',
          objective: 99.5,
          group_by: ['job', 'model'],
          sli: { latency: { histogram: 'http_request_duration_seconds', threshold: 1, buckets: [0.5, 1, 2] } },
          page: { annotations: { team: 'serving' } },
        },
        {
          name: 'errors',
          objective: 99.9,
          sli: { ratio: { errors: 'http_requests_total{code=~"5.."}', total: 'http_requests_total' } },
          labels: { team: 'serving' },
        },
      ],
    });
    const f = join(dir, 'out.yaml');
    writeFileSync(f, generateRuleFile(s, 'spec.yaml').text);
    const r = spawnSync(PROMTOOL, ['check', 'rules', f], { encoding: 'utf8' });
    if (r.error) throw new Error(`promtool missing (${PROMTOOL}): apt-get install -y prometheus`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: 26 rules found/);
    const out = parse(readFileSync(f, 'utf8')) as Groups;
    const alert = out.groups[0]!.rules.find((x) => x.alert === 'LatencySLOBurnRateFast')!;
    assert.equal(alert.annotations?.runbook_url, 'https://runbooks.example/slo#latencysloburnratefast');
    assert.equal(alert.annotations?.team, 'serving');
    assert.match(alert.annotations!.summary!, /^\{\{ \$labels\.job \}\} \{\{ \$labels\.model \}\} is burning its latency error budget fast/);
    assert.deepEqual(out.groups[2]!.rules[0]!.labels, { slo: 'errors', team: 'serving' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spec problems are named by their path, all at once', () => {
  const problems = (s: unknown) => {
    try {
      checkSloSpec(s);
      return [];
    } catch (err) {
      assert.ok(err instanceof SloSpecError);
      return err.problems;
    }
  };
  assert.deepEqual(problems({ slos: [{ name: 'a', objective: 100, sli: {}, bogus: 1 }], period: '1 month' }), [
    'period: must match ^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$',
    'slos.0.bogus: unknown key (known: name, source, description, objective, period, group_by, record, bad_events, sli, labels, page, ticket)',
    'slos.0.objective: must be < 100',
  ]);
  assert.deepEqual(problems(spec({ sli: {} })), ['slos.0.sli: give exactly one of latency or ratio']);
  assert.deepEqual(problems(spec({ sli: { latency: { histogram: 'h', threshold: 0.05, buckets: [0.1, 1] } } })), [
    'slos.0.sli.latency.threshold: 0.05 is below the smallest bucket (0.1): no bucket can tell good requests',
  ]);
  assert.deepEqual(
    problems(spec({ page: { windows: [{ long: '5m', short: '1h', budget_consumed: 2 }] }, ticket: { windows: [{ long: '1d', short: '1h' }] } })),
    ['slos.0.page.windows.0.short: must be shorter than long (5m)', 'slos.0.ticket.windows.0: give exactly one of budget_consumed or burn_rate'],
  );
  // 1000x a 0.1% budget is 100%: such an alert could never fire.
  assert.deepEqual(problems(spec({ page: { windows: [{ long: '1h', short: '5m', burn_rate: 1000 }] } })), [
    'slos.0.page.windows.0: burn rate 1000 × error budget 0.1% is 100% or more: the alert could never fire',
  ]);
  const twice = { slos: [(spec({}) as { slos: object[] }).slos[0], (spec({}) as { slos: object[] }).slos[0]] };
  assert.deepEqual(problems(twice), [
    'slos.1: name "x" is defined twice',
    'slos.1.page: alert name XSLOBurnRateFast is also used by slos.0.page',
    'slos.1.ticket: alert name XSLOBurnRateSlow is also used by slos.0.ticket',
    'slos.1: recorded name :slo_x_errors:ratio_rate is also recorded by slos.0 (set record: or group_by so they differ)',
  ]);
  assert.deepEqual(problems(spec({ labels: { slo: 'y' } })), ['slos.0.labels.slo: set by the generator (slo, group_by labels)']);
});

test("the CLI names a bad spec file's problems with the file and exits 1", () => {
  const dir = tmp();
  try {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, stringify({ slos: [{ name: 'Bad Name', objective: 99, sli: { ratio: { errors: 'a', total: 'b' } } }] }));
    const r = cli(['slo', 'generate', '--config', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `${f}: slos.0.name: must match ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$\n`);
    assert.equal(r.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Prometheus durations', () => {
  assert.equal(parsePromDuration('30d'), 30 * 86_400_000);
  assert.equal(parsePromDuration('1h30m'), 5_400_000);
  assert.equal(formatPromDuration(86_400_000), '1d');
  assert.equal(formatPromDuration(3 * 86_400_000 + 3_600_000), '3d1h');
  assert.throws(() => parsePromDuration('1 day'), /invalid duration "1 day"/);
  assert.throws(() => parsePromDuration(''), /invalid duration/);
});
