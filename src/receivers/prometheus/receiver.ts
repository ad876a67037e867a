// The `prometheus` receiver: scrapes targets as Prometheus does and hands
// each scrape downstream in the remote-write shape, so it flows to the
// remote-write and Kafka exporters losslessly (and to OTLP by translation).
import { hostname } from 'node:os';
import type { Component } from '../../component/component.js';
import type { MetricsConsumer } from '../../component/consumer.js';
import type { RequestContext } from '../../component/context.js';
import type { CreateSettings } from '../../component/factory.js';
import { asConsumerError } from '../../errors/consumererror.js';
import { ErrorCode } from '../../errors/codes.js';
import type { PromWrite } from '../../pdata/proto.js';
import { createRateLimitedLogger, type RateLimitedLogger } from '../../telemetry/ratelog.js';
import type { ReceiverTelemetry } from '../../telemetry/selftelemetry.js';
import type { PrometheusReceiverConfig } from './config.js';
import { Fetcher } from './fetch.js';
import { buildJobs, durationOr, type Job } from './jobs.js';
import { Limiter } from './limiter.js';
import { ScrapeLoop, type ScrapeOutcome } from './scrapeloop.js';
import { DnsDiscoverer } from './sd/dns.js';
import { FileDiscoverer } from './sd/file.js';
import type { Discoverer } from './sd/provider.js';
import { StaticDiscoverer } from './sd/static.js';
import { groupTargets, populateTarget, type Target, type TargetGroup } from './targets.js';

const VERSION = '0.1.0';

export class PrometheusReceiver implements Component {
  private readonly jobs: Job[];
  private readonly limiter: Limiter;
  private readonly tel: ReceiverTelemetry;
  private readonly rlog: RateLimitedLogger;
  private readonly pools: JobPool[] = [];
  private readonly ctx: RequestContext;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: PrometheusReceiverConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.jobs = buildJobs(cfg);
    this.limiter = new Limiter(cfg.max_concurrent_scrapes);
    this.tel = set.telemetry.receiver(set.id, 'http');
    this.rlog = createRateLimitedLogger(set.logger);
    this.ctx = { receiver: set.id };
  }

  async start(): Promise<void> {
    const external = Object.entries(this.cfg.config.global?.external_labels ?? {});
    const seed = fnv32(hostname() + JSON.stringify(external));
    for (const job of this.jobs) {
      const pool = new JobPool(job, this.limiter, external, seed, this.set, this.rlog, (req, n) => this.emit(req, n), (o, t) => this.onScrape(job, o, t));
      this.pools.push(pool);
      pool.start(this.discoverers(job));
    }
    this.set.logger.info({ jobs: this.jobs.map((j) => j.settings.job) }, 'prometheus receiver scraping');
  }

  async shutdown(): Promise<void> {
    const pools = this.pools.splice(0);
    await Promise.all(pools.map((p) => p.stop()));
  }

  /** Targets currently scraped, by job (for tests and diagnostics). */
  activeTargets(): Map<string, Target[]> {
    return new Map(this.pools.map((p) => [p.job.settings.job, p.targets()]));
  }

  private discoverers(job: Job): Discoverer[] {
    const sc = job.sc;
    const out: Discoverer[] = [];
    if (sc.static_configs?.length) out.push(new StaticDiscoverer(sc.static_configs));
    for (const f of sc.file_sd_configs ?? []) {
      out.push(
        new FileDiscoverer(f.files, durationOr(f.refresh_interval, '5m'), (file, err) =>
          this.rlog.log('error', `file_sd:${file}`, { job: job.settings.job, file }, `file_sd: cannot read targets: ${err}`),
        ),
      );
    }
    for (const d of sc.dns_sd_configs ?? []) {
      out.push(
        new DnsDiscoverer(
          { names: d.names, type: d.type ?? 'SRV', ...(d.port !== undefined ? { port: d.port } : {}), refreshMs: durationOr(d.refresh_interval, '30s'), ...(this.cfg.dns_servers ? { servers: this.cfg.dns_servers } : {}) },
          (name, err) => this.rlog.log('error', `dns_sd:${name}`, { job: job.settings.job, name }, `dns_sd: lookup failed: ${err}`),
        ),
      );
    }
    return out;
  }

  private async emit(req: PromWrite, samples: number): Promise<void> {
    try {
      await this.next.consume({ format: 'prw', request: req }, this.ctx);
      this.tel.accepted('metrics', samples);
    } catch (e) {
      const err = asConsumerError(e);
      this.tel.refused('metrics', samples);
      this.set.telemetry.dropped(this.set.id, 'metrics', err.code ?? ErrorCode.EXPORT_RETRYABLE, samples);
      this.rlog.log('warn', `downstream:${err.code}`, { code: err.code, samples }, `scraped samples refused downstream and dropped (the next scrape brings fresh values): ${err.message}`);
    }
  }

  private onScrape(job: Job, o: ScrapeOutcome, t: Target): void {
    const tel = this.set.telemetry;
    tel.counter('tollgate_scrape_total', 'Scrapes by job and result.', ['receiver', 'job', 'result']).inc({ receiver: this.set.id, job: job.settings.job, result: o.ok ? 'ok' : 'failed' });
    if (!o.ok) {
      const instance = t.labels.find((l) => l.name === 'instance')?.value ?? t.url;
      this.rlog.log('warn', `scrape:${job.settings.job}:${instance}`, { job: job.settings.job, target: t.url }, `scrape failed: ${o.error}`);
    }
    if (o.duplicates > 0) {
      tel.dropped(this.set.id, 'metrics', ErrorCode.SCRAPE_DUPLICATE_SERIES, o.duplicates);
      this.rlog.log('warn', `dup:${job.settings.job}`, { job: job.settings.job, target: t.url, samples: o.duplicates }, 'scrape had several samples of one series (after relabelling); kept the first');
    }
  }
}

/** One job's targets: discovery results merged, a loop per distinct target. */
class JobPool {
  private readonly groups: Map<string, TargetGroup>[] = [];
  private readonly loops = new Map<string, ScrapeLoop>();
  private readonly fetcher: Fetcher;
  private discoverers: Discoverer[] = [];
  private readonly ending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    readonly job: Job,
    private readonly limiter: Limiter,
    private readonly external: Array<[string, string]>,
    private readonly seed: number,
    private readonly set: CreateSettings,
    private readonly rlog: RateLimitedLogger,
    private readonly emit: (req: PromWrite, n: number) => Promise<void>,
    private readonly onScrape: (o: ScrapeOutcome, t: Target) => void,
  ) {
    this.fetcher = new Fetcher(job.sc, job.bodyLimit, `Tollgate/${VERSION}`, set.telemetry.admission);
  }

  start(discoverers: Discoverer[]): void {
    this.discoverers = discoverers;
    discoverers.forEach((d, i) => {
      this.groups.push(new Map());
      d.start((groups) => {
        const m = this.groups[i]!;
        m.clear();
        for (const g of groups) m.set(g.source, g);
        this.sync();
      });
    });
  }

  targets(): Target[] {
    return [...this.loops.values()].map((l) => l.target);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const d of this.discoverers) d.stop();
    await Promise.all([...this.loops.values()].map((l) => l.stop({ stale: false })));
    this.loops.clear();
    await Promise.all(this.ending);
    this.fetcher.close();
  }

  private sync(): void {
    if (this.stopped) return;
    const want = new Map<string, Target>();
    for (const m of this.groups) {
      for (const g of m.values()) {
        for (const raw of groupTargets(g)) {
          const r = populateTarget(raw, this.job.settings);
          if ('target' in r) want.set(r.target.key, r.target);
          else if ('error' in r) this.rlog.log('warn', `target:${this.job.settings.job}:${r.error}`, { job: this.job.settings.job }, `target dropped: ${r.error}`);
        }
      }
    }
    for (const [key, loop] of this.loops) {
      if (want.has(key)) continue;
      this.loops.delete(key);
      // Gone from discovery: its series go stale after two intervals, unless it comes back.
      const p = loop.stop({ stale: true, cancelled: () => this.stopped || this.loops.has(key) }).finally(() => this.ending.delete(p));
      this.ending.add(p);
    }
    const sc = this.job.sc;
    for (const [key, t] of want) {
      if (this.loops.has(key)) continue;
      const loop = new ScrapeLoop(
        t,
        this.fetcher,
        this.limiter,
        {
          honorLabels: sc.honor_labels ?? false,
          honorTimestamps: sc.honor_timestamps ?? true,
          metricRelabel: this.job.metricRelabel,
          externalLabels: this.external,
          sampleLimit: sc.sample_limit ?? 0,
          labelLimit: sc.label_limit ?? 0,
        },
        { emit: this.emit, onScrape: this.onScrape },
        (fnv32(key + t.url) ^ this.seed) % t.intervalMs,
      );
      this.loops.set(key, loop);
      loop.start();
    }
    this.set.logger.debug({ job: this.job.settings.job, targets: this.loops.size }, 'targets updated');
  }
}

function fnv32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
