// `tollgate loadgen` as a function: simulate, emit, write the ground truth.
// Tests and benchmarks call this; the CLI verb is a thin wrapper.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { loadPriceFile, PriceTable } from '../genai/prices.js';
import { loadTokenPriceFile, TokenPriceTable } from '../genai/tokenprices.js';
import { emitRequests, type Protocol } from './emit.js';
import { requestTruths, summarize, type RequestTruth, type Summary } from './groundtruth.js';
import { simulate } from './simulate.js';
import { startFleetMetrics, type FleetMetrics, type FleetMetricsOptions } from './metrics/server.js';
import type { FleetSpec } from './spec.js';

export interface LoadgenOptions {
  fleet: FleetSpec;
  endpoint: string;
  protocol: Protocol;
  headers?: Record<string, string>;
  /** 1 = real time; 0 = as fast as possible (the timeline then ends now). */
  speed: number;
  /** JSON-lines file for the ground truth: one line per request, then a summary line. */
  groundTruthPath?: string;
  /** Price table for the expected costs (empty: the embedded one) and tier (empty: its default). */
  pricesFile?: string;
  tier?: string;
  /** Token price table for API models' expected costs (empty: the embedded one). */
  tokenPricesFile?: string;
  /** Unix time (ms) of the timeline's zero; default: now, or (speed 0) so the timeline ends now. */
  startMs?: number;
  /** Deadline of one export, retries included (ms; default 30 s). */
  exportTimeoutMs?: number;
  /** Serve each replica's engine /metrics and DCGM endpoint while running (and `holdMs` after). */
  metrics?: Omit<FleetMetricsOptions, 'clockNs'> & { holdMs?: number; onReady?: (m: FleetMetrics) => void };
  /** Writes a progress line (for a TTY). */
  progress?: (line: string, done: boolean) => void;
}

export interface LoadgenResult {
  summary: Summary;
  truths: RequestTruth[];
  exported: number;
  failed: number;
  lastError?: string;
}

export async function runLoadgen(o: LoadgenOptions): Promise<LoadgenResult> {
  const requests = simulate(o.fleet);
  const table = new PriceTable(loadPriceFile(o.pricesFile ?? ''));
  const tokens = new TokenPriceTable(loadTokenPriceFile(o.tokenPricesFile ?? ''));
  const tier = o.tier || table.defaultTier;
  const lastEnd = requests.reduce((m, r) => Math.max(m, r.endNs), 0) + Math.ceil(o.fleet.export_jitter * 1e9);
  const firstEnd = requests.reduce((m, r) => Math.min(m, r.endNs), Infinity);
  // Paced: the first span ends about when it is sent. As fast as possible: the whole timeline is in the past.
  const startMs = o.startMs ?? (o.speed === 0 ? Date.now() - Math.ceil(lastEnd / 1e6) - 1 : Date.now() - Math.floor(firstEnd / 1e6));
  const baseNs = BigInt(Math.round(startMs)) * 1_000_000n;

  const total = requests.length;
  let lastDraw = 0;
  const began = Date.now();
  const onProgress = o.progress
    ? (sent: number) => {
        const now = Date.now();
        if (sent < total && now - lastDraw < 200) return;
        lastDraw = now;
        const rate = sent / Math.max(0.001, (now - began) / 1000);
        o.progress!(`loadgen: ${sent}/${total} requests (${((100 * sent) / total).toFixed(1)}%), ${rate.toFixed(0)} req/s`, sent === total);
      }
    : undefined;

  // The metrics pages follow the timeline as the spans do: a request is counted once its span is due.
  const wallStart = Date.now();
  const fleetMetrics = o.metrics
    ? await startFleetMetrics(requests, o.fleet, {
        ...o.metrics,
        clockNs: () => (o.speed === 0 ? Infinity : firstEnd + (Date.now() - wallStart) * 1e6 * o.speed),
      })
    : undefined;
  if (fleetMetrics) o.metrics?.onReady?.(fleetMetrics);
  const sent = await emitRequests(requests, baseNs, {
    endpoint: o.endpoint,
    protocol: o.protocol,
    headers: o.headers,
    convention: o.fleet.convention,
    gpuAttributes: o.fleet.gpu_attributes,
    speed: o.speed,
    seed: o.fleet.seed,
    exportJitter: o.fleet.export_jitter,
    tenantAttribute: o.fleet.tenant_attribute,
    exportTimeoutMs: o.exportTimeoutMs,
    onProgress,
  });
  if (fleetMetrics) {
    await new Promise((r) => setTimeout(r, o.metrics?.holdMs ?? 0));
    await fleetMetrics.stop();
  }
  const { truths, replicas } = requestTruths(requests, baseNs, sent.ids, table, tier, tokens);
  const summary = summarize(truths, replicas, { seed: o.fleet.seed, convention: o.fleet.convention, tier });
  if (o.groundTruthPath) await writeGroundTruth(o.groundTruthPath, truths, summary);
  return { summary, truths, exported: sent.exported, failed: sent.failed, lastError: sent.lastError };
}

async function writeGroundTruth(path: string, truths: readonly RequestTruth[], summary: Summary): Promise<void> {
  const out = createWriteStream(path);
  for (const t of truths) if (!out.write(`${JSON.stringify(t)}\n`)) await once(out, 'drain');
  out.end(`${JSON.stringify(summary)}\n`);
  await once(out, 'finish');
}
