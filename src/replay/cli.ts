// The `replay` and `capture inspect` verbs.
import { Option, type Command } from 'commander';
import type { Signal } from '../component/signal.js';
import { parseDuration } from '../config/types.js';
import { formatInspect, inspectCaptures } from './inspect.js';
import type { TargetProtocol } from './prepare.js';
import { runReplay, type ReplayProgress } from './replay.js';
import { clean, formatSummary } from './summary.js';

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').map((x) => x.trim()).filter(Boolean)];
const collectRaw = (v: string, prev: string[]) => [...prev, v];

function fail(msg: string): never {
  process.stderr.write(`tollgate: ${msg}\n`);
  process.exit(1);
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail(`${name}: expected a positive number, got "${v}"`);
  return n;
}

function integer(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`${name}: expected an integer >= ${min}, got "${v}"`);
  return n;
}

function duration(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(/^\d+(\.\d+)?$/.test(v) ? `${v}s` : v);
  } catch {
    fail(`${name}: expected a duration such as 30s or 2m, got "${v}"`);
  }
}

/** RFC 3339 / ISO 8601 time, or Unix seconds → ns since the epoch. */
export function parseTime(name: string, v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return BigInt(Math.round(Number(v) * 1000)) * 1_000_000n;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) fail(`${name}: expected an RFC 3339 time (2026-01-02T15:04:05Z) or Unix seconds, got "${v}"`);
  return BigInt(ms) * 1_000_000n;
}

function headers(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.search(/[:=]/);
    if (i <= 0) fail(`--header: expected "Name: value", got "${h}"`);
    out[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return out;
}

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function progressLine(p: ReplayProgress): string {
  const rate = p.elapsedMs > 0 ? (p.sent * 1000) / p.elapsedMs : 0;
  const pct = p.total > 0 ? ` (${Math.floor((100 * p.done) / p.total)}%)` : '';
  const eta = p.etaMs !== undefined && p.done < p.total ? `  ETA ${fmtDuration(p.etaMs)}` : '';
  return `replay: ${p.done}/${p.total}${pct}  sent ${p.sent}  ${rate.toFixed(1)} req/s  errors ${p.errors}${eta}`;
}

interface ReplayCliOptions {
  target?: string;
  protocol?: TargetProtocol;
  speed?: string;
  rate?: string;
  shiftTimestamps?: boolean;
  loop?: string;
  signal: string[];
  tenant: string[];
  from?: string;
  to?: string;
  concurrency?: string;
  header: string[];
  tenantHeader?: string;
  retries?: string;
  timeout?: string;
  maxRetryDelay?: string;
  kafkaBrokers: string[];
  kafkaTopic: string[];
  kafkaMaxBytes?: string;
  json?: boolean;
  progress: boolean;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('send captured requests (capture files, or a Kafka topic the kafka exporter wrote) to an OTLP or remote-write target')
    .argument('[inputs...]', 'capture files, or directories of them (read in arrival-time order)')
    .requiredOption('-t, --target <url>', 'where to send: http://host:4318 (OTLP/HTTP), grpc://host:4317 (OTLP/gRPC), http://host:19291/api/v1/receive or http://host:9090/api/v1/write (remote-write)')
    .addOption(new Option('--protocol <protocol>', 'target protocol when the URL does not say it').choices(['otlp_http', 'otlp_grpc', 'prw']))
    .option('--speed <n>', 'keep the original pacing, N times faster (0.5 = half speed)')
    .option('--rate <r>', 'send at R requests per second instead')
    .option('--shift-timestamps', 'move every timestamp in the payloads by one offset so the newest lands at now (intervals, rates and counters kept)')
    .option('--loop <n>', 'passes over the input', '1')
    .option('--signal <signals>', 'only these signals (traces, metrics, logs); repeat or comma-separate', collect, [])
    .option('--tenant <tenants>', 'only requests of these tenants; repeat or comma-separate', collect, [])
    .option('--from <time>', 'only requests that arrived at or after this time (RFC 3339 or Unix seconds)')
    .option('--to <time>', 'only requests that arrived before this time')
    .option('--concurrency <n>', 'ordered lanes sending at once (per-series order is kept)', '4')
    .option('--header <header>', 'add "Name: value" to every request (e.g. the target\'s credentials); repeatable', collectRaw, [])
    .option('--tenant-header <name>', 'header carrying each request\'s captured tenant (default THANOS-TENANT for remote-write, none for OTLP; "" for none)')
    .option('--retries <n>', 'retries of a retryable failure (5xx, 429, UNAVAILABLE, ...)', '5')
    .option('--timeout <duration>', 'per-request timeout', '30s')
    .option('--max-retry-delay <duration>', 'longest wait before a retry, whatever Retry-After says', '30s')
    .option('--kafka-brokers <list>', 'read a Kafka topic instead of files: bootstrap brokers host:port; repeat or comma-separate', collect, [])
    .option('--kafka-topic <topics>', 'topic(s) the kafka exporter wrote; repeat or comma-separate', collect, [])
    .option('--kafka-max-bytes <n>', 'largest total of Kafka record values held for the replay', String(1024 * 1024 * 1024))
    .option('--json', 'print the final summary as JSON')
    .option('--no-progress', 'no progress line (it is shown only on a terminal anyway)')
    .action(async (inputs: string[], opts: ReplayCliOptions) => {
      const kafka = opts.kafkaBrokers.length > 0 || opts.kafkaTopic.length > 0;
      if (kafka && inputs.length > 0) fail('replay: give capture files or --kafka-brokers/--kafka-topic, not both');
      if (!kafka && inputs.length === 0) fail('replay: no input: name capture files (or directories), or --kafka-brokers with --kafka-topic');
      if (kafka && (opts.kafkaBrokers.length === 0 || opts.kafkaTopic.length === 0)) fail('replay: a Kafka input needs both --kafka-brokers and --kafka-topic');
      if (opts.speed !== undefined && opts.rate !== undefined) fail('replay: --speed and --rate exclude each other');
      const bad = opts.signal.filter((s) => s !== 'traces' && s !== 'metrics' && s !== 'logs');
      if (bad.length > 0) fail(`--signal: unknown signal ${bad.join(', ')} (traces, metrics, logs)`);
      const abort = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        if (++interrupts > 1) process.exit(130);
        process.stderr.write('\nreplay: interrupted; finishing requests under way (Ctrl-C again to quit now)\n');
        abort.abort();
      };
      process.on('SIGINT', onSigint);
      const tty = opts.progress && process.stderr.isTTY === true;
      let shown = false;
      try {
        const speed = positive('--speed', opts.speed);
        const rate = positive('--rate', opts.rate);
        const loop = integer('--loop', opts.loop, 1);
        const concurrency = integer('--concurrency', opts.concurrency, 1);
        const retries = integer('--retries', opts.retries, 0);
        const timeoutMs = duration('--timeout', opts.timeout);
        const maxRetryDelayMs = duration('--max-retry-delay', opts.maxRetryDelay);
        const fromNs = parseTime('--from', opts.from);
        const toNs = parseTime('--to', opts.to);
        const summary = await runReplay({
          target: opts.target!,
          ...(kafka
            ? { kafka: { brokers: opts.kafkaBrokers, topics: opts.kafkaTopic, maxBytes: integer('--kafka-max-bytes', opts.kafkaMaxBytes, 1)! } }
            : { files: inputs }),
          ...(opts.protocol ? { protocol: opts.protocol } : {}),
          ...(speed !== undefined ? { speed } : {}),
          ...(rate !== undefined ? { rate } : {}),
          shiftTimestamps: opts.shiftTimestamps === true,
          ...(loop !== undefined ? { loop } : {}),
          signals: opts.signal as Signal[],
          tenants: opts.tenant,
          ...(fromNs !== undefined ? { fromNs } : {}),
          ...(toNs !== undefined ? { toNs } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
          headers: headers(opts.header),
          ...(opts.tenantHeader !== undefined ? { tenantHeader: opts.tenantHeader } : {}),
          ...(retries !== undefined ? { retries } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(maxRetryDelayMs !== undefined ? { maxRetryDelayMs } : {}),
          abort: abort.signal,
          onDamage: (d) => {
            if (shown) process.stderr.write('\r\x1b[K');
            process.stderr.write(`replay: ${d.kind} record in ${d.file} at byte ${d.offset} (${d.length} bytes skipped): ${d.reason}\n`);
          },
          ...(tty
            ? {
                onProgress: (p: ReplayProgress) => {
                  shown = true;
                  process.stderr.write(`\r\x1b[K${progressLine(p)}`);
                },
              }
            : {}),
        });
        if (shown) process.stderr.write('\n');
        process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
        process.exitCode = clean(summary) ? 0 : 2;
      } catch (e) {
        if (shown) process.stderr.write('\n');
        fail(`replay: ${(e as Error).message}`);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}

export function registerCaptureCommand(program: Command): void {
  const capture = program.command('capture').description('work with capture files (see the receivers\' `capture` option)');
  capture
    .command('inspect')
    .description('time range, requests and items per signal and tenant, top metric names and models, torn or corrupt records')
    .argument('<files...>', 'capture files, or directories of them')
    .option('--top <n>', 'how many metric names and models to list', '10')
    .option('--json', 'print the report as JSON')
    .action(async (files: string[], opts: { top: string; json?: boolean }) => {
      const topN = integer('--top', opts.top, 1)!;
      try {
        const r = await inspectCaptures(files, topN);
        process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : formatInspect(r));
        process.exitCode = r.damage.length > 0 || r.files.some((f) => f.error) ? 2 : 0;
      } catch (e) {
        fail(`capture inspect: ${(e as Error).message}`);
      }
    });
}
