import type { Command } from 'commander';
import { EMITTED_CONVENTIONS as CONVENTIONS, type EmittedConvention as Convention } from '../genai/conventions.js';
import type { Protocol } from './emit.js';
import { runLoadgen } from './run.js';
import { fleetFrom, loadFleetFile } from './spec.js';

const PROTOCOLS: readonly Protocol[] = ['http/protobuf', 'http/json', 'grpc'];

function num(name: string, min: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${v}"`);
    return n;
  };
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The `tollgate loadgen` verb. */
export function registerLoadgen(program: Command): void {
  program
    .command('loadgen')
    .description('simulate an LLM serving fleet and send its request spans over OTLP (with the ground truth to compare against)')
    .option('--fleet <file>', 'fleet description (YAML); default: a built-in fleet of three models on A100, H100 and H200')
    .option('--endpoint <url>', 'OTLP endpoint (default http://127.0.0.1:4318, or http://127.0.0.1:4317 with --protocol grpc)')
    .option('--protocol <p>', `OTLP transport: ${PROTOCOLS.join(', ')}`, 'http/protobuf')
    .option('--header <k=v>', 'extra HTTP header; repeat for more', collect, [])
    .option('--convention <c>', `span attribute names: ${CONVENTIONS.join(', ')}`)
    .option('--requests <n>', 'requests to simulate', num('requests', 1))
    .option('--rate <r>', 'mean requests per second (Poisson arrivals)', num('rate', 0))
    .option('--error-rate <e>', 'share of failing requests, 0–1', num('error-rate', 0))
    .option('--seed <s>', 'random seed (same seed, same run)', num('seed', 0))
    .option('--speed <x>', 'pacing: 1 = real time, 10 = ten times faster, 0 = as fast as possible', num('speed', 0), 1)
    .option('--no-gpu-attributes', 'leave tollgate.gpu.model/count off the resources (the gateway learns GPUs from DCGM)')
    .option('--ground-truth <file>', "write every request's tokens, timings and expected costs (JSON lines, then a summary line)")
    .option('--prices <file>', 'GPU price table for the expected costs (default: the embedded config/gpu-prices.yaml)', '')
    .option('--export-timeout <ms>', 'deadline of one OTLP export, retries included', num('export-timeout', 1), 30_000)
    .option(
      '--metrics-sd-dir <dir>',
      "also serve each replica's engine /metrics and a DCGM exporter endpoint, and write their file_sd target files (engines.json, dcgm.json) here",
    )
    .option('--metrics-host <addr>', 'listen address of the metrics endpoints', '127.0.0.1')
    .option('--metrics-hold <s>', 'keep the metrics endpoints up this many seconds after the last span', num('metrics-hold', 0), 0)
    .option('--tier <tier>', "price tier for the expected costs (default: the table's default_tier)", '')
    .option('--token-prices <file>', "token price table for API models' expected costs (default: the embedded config/token-prices.yaml)", '')
    .option('--export-jitter <s>', 'export each span a random 0–s seconds after it ends (out-of-order arrival)', num('export-jitter', 0))
    .action(async (opts) => {
      try {
        if (!PROTOCOLS.includes(opts.protocol)) throw new Error(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
        if (opts.convention !== undefined && !CONVENTIONS.includes(opts.convention as Convention))
          throw new Error(`--convention must be one of ${CONVENTIONS.join(', ')}`);
        const base = opts.fleet ? loadFleetFile(opts.fleet) : fleetFrom({});
        const fleet = fleetFrom({
          ...base,
          ...(opts.requests !== undefined ? { requests: Math.floor(opts.requests) } : {}),
          ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
          ...(opts.errorRate !== undefined ? { error_rate: opts.errorRate } : {}),
          ...(opts.seed !== undefined ? { seed: Math.floor(opts.seed) } : {}),
          ...(opts.convention !== undefined ? { convention: opts.convention } : {}),
          ...(opts.gpuAttributes === false ? { gpu_attributes: false } : {}),
          ...(opts.exportJitter !== undefined ? { export_jitter: opts.exportJitter } : {}),
        });
        const headers = Object.fromEntries(
          (opts.header as string[]).map((h) => {
            const i = h.indexOf('=');
            if (i <= 0) throw new Error(`--header must be name=value, got "${h}"`);
            return [h.slice(0, i), h.slice(i + 1)];
          }),
        );
        const endpoint = opts.endpoint ?? (opts.protocol === 'grpc' ? 'http://127.0.0.1:4317' : 'http://127.0.0.1:4318');
        const tty = process.stderr.isTTY;
        const r = await runLoadgen({
          fleet,
          endpoint,
          protocol: opts.protocol,
          headers,
          speed: opts.speed,
          groundTruthPath: opts.groundTruth,
          pricesFile: opts.prices,
          tier: opts.tier,
          tokenPricesFile: opts.tokenPrices,
          exportTimeoutMs: opts.exportTimeout,
          ...(opts.metricsSdDir
            ? {
                metrics: {
                  sdDir: opts.metricsSdDir,
                  host: opts.metricsHost,
                  holdMs: opts.metricsHold * 1000,
                  onReady: (m) =>
                    process.stderr.write(
                      `loadgen: serving metrics of ${m.replicas.length} replicas; targets in ${opts.metricsSdDir}/engines.json and dcgm.json\n`,
                    ),
                },
              }
            : {}),
          progress: tty ? (line, done) => process.stderr.write(`\r\x1b[K${line}${done ? '\n' : ''}`) : undefined,
        });
        const s = r.summary;
        process.stdout.write(
          `${JSON.stringify({ requests: s.requests, errors: s.errors, spans_exported: r.exported, spans_failed: r.failed, input_tokens: s.input_tokens, output_tokens: s.output_tokens, cost_exclusive_usd: s.cost_exclusive_usd, cost_shared_usd: s.cost_shared_usd, cost_token_usd: s.cost_token_usd, unpriced: s.unpriced, ttft_p99_s: s.ttft_p99_s })}\n`,
        );
        if (r.failed > 0) {
          process.stderr.write(`tollgate loadgen: ${r.failed} spans were not accepted by ${endpoint}: ${r.lastError}\n`);
          process.exitCode = 1;
        }
      } catch (err) {
        process.stderr.write(`tollgate loadgen: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    });
}
