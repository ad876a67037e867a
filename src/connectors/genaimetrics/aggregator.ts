// Per-series state of the genaimetrics connector and the metrics it emits.
//
// A series is one combination of dimension values. Their number is bounded by
// `aggregation_cardinality_limit`: once full, spans of new combinations are
// added to a single overflow series (attribute otel.metric.overflow=true, as
// OpenTelemetry SDKs do), so memory stays bounded whatever the input.
import { Long, type IKeyValue, type IMetric, type ISpan, type Int64, type Metrics, type Traces } from '../../pdata/proto.js';
import { getBool, getNumber, getString, type Attrs } from '../../genai/attrs.js';
import { BUCKETS, COST, DERIVED, GENAI, isErrorSpan, isLlmSpan } from '../../genai/conventions.js';
import { nanosDiff } from '../../genai/time.js';
import type { GenaiMetricsConfig } from './config.js';
import { Hist } from './histogram.js';

const KINDS: Readonly<Record<string, number>> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const CUMULATIVE = 2;
export const OVERFLOW_ATTR = 'otel.metric.overflow';
export const OUTCOME = 'outcome';
const OPENLIT_TTFT = 'gen_ai.server.time_to_first_token';
const OPENLIT_TPOT = 'gen_ai.server.time_per_output_token';

/** Metric names as emitted (OTLP); their Prometheus names are in README.md ("GenAI enrichment"). */
export const METRIC = {
  tokenUsage: 'gen_ai.client.token.usage',
  requestDuration: 'gen_ai.server.request.duration',
  timeToFirstToken: 'gen_ai.server.time_to_first_token',
  timePerOutputToken: 'gen_ai.server.time_per_output_token',
  cost: 'ai_request_cost_dollars',
  costTotal: 'tollgate.genai.cost',
  requests: 'tollgate.genai.requests',
  unpriced: 'tollgate.genai.requests.unpriced',
} as const;

class Series {
  readonly inputAttrs: IKeyValue[];
  readonly outputAttrs: IKeyValue[];
  requests = 0;
  unpriced = 0;
  costTotal = 0;
  readonly tokenIn: Hist;
  readonly tokenOut: Hist;
  readonly duration: Hist;
  readonly ttft: Hist;
  readonly tpot: Hist;
  readonly cost: Hist;

  constructor(
    readonly attrs: IKeyValue[],
    readonly start: Long,
    ex: number,
  ) {
    this.inputAttrs = [...attrs, { key: GENAI.tokenType, value: { stringValue: 'input' } }];
    this.outputAttrs = [...attrs, { key: GENAI.tokenType, value: { stringValue: 'output' } }];
    this.tokenIn = new Hist(BUCKETS.tokenUsage, ex);
    this.tokenOut = new Hist(BUCKETS.tokenUsage, ex);
    this.duration = new Hist(BUCKETS.duration, ex);
    this.ttft = new Hist(BUCKETS.timeToFirstToken, ex);
    this.tpot = new Hist(BUCKETS.timePerOutputToken, ex);
    this.cost = new Hist(BUCKETS.cost, ex);
  }
}

export function nowNanos(ms = Date.now()): Long {
  return Long.fromNumber(ms).multiply(1_000_000);
}

export class GenaiAggregator {
  private readonly series = new Map<string, Series>();
  private overflow: Series | undefined;
  private readonly dims: ReadonlyArray<{ name: string; def?: string }>;
  private readonly kinds: ReadonlySet<number> | undefined;
  private readonly values: Array<string | undefined>;
  private readonly ex: number;

  constructor(private readonly cfg: GenaiMetricsConfig) {
    this.dims = cfg.dimensions.map((d) => ({ name: d.name, def: d.default }));
    this.values = new Array(this.dims.length);
    this.kinds = cfg.span_kinds.length ? new Set(cfg.span_kinds.map((k) => KINDS[k]!)) : undefined;
    this.ex = cfg.exemplars.enabled ? cfg.exemplars.max_per_data_point : 0;
  }

  get seriesCount(): number {
    return this.series.size + (this.overflow ? 1 : 0);
  }

  /** Adds every LLM request span of the batch; returns how many were counted. */
  add(data: Traces, nowMs = Date.now()): number {
    let n = 0;
    for (const rs of data.resourceSpans ?? []) {
      const res = rs.resource?.attributes;
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          if (this.kinds && !this.kinds.has(span.kind ?? 0)) continue;
          const attrs = span.attributes;
          if (!isLlmSpan(attrs)) continue;
          this.record(this.seriesFor(span, attrs!, res, nowMs), span, attrs!);
          n++;
        }
      }
    }
    return n;
  }

  private seriesFor(span: ISpan, attrs: Attrs, res: Attrs | null | undefined, nowMs: number): Series {
    let key = '';
    for (let i = 0; i < this.dims.length; i++) {
      const d = this.dims[i]!;
      const v =
        d.name === OUTCOME
          ? isErrorSpan(span.status?.code, attrs) ? 'error' : 'success'
          : getString(attrs, d.name) ?? getString(res, d.name) ?? d.def;
      this.values[i] = v;
      key += v === undefined ? '\u0002\u0001' : `${v}\u0001`;
    }
    let s = this.series.get(key);
    if (s) return s;
    if (this.series.size >= this.cfg.aggregation_cardinality_limit) {
      this.overflow ??= new Series([{ key: OVERFLOW_ATTR, value: { boolValue: true } }], nowNanos(nowMs), this.ex);
      return this.overflow;
    }
    const kv: IKeyValue[] = [];
    for (let i = 0; i < this.dims.length; i++) {
      const v = this.values[i];
      if (v !== undefined) kv.push({ key: this.dims[i]!.name, value: { stringValue: v } });
    }
    s = new Series(kv, nowNanos(nowMs), this.ex);
    this.series.set(key, s);
    return s;
  }

  private record(s: Series, span: ISpan, attrs: Attrs): void {
    const ex = this.ex > 0 ? { traceId: span.traceId, spanId: span.spanId, timeUnixNano: span.endTimeUnixNano } : undefined;
    s.requests++;
    const inTok = getNumber(attrs, GENAI.inputTokens);
    if (inTok !== undefined && inTok >= 0) s.tokenIn.record(inTok, ex);
    const outTok = getNumber(attrs, GENAI.outputTokens);
    if (outTok !== undefined && outTok >= 0) s.tokenOut.record(outTok, ex);
    let dur = getNumber(attrs, DERIVED.requestDuration);
    if (dur === undefined) dur = nanosDiff(span.endTimeUnixNano, span.startTimeUnixNano) / 1e9;
    if (Number.isFinite(dur) && dur >= 0) s.duration.record(dur, ex);
    const ttft = getNumber(attrs, DERIVED.timeToFirstToken) ?? getNumber(attrs, OPENLIT_TTFT);
    if (ttft !== undefined && ttft >= 0) s.ttft.record(ttft, ex);
    const tpot = getNumber(attrs, DERIVED.timePerOutputToken) ?? getNumber(attrs, OPENLIT_TPOT);
    if (tpot !== undefined && tpot >= 0) s.tpot.record(tpot, ex);
    if (getBool(attrs, COST.unpriced) === true) s.unpriced++;
    else {
      const cost = getNumber(attrs, COST.cost);
      if (cost !== undefined && cost >= 0) {
        s.cost.record(cost, ex);
        s.costTotal += cost;
      }
    }
  }

  /** Every series as cumulative OTLP metrics at `now`. */
  collect(now: Int64 = nowNanos()): Metrics {
    const all = [...this.series.values()];
    if (this.overflow) all.push(this.overflow);
    const hist = (name: string, unit: string, description: string, pick: (s: Series) => Array<[Hist, IKeyValue[]]>): IMetric | undefined => {
      const dataPoints = [];
      for (const s of all) for (const [h, a] of pick(s)) if (h.count > 0) dataPoints.push(h.point(a, s.start, now));
      return dataPoints.length ? { name, unit, description, histogram: { aggregationTemporality: CUMULATIVE, dataPoints } } : undefined;
    };
    const sum = (name: string, unit: string, description: string, int: boolean, pick: (s: Series) => number): IMetric | undefined => {
      const dataPoints = all
        .filter((s) => pick(s) > 0)
        .map((s) => ({ attributes: s.attrs, startTimeUnixNano: s.start, timeUnixNano: now, ...(int ? { asInt: pick(s) } : { asDouble: pick(s) }) }));
      return dataPoints.length ? { name, unit, description, sum: { aggregationTemporality: CUMULATIVE, isMonotonic: true, dataPoints } } : undefined;
    };
    const metrics = [
      hist(METRIC.tokenUsage, '{token}', 'Input and output tokens per LLM request.', (s) => [
        [s.tokenIn, s.inputAttrs],
        [s.tokenOut, s.outputAttrs],
      ]),
      hist(METRIC.requestDuration, 's', 'LLM request duration as the server measured it.', (s) => [[s.duration, s.attrs]]),
      hist(METRIC.timeToFirstToken, 's', 'Time from request start to the first output token.', (s) => [[s.ttft, s.attrs]]),
      hist(METRIC.timePerOutputToken, 's', 'Time per output token after the first (inter-token latency).', (s) => [[s.tpot, s.attrs]]),
      hist(METRIC.cost, '{USD}', 'GPU cost per LLM request, in US dollars.', (s) => [[s.cost, s.attrs]]),
      sum(METRIC.costTotal, '{USD}', 'GPU cost of LLM requests, in US dollars.', false, (s) => s.costTotal),
      sum(METRIC.requests, '{request}', 'LLM requests, by outcome.', true, (s) => s.requests),
      sum(METRIC.unpriced, '{request}', 'LLM requests the gpucost processor could not price.', true, (s) => s.unpriced),
    ].filter((m): m is IMetric => m !== undefined);
    if (metrics.length === 0) return { resourceMetrics: [] };
    const resource = { attributes: Object.entries(this.cfg.resource_attributes).map(([key, v]) => ({ key, value: { stringValue: v } })) };
    return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'tollgate/genaimetrics' }, metrics }] }] };
  }
}

