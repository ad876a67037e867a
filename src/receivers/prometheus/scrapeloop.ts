// One target's scrape loop, as Prometheus 2.42's scrapeLoop: scrape at a
// fixed offset in the interval, stamp samples with the scrape's start time
// (explicit timestamps kept with honor_timestamps), write the report series
// (up, scrape_duration_seconds, ...), and a stale marker for every series of
// the previous scrape that is missing from this one, for all of them when the
// scrape fails, and (two intervals later) when the target goes away.
import type { ILabel, ITimeSeries, IMetricMetadata, PromWrite } from '../../pdata/proto.js';
import { STALE_NAN } from '../../prw/codec.js';
import type { Fetcher, ScrapeBody } from './fetch.js';
import type { Limiter } from './limiter.js';
import { labelsKey, reportLabels, seriesLabels, type SeriesRules } from './series.js';
import type { Target } from './targets.js';
import { ExpositionParser, parseExemplar, type FamilyMeta } from './textparse.js';

/** Prometheus aligns a scrape's timestamp to the schedule when it is this close (ScrapeTimestampTolerance). */
const ALIGN_TOLERANCE_MS = 2;

const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

const METRIC_TYPE: Record<string, number> = { counter: 1, gauge: 2, histogram: 3, gaugehistogram: 4, summary: 5, info: 6, stateset: 7 };

export interface LoopOptions extends SeriesRules {
  honorTimestamps: boolean;
  sampleLimit: number;
  labelLimit: number;
}

export interface ScrapeOutcome {
  ok: boolean;
  error?: string;
  scraped: number;
  added: number;
  stale: number;
  durationS: number;
  /** Samples dropped as duplicates of a series already in this scrape. */
  duplicates: number;
}

export interface LoopHooks {
  /** Hands one scrape's series downstream; the loop waits for it before its next scrape. */
  emit(req: PromWrite, samples: number): Promise<void>;
  onScrape(o: ScrapeOutcome, target: Target): void;
}

interface SeriesState {
  labels: ILabel[];
  /** Last scrape that appended it (duplicate detection). */
  appendedIter: number;
  /** Last scrape it was seen in without an explicit timestamp (staleness). */
  seenIter: number;
}

/** The cache entry for a raw series text: its series, or null when metric relabelling drops it. */
type CacheEntry = { state: SeriesState | null; iter: number };

export class ScrapeLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private iter = 0;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly byKey = new Map<string, SeriesState>();
  private prevSeen: SeriesState[] = [];
  private readonly report: ILabel[][];
  private readonly metaSent = new Map<string, string>();
  private nextAt = 0;
  private lastScrapeAt = 0;

  constructor(
    readonly target: Target,
    private readonly fetcher: Fetcher,
    private readonly limiter: Limiter,
    private readonly opts: LoopOptions,
    private readonly hooks: LoopHooks,
    /** Offset of this target's scrapes within the interval (ms), from its hash. */
    private readonly offsetMs: number,
  ) {
    this.report = REPORT_NAMES.map((n) => reportLabels(n, target.labels, opts.externalLabels));
  }

  start(now = Date.now()): void {
    const iv = this.target.intervalMs;
    // As Prometheus's Target.offset: pinned to absolute time, so a restart keeps the phase.
    let next = iv - (now % iv) + this.offsetMs;
    if (next > iv) next -= iv;
    this.nextAt = now + next;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    const iv = this.target.intervalMs;
    // A scrape that overran skips the ticks it missed, as a Go ticker drops them.
    while (this.nextAt < now - ALIGN_TOLERANCE_MS) this.nextAt += iv;
    this.timer = setTimeout(() => {
      const expected = this.nextAt;
      this.nextAt += iv;
      this.running = this.scrapeOnce(expected).finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, Math.max(0, this.nextAt - now));
  }

  /**
   * Stops scraping. With `stale`, as when discovery drops the target: marks
   * every series stale at the time the next scrape would have been, written
   * after two intervals and a tenth (a target re-created meanwhile keeps its
   * series). Without, as at shutdown: nothing more is written.
   */
  async stop(opts: { stale: boolean; cancelled?: () => boolean } = { stale: false }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!opts.stale || this.lastScrapeAt === 0) return;
    const iv = this.target.intervalMs;
    const staleAt = this.nextAt;
    const writeAt = staleAt + iv + iv / 10;
    await new Promise((r) => setTimeout(r, Math.max(0, writeAt - Date.now())));
    if (opts.cancelled?.()) return;
    const out: ITimeSeries[] = [];
    for (const s of this.prevSeen) out.push(staleSeries(s.labels, staleAt));
    for (const l of this.report) out.push(staleSeries(l, staleAt));
    this.prevSeen = [];
    await this.hooks.emit({ timeseries: out }, out.length).catch(() => undefined);
  }

  /** One scrape (exported for tests that drive the loop by hand). */
  async scrapeOnce(expected = Date.now()): Promise<void> {
    await this.limiter.acquire();
    const now = Date.now();
    const ts = Math.abs(now - expected) <= ALIGN_TOLERANCE_MS ? expected : now;
    const started = performance.now();
    let body: ScrapeBody | undefined;
    let error: string | undefined;
    try {
      body = await this.fetcher.fetch(this.target.url, this.target.timeoutMs);
    } catch (e) {
      error = (e as Error).message;
    }
    let req: PromWrite;
    let outcome: ScrapeOutcome;
    try {
      const r = this.build(body, ts, error, started);
      req = r.req;
      outcome = r.outcome;
    } finally {
      this.limiter.release();
      // The body is parsed into series by now: its bytes go back to the admission budget.
      body?.release();
    }
    this.lastScrapeAt = ts;
    this.hooks.onScrape(outcome, this.target);
    await this.hooks.emit(req, req.timeseries!.length);
  }

  private build(body: ScrapeBody | undefined, ts: number, fetchError: string | undefined, started: number): { req: PromWrite; outcome: ScrapeOutcome } {
    this.iter++;
    const iter = this.iter;
    const out: ITimeSeries[] = [];
    let error = fetchError;
    let scraped = 0;
    let added = 0;
    let seriesAdded = 0;
    let duplicates = 0;
    const cur: SeriesState[] = [];
    let families: Map<string, FamilyMeta> | undefined;
    if (body && !error) {
      const p = new ExpositionParser(body.format);
      const { honorTimestamps, sampleLimit, labelLimit } = this.opts;
      try {
        p.parse(body.body, (series, value, tsMs) => {
          scraped++;
          let e = this.cache.get(series);
          if (e === undefined) {
            const raw = p.labels();
            const labels = seriesLabels(raw, this.target.labels, this.opts);
            let state: SeriesState | null = null;
            if (labels) {
              if (labelLimit > 0 && labels.length > labelLimit) throw new Error(`label_limit exceeded (metric: ${raw[1]}, number of labels: ${labels.length}, limit: ${labelLimit})`);
              if (!labels.some((l) => l.name === '__name__')) throw new Error('missing metric name (__name__ label)');
              const key = labelsKey(labels);
              state = this.byKey.get(key) ?? null;
              if (!state) {
                state = { labels, appendedIter: 0, seenIter: 0 };
                this.byKey.set(key, state);
              }
            }
            e = { state, iter };
            this.cache.set(series, e);
          } else e.iter = iter;
          const st = e.state;
          if (st === null) return;
          if (st.appendedIter === iter) {
            duplicates++;
            return;
          }
          added++;
          if (sampleLimit > 0 && added > sampleLimit) throw new Error(`sample_limit exceeded (${sampleLimit})`);
          const explicit = honorTimestamps && tsMs === tsMs;
          // New since the previous scrape (Prometheus counts series it had to add to its cache).
          if (st.appendedIter !== iter - 1) seriesAdded++;
          st.appendedIter = iter;
          if (!explicit) {
            st.seenIter = iter;
            cur.push(st);
          }
          const t = explicit ? tsMs : ts;
          const s: ITimeSeries = { labels: copyLabels(st.labels), samples: [{ value, timestamp: t }] };
          if (p.exemplar) {
            const ex = parseExemplar(p.exemplar);
            if (ex) {
              const exLabels: ILabel[] = [];
              for (let i = 0; i < ex.labels.length; i += 2) exLabels.push({ name: ex.labels[i]!, value: ex.labels[i + 1]! });
              s.exemplars = [{ labels: exLabels, value: ex.value, timestamp: ex.tsMs === ex.tsMs ? ex.tsMs : t }];
            }
          }
          out.push(s);
        });
        families = p.families;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    if (error) {
      // A failed scrape keeps nothing of what it parsed: every series of the last one goes stale.
      out.length = 0;
      cur.length = 0;
      scraped = 0;
      added = 0;
      seriesAdded = 0;
      duplicates = 0;
      for (const s of this.byKey.values()) if (s.appendedIter === iter) s.appendedIter = 0;
    }
    let stale = 0;
    for (const s of this.prevSeen) {
      if (s.seenIter !== iter) {
        out.push(staleSeries(s.labels, ts));
        stale++;
      }
    }
    this.prevSeen = cur;
    this.sweep(iter, scraped);
    const durationS = (performance.now() - started) / 1000;
    const values = [error ? 0 : 1, durationS, scraped, added, seriesAdded];
    for (let i = 0; i < this.report.length; i++) out.push({ labels: copyLabels(this.report[i]!), samples: [{ value: values[i]!, timestamp: ts }] });
    const req: PromWrite = { timeseries: out };
    if (families && !error) {
      const md = this.metadata(families);
      if (md.length > 0) req.metadata = md;
    }
    return { req, outcome: { ok: !error, ...(error ? { error } : {}), scraped, added, stale, durationS, duplicates } };
  }

  /** Metadata of families new or changed since the last scrape that sent them. */
  private metadata(families: Map<string, FamilyMeta>): IMetricMetadata[] {
    const out: IMetricMetadata[] = [];
    for (const [name, f] of families) {
      const sig = `${f.type}\xff${f.help}\xff${f.unit}`;
      if (this.metaSent.get(name) === sig) continue;
      this.metaSent.set(name, sig);
      out.push({ type: METRIC_TYPE[f.type] ?? 0, metricFamilyName: name, help: f.help, unit: f.unit });
    }
    return out;
  }

  /** Drops cache entries not seen in the last two scrapes, so churn does not grow memory. */
  private sweep(iter: number, scraped: number): void {
    if (this.cache.size <= scraped * 1.5 + 64) return;
    for (const [k, e] of this.cache) if (e.iter < iter - 1) this.cache.delete(k);
    for (const [k, s] of this.byKey) if (s.appendedIter < iter - 1 && s.seenIter < iter - 1) this.byKey.delete(k);
  }
}

function staleSeries(labels: readonly ILabel[], ts: number): ITimeSeries {
  return { labels: copyLabels(labels), samples: [{ value: STALE_NAN, timestamp: ts }] };
}

/** Downstream owns what it is handed (and may rename labels): each batch gets its own label objects. */
function copyLabels(labels: readonly ILabel[]): ILabel[] {
  const out = new Array<ILabel>(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = { name: labels[i]!.name, value: labels[i]!.value };
  return out;
}
