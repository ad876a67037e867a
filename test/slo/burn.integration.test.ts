// The generated SLO alerts under real burns, evaluated by the real promtool (Debian's prometheus package):
// every page and ticket alert of config/prometheus/slo.yaml fires for a fast burn and for a slow burn and
// stays silent for burns within budget. The expected outcomes come from the workbook's arithmetic (worked
// out next to each case), not from the generator.
//
// Traffic: 1000 requests a minute per model, so at burn rate b the error budget of 1% means 10·b bad
// requests a minute. Each model follows a burn timeline; the same timelines feed all four SLOs (TTFT and
// errors, each from vLLM and from Tollgate's metrics), whose budgets are all 1%.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const RULES = join(import.meta.dirname, '..', '..', '..', 'config', 'prometheus', 'slo.yaml');
const PER_MINUTE = 1000;
const BUDGET = 0.01;

/** Burn rate per minute: segments of [minutes, burn]. */
type Timeline = Array<[number, number]>;

/** Counter values, one a minute from t=0, in promtool's expanding notation (a+bxn). */
function counter(perMinute: Array<[number, number]>): string {
  const parts: string[] = [];
  let v = 0;
  let first = true;
  for (const [minutes, inc] of perMinute) {
    if (first) {
      parts.push(`0+${inc}x${minutes}`);
      v = inc * minutes;
      first = false;
    } else {
      parts.push(`${v + inc}+${inc}x${minutes - 1}`);
      v += inc * minutes;
    }
  }
  return parts.join(' ');
}

function bad(t: Timeline): Array<[number, number]> {
  return t.map(([m, burn]) => [m, Math.round(burn * BUDGET * PER_MINUTE)]);
}
function good(t: Timeline): Array<[number, number]> {
  return t.map(([m, burn]) => [m, PER_MINUTE - Math.round(burn * BUDGET * PER_MINUTE)]);
}
function all(t: Timeline): Array<[number, number]> {
  return t.map(([m]) => [m, PER_MINUTE]);
}
const zero = (t: Timeline): Array<[number, number]> => t.map(([m]) => [m, 0]);

/** Input series for one model in all four SLIs. Bad TTFT requests land between 2.5 s and 5 s. */
function series(model: string, t: Timeline): { series: string; values: string }[] {
  const out: { series: string; values: string }[] = [];
  for (const [metric, label] of [
    ['vllm:time_to_first_token_seconds', 'model_name'],
    ['gen_ai_server_time_to_first_token_seconds', 'gen_ai_request_model'],
  ] as const) {
    const l = `${label}="${model}"`;
    // le="1" empty and le="5" holding the bad requests: only the le="2.5" bucket gives the right ratio.
    out.push({ series: `${metric}_bucket{${l},le="1"}`, values: counter(zero(t)) });
    out.push({ series: `${metric}_bucket{${l},le="2.5"}`, values: counter(good(t)) });
    out.push({ series: `${metric}_bucket{${l},le="5"}`, values: counter(all(t)) });
    out.push({ series: `${metric}_bucket{${l},le="+Inf"}`, values: counter(all(t)) });
    out.push({ series: `${metric}_count{${l}}`, values: counter(all(t)) });
  }
  out.push({ series: `vllm:request_success_total{model_name="${model}",finished_reason="stop"}`, values: counter(good(t)) });
  out.push({ series: `vllm:request_success_total{model_name="${model}",finished_reason="error"}`, values: counter(bad(t)) });
  out.push({ series: `tollgate_genai_requests_total{gen_ai_request_model="${model}"}`, values: counter(good(t)) });
  out.push({ series: `tollgate_genai_requests_total{gen_ai_request_model="${model}",error_type="timeout"}`, values: counter(bad(t)) });
  return out;
}

const SLOS = [
  {
    page: 'VLLMTTFTSLOBurnRateFast',
    ticket: 'VLLMTTFTSLOBurnRateSlow',
    label: 'model_name',
    slo: 'ttft-p99-3s',
    source: 'vllm',
    severity: ['critical', 'warning'],
  },
  {
    page: 'GenAITTFTSLOBurnRateFast',
    ticket: 'GenAITTFTSLOBurnRateSlow',
    label: 'gen_ai_request_model',
    slo: 'ttft-p99-3s',
    source: 'tollgate',
    severity: ['critical', 'warning'],
  },
  {
    page: 'VLLMErrorSLOBurnRateFast',
    ticket: 'VLLMErrorSLOBurnRateSlow',
    label: 'model_name',
    slo: 'error-rate-1pct',
    source: 'vllm',
    severity: ['critical', 'warning'],
  },
  {
    page: 'GenAIErrorSLOBurnRateFast',
    ticket: 'GenAIErrorSLOBurnRateSlow',
    label: 'gen_ai_request_model',
    slo: 'error-rate-1pct',
    source: 'tollgate',
    severity: ['critical', 'warning'],
  },
] as const;

/**
 * At `minute`, the page (ticket) alerts of every SLO are firing for exactly these models. Read from the
 * ALERTS series the rule manager writes (alert labels + alertname + alertstate), so the check names the
 * alerts and their labels without depending on the $value in the annotations.
 */
function expect(minute: number, kind: 'page' | 'ticket', models: string[]) {
  const names = SLOS.map((s) => s[kind]).join('|');
  return {
    expr: `ALERTS{alertstate="firing",alertname=~"${names}"}`,
    eval_time: `${minute}m`,
    exp_samples: SLOS.flatMap((s) =>
      models.map((m) => ({
        labels: `ALERTS{alertname="${s[kind]}",alertstate="firing",severity="${s.severity[kind === 'page' ? 0 : 1]}",slo="${s.slo}",source="${s.source}",${s.label}="${m}"}`,
        value: 1,
      })),
    ),
  };
}

function runPromtool(testFile: object): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-slo-'));
  try {
    const f = join(dir, 'slo.test.yaml');
    writeFileSync(f, stringify(testFile, { lineWidth: 0 }));
    const r = spawnSync(PROMTOOL, ['test', 'rules', f], { encoding: 'utf8', timeout: 300_000 });
    if (r.error) throw new Error(`promtool (${PROMTOOL}) could not run: ${r.error.message}; install it with \`apt-get install -y prometheus\``);
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('page alerts fire for a fast burn (1h/5m at 14.4x) and a slower one (6h/30m at 6x), and stop when the burn stops', () => {
  // Six hours at 0.5x first, so the 6h window holds a healthy history.
  //   fast:   20x for 60 minutes from t=360, then 0.5x again.
  //   medium: 8x from t=360 on (below 14.4x: only the 6h/30m pair can catch it).
  const fast: Timeline = [
    [360, 0.5],
    [60, 20],
    [360, 0.5],
  ];
  const medium: Timeline = [
    [360, 0.5],
    [420, 8],
  ];
  const r = runPromtool({
    rule_files: [RULES],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [...series('fast', fast), ...series('medium', medium)],
        promql_expr_test: [
          // 5 minutes into the burns the short window sees only them; 10 minutes in, the long one a sixth of them.
          {
            expr: 'round(model_name:slo_request_errors:ratio_rate5m, 0.0001)',
            eval_time: '365m',
            exp_samples: [
              { labels: '{model_name="fast",slo="error-rate-1pct",source="vllm"}', value: 0.2 },
              { labels: '{model_name="medium",slo="error-rate-1pct",source="vllm"}', value: 0.08 },
            ],
          },
          {
            expr: 'round(gen_ai_request_model:slo_ttft_errors:ratio_rate1h, 0.0001)',
            eval_time: '370m',
            exp_samples: [
              { labels: '{gen_ai_request_model="fast",slo="ttft-p99-3s",source="tollgate"}', value: round4(((10 * 20 + 50 * 0.5) * BUDGET) / 60) },
              { labels: '{gen_ai_request_model="medium",slo="ttft-p99-3s",source="tollgate"}', value: round4(((10 * 8 + 50 * 0.5) * BUDGET) / 60) },
            ],
          },
          // t=395 (35 min into the burn): 1h at (35·20 + 25·0.5)/60 = 11.9x < 14.4x: no page yet, though the
          // 5m window is at 20x. The medium burn is under the thresholds of both long windows.
          expect(395, 'page', []),
          // t=410 (50 min): 1h at (50·20 + 10·0.5)/60 = 16.75x and 5m at 20x, both over 14.4x since ~t=403 (+2m `for`).
          expect(410, 'page', ['fast']),
          // t=435: the burn stopped at t=420; 5m is back at 0.5x and 6h at (60·20 + 300·0.5)/360 = 3.75x < 6x:
          // the page resolved within minutes, as the short window intends.
          expect(435, 'page', []),
          // Both burns spend budget: over 3d (all 435 minutes so far) fast is at 3.2x and medium at 1.8x, over
          // 6h at 3.75x and 4.9x; both above 1x for more than the 15 minutes of `for`: tickets.
          expect(435, 'ticket', ['fast', 'medium']),
          // t=600 (240 min of 8x): 6h at (240·8 + 120·0.5)/360 = 5.5x < 6x: no page.
          expect(600, 'page', []),
          // t=660 (300 min): 6h at (300·8 + 60·0.5)/360 = 6.75x and 30m at 8x, both over 6x since ~t=624.
          expect(660, 'page', ['medium']),
        ],
      },
    ],
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS/);
});

test('ticket alerts fire for a slow burn (2x, caught by 3d/6h at 1x); burns within budget stay silent', () => {
  // A day at 0.5x first (more than 1d of history, so a 1d window and a 3d one differ), then per model:
  //   slow:   2x (the whole budget in 15 days) from t=1440 on.
  //   steady: 0.9x all along: 90% of the budget over the period, never an alert.
  //   spike:  0.5x with a 5-minute 50x spike after t=1440 (0.6% of the 30-day budget).
  const slow: Timeline = [
    [1440, 0.5],
    [780, 2],
  ];
  const steady: Timeline = [[2220, 0.9]];
  const spike: Timeline = [
    [1440, 0.5],
    [5, 50],
    [775, 0.5],
  ];
  const r = runPromtool({
    rule_files: [RULES],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [...series('slow', slow), ...series('steady', steady), ...series('spike', spike)],
        promql_expr_test: [
          // Error budget left over the 30-day period (all 2220 minutes of it here): steady has spent 90% of
          // it; slow (7200 + 15600 bad of 2.22M) 102.7%, i.e. overspent; spike (11075 + 2500) 61%.
          {
            expr: 'round(model_name:slo_request_errors:budget_remaining30d, 0.001)',
            eval_time: '2220m',
            exp_samples: [
              { labels: '{model_name="slow",slo="error-rate-1pct",source="vllm"}', value: round3(1 - (1440 * 5 + 780 * 20) / (2220 * PER_MINUTE) / BUDGET) },
              { labels: '{model_name="spike",slo="error-rate-1pct",source="vllm"}', value: round3(1 - (2215 * 5 + 5 * 500) / (2220 * PER_MINUTE) / BUDGET) },
              { labels: '{model_name="steady",slo="error-rate-1pct",source="vllm"}', value: 0.1 },
            ],
          },
          {
            expr: 'slo:error_budget:ratio',
            eval_time: '2220m',
            exp_samples: SLOS.map((s) => ({ labels: `slo:error_budget:ratio{slo="${s.slo}",source="${s.source}"}`, value: 0.01 })),
          },
          // The spike: 5m at 50x and 30m at 8.75x, but 1h at (5·50 + 55·0.5)/60 = 4.6x, 6h at 1.2x, 2h at
          // 2.6x, 3d (all 1450 minutes) at 0.67x: no pair is over its threshold on both windows.
          expect(1450, 'page', []),
          expect(1450, 'ticket', []),
          expect(1480, 'page', []),
          expect(1480, 'ticket', []),
          // slow at t=2100 (660 min of 2x): 6h at 2x, but 3d (all 2100 minutes) at (660·2 + 1440·0.5)/2100 =
          // 0.97x. (A 1d window would already be at (660·2 + 780·0.5)/1440 = 1.19x.)
          expect(2100, 'ticket', []),
          // t=2220 (780 min): 3d at (780·2 + 720)/2220 = 1.03x, over 1x since ~t=2160, and 6h at 2x: a ticket.
          // Never a page: 2x is far under 6x and 14.4x. steady (0.9x) and spike stay silent throughout.
          expect(2220, 'ticket', ['slow']),
          expect(2220, 'page', []),
        ],
      },
    ],
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS/);
});

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
function round3(v: number): number {
  return Math.round(v * 1e3) / 1e3;
}
