import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { requireIntegrationTier } from './tier.js';

/**
 * A real Prometheus (Debian's 2.42, /usr/bin/prometheus) for tests: on a free
 * loopback port, with its own temp data dir, as a remote-write target
 * (`--web.enable-remote-write-receiver`, native histograms and exemplar
 * storage on) and optionally as a scraper and remote-write sender.
 */

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface RemoteWriteTarget {
  url: string;
  /** Extra queue_config keys (Prometheus names), e.g. { batch_send_deadline: '1s' }. */
  queueConfig?: Record<string, string | number>;
  sendExemplars?: boolean;
  sendNativeHistograms?: boolean;
  headers?: Record<string, string>;
}

export interface ScrapeJob {
  job: string;
  /** host:port targets. */
  targets: string[];
  interval?: string;
  metricsPath?: string;
}

export interface PrometheusOptions {
  /** Data dir to reuse (a restart keeps the TSDB); default a fresh temp dir, removed by stop(). */
  dataDir?: string;
  /** Port to listen on (a restart reuses it); default a free one. */
  port?: number;
  remoteWrite?: RemoteWriteTarget[];
  scrape?: ScrapeJob[];
  /** Rule files to load (absolute paths), evaluated every `evaluationInterval` (default 1m). */
  ruleFiles?: string[];
  evaluationInterval?: string;
  /** Scrape configs written as they are (Prometheus keys), after `scrape`. */
  scrapeConfigs?: unknown[];
  /** Scrape the instance itself (job "prometheus"). */
  scrapeSelf?: boolean | string;
  scrapeInterval?: string;
  /** Send metadata every this often (remote_write metadata_config.send_interval). */
  metadataInterval?: string;
  extraArgs?: string[];
  /**
   * Feature flags (default 'native-histograms,exemplar-storage'). A scraper meant to behave as
   * Prometheus does by default passes 'exemplar-storage': with native histograms on, 2.42
   * scrapes the protobuf format when a target offers it.
   */
  features?: string;
}

export interface Sample {
  t: number; // ms
  v: string; // as Prometheus prints it
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  histograms?: Array<[number, unknown]>;
}

export class Prometheus {
  private exited: Promise<number | null>;
  private stderr = '';

  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
    private readonly ownDir: boolean,
  ) {
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
    proc.stderr?.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-8000);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The remote-write receiver URL (Prometheus: 204 on success). */
  get writeUrl(): string {
    return `${this.url}/api/v1/write`;
  }

  /** Last lines Prometheus logged, for failure messages. */
  get log(): string {
    return this.stderr;
  }

  static async start(opts: PrometheusOptions = {}): Promise<Prometheus> {
    requireIntegrationTier('Prometheus');
    if (!existsSync(PROMETHEUS_BIN)) {
      throw new Error(`${PROMETHEUS_BIN} is missing: install it with scripts/setup.sh (or 'apt-get install -y prometheus')`);
    }
    const ownDir = opts.dataDir === undefined;
    const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tollgate-prom-'));
    const port = opts.port ?? (await freePort());
    writeFileSync(join(dir, 'prometheus.yml'), configYaml(opts, port));
    const args = [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      `--enable-feature=${opts.features ?? 'native-histograms,exemplar-storage'}`,
      '--log.level=warn',
      ...(opts.extraArgs ?? []),
    ];
    const proc = spawn(PROMETHEUS_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // A test process that dies or is cancelled must not leave its Prometheus running.
    const reap = () => proc.kill('SIGKILL');
    process.once('exit', reap);
    proc.once('exit', () => process.off('exit', reap));
    const p = new Prometheus(proc, port, dir, ownDir);
    await p.waitReady();
    return p;
  }

  /** Same port and data dir, new process (after stop({ keepData: true })). */
  static restart(prev: Prometheus, opts: Omit<PrometheusOptions, 'dataDir' | 'port'> = {}): Promise<Prometheus> {
    return Prometheus.start({ ...opts, dataDir: prev.dataDir, port: prev.port });
  }

  private async waitReady(timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < end) {
      if (exited) throw new Error(`prometheus exited during start-up:\n${this.stderr}`);
      try {
        const r = await fetch(`${this.url}/-/ready`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.proc.kill('SIGKILL');
    throw new Error(`prometheus did not become ready within ${timeoutMs} ms:\n${this.stderr}`);
  }

  /** SIGTERM (clean: the head is kept in the WAL), SIGKILL after 15 s. Removes its temp dir unless keepData. */
  async stop(opts: { keepData?: boolean } = {}): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(t);
    }
    if (this.ownDir && !opts.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Removes the data dir of an instance stopped with keepData. */
  cleanup(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async api<T = any>(path: string, params: Record<string, string | number | string[]> = {}): Promise<T> {
    const u = new URL(`${this.url}${path}`);
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, x);
      else u.searchParams.set(k, String(v));
    }
    const r = await fetch(u);
    const body = (await r.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path} ${u.search}: ${body.error ?? r.status}`);
    return body.data;
  }

  /** Instant query; `time` in seconds (float). */
  async query(expr: string, time?: number): Promise<{ resultType: string; result: any[] }> {
    return this.api('/api/v1/query', time === undefined ? { query: expr } : { query: expr, time: time.toFixed(3) });
  }

  /** A single scalar-ish result of an instant query (first element's value), or undefined. */
  async queryValue(expr: string, time?: number): Promise<number | undefined> {
    const d = await this.query(expr, time);
    const r = d.result[0];
    if (!r) return undefined;
    return Number((d.resultType === 'scalar' ? d.result : r.value)[1]);
  }

  /**
   * Raw samples of every series matching `selector` in (end - windowSec, end]:
   * a range-vector instant query, which returns stored samples untouched.
   * Keyed by the series' label set.
   */
  async rawSamples(selector: string, endSec: number, windowSec: number): Promise<Map<string, MatrixSeries>> {
    const d = await this.query(`${selector}[${Math.ceil(windowSec)}s]`, endSec);
    const out = new Map<string, MatrixSeries>();
    for (const s of d.result as MatrixSeries[]) out.set(seriesKey(s.metric), s);
    return out;
  }

  async series(match: string, startSec?: number, endSec?: number): Promise<Array<Record<string, string>>> {
    const p: Record<string, string | string[]> = { 'match[]': [match] };
    if (startSec !== undefined) p.start = String(startSec);
    if (endSec !== undefined) p.end = String(endSec);
    return this.api('/api/v1/series', p);
  }

  async exemplars(expr: string, startSec: number, endSec: number): Promise<any[]> {
    return this.api('/api/v1/query_exemplars', { query: expr, start: startSec, end: endSec });
  }

  async metadata(metric?: string): Promise<Record<string, Array<{ type: string; help: string; unit: string }>>> {
    return this.api('/api/v1/metadata', metric ? { metric } : {});
  }

  /** Waits until `check` returns true (polled), or fails with `what` after timeoutMs. */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    await waitFor(what, check, timeoutMs);
  }
}

/** Polls `check` until it is true; the deadline only turns a hang into a clear failure. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 250): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Canonical text of a label set (sorted), to key series. */
export function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

function configYaml(o: PrometheusOptions, port: number): string {
  const lines: string[] = ['global:', `  scrape_interval: ${o.scrapeInterval ?? '15s'}`, `  evaluation_interval: ${o.evaluationInterval ?? '1m'}`];
  if (o.ruleFiles?.length) lines.push('rule_files:', ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  const jobs: ScrapeJob[] = [...(o.scrape ?? [])];
  if (o.scrapeSelf) jobs.push({ job: typeof o.scrapeSelf === 'string' ? o.scrapeSelf : 'prometheus', targets: [`127.0.0.1:${port}`] });
  if (jobs.length > 0 || o.scrapeConfigs?.length) {
    lines.push('scrape_configs:');
    for (const j of jobs) {
      lines.push(`  - job_name: ${JSON.stringify(j.job)}`);
      if (j.interval) lines.push(`    scrape_interval: ${j.interval}`);
      if (j.metricsPath) lines.push(`    metrics_path: ${JSON.stringify(j.metricsPath)}`);
      lines.push('    static_configs:', `      - targets: ${JSON.stringify(j.targets)}`);
    }
    for (const sc of o.scrapeConfigs ?? []) lines.push(`  - ${JSON.stringify(sc)}`);
  }
  if (o.remoteWrite && o.remoteWrite.length > 0) {
    lines.push('remote_write:');
    for (const rw of o.remoteWrite) {
      lines.push(`  - url: ${JSON.stringify(rw.url)}`);
      if (rw.sendExemplars) lines.push('    send_exemplars: true');
      if (rw.sendNativeHistograms) lines.push('    send_native_histograms: true');
      if (rw.headers) {
        lines.push('    headers:');
        for (const [k, v] of Object.entries(rw.headers)) lines.push(`      ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      }
      if (rw.queueConfig) {
        lines.push('    queue_config:');
        for (const [k, v] of Object.entries(rw.queueConfig)) lines.push(`      ${k}: ${v}`);
      }
      lines.push('    metadata_config:', '      send: true', `      send_interval: ${o.metadataInterval ?? '1m'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
