// Per-series state of the genaimetrics connector and the metrics it emits.
//
// A series is one combination of dimension values. Their number is bounded by
// `aggregation_cardinality_limit`: once full, spans of new combinations are
// added to a single overflow series (attribute otel.metric.overflow=true, as
// OpenTelemetry SDKs do), so memory stays bounded whatever the input.
//
// Which metrics a span feeds follows the GenAI conventions (v1.41):
//   every LLM span     gen_ai.client.token.usage (token types input and output,
//                      and cache_read, cache_creation, reasoning where the span
//                      reports them: subsets of input and output, so sum input
//                      and output only for totals), request, cost and
//                      unpriced counters;
//   SERVER spans       gen_ai.server.request.duration, and for successful
//                      requests gen_ai.server.time_to_first_token and
//                      gen_ai.server.time_per_output_token;
//   other kinds        gen_ai.client.operation.duration, and for streaming
//                      calls gen_ai.client.operation.time_to_first_chunk.
// Failures carry `error.type` (the span's, else `_OTHER`).
import { Long, type IAnyValue, type IKeyValue, type IMetric, type ISpan, type Int64, type Metrics, type Traces } from '../../pdata/proto.js';
import { anyToNumber, anyToString, findAttr, getBool, getNumber, getString, type Attrs } from '../../genai/attrs.js';
import {
  BUCKETS,
  COST,
  DERIVED,
  GENAI,
  SHOWBACK_PREFIX,
  SPAN_KIND_SERVER,
  STREAM_FLAGS,
  errorTypeOf,
  isLlmSpan,
  spanKindCodes,
} from '../../genai/conventions.js';
import { nanosDiff } from '../../genai/time.js';
import type { GenaiMetricsConfig } from './config.js';
import { Hist } from './histogram.js';

const CUMULATIVE = 2;
export const OVERFLOW_ATTR = 'otel.metric.overflow';
/** Computed dimensions. */
export const ERROR_TYPE = 'error.type';
export const OUTCOME = 'outcome';
const OPENLIT_TTFT = 'gen_ai.server.time_to_first_token';
const OPENLIT_TPOT = 'gen_ai.server.time_per_output_token';
/** Labels of the cost metrics beyond the series dimensions. */
export const METHOD_ATTR = COST.method;
export const REASON_ATTR = 'tollgate.unpriced.reason';

/** Metric names as emitted (OTLP); their Prometheus names are in docs/genai-cost.md. */
export const METRIC = {
  tokenUsage: 'gen_ai.client.token.usage',
  serverDuration: 'gen_ai.server.request.duration',
  clientDuration: 'gen_ai.client.operation.duration',
  timeToFirstToken: 'gen_ai.server.time_to_first_token',
  timePerOutputToken: 'gen_ai.server.time_per_output_token',
  timeToFirstChunk: 'gen_ai.client.operation.time_to_first_chunk',
  cost: 'ai_request_cost_dollars',
  costTotal: 'tollgate.genai.cost',
  adjustment: 'tollgate.genai.cost.adjustment',
  requests: 'tollgate.genai.requests',
  unpriced: 'tollgate.genai.requests.unpriced',
  late: 'tollgate.genai.requests.late',
} as const;

/** gen_ai.token.type values: the conventions' two, and the parts of them emitters report. */
const TOKEN_TYPES = [
  ['input', GENAI.inputTokens],
  ['output', GENAI.outputTokens],
  ['cache_read', GENAI.cacheReadInputTokens],
  ['cache_creation', GENAI.cacheCreationInputTokens],
  ['reasoning', GENAI.reasoningOutputTokens],
] as const;

class CostBook {
  total = 0;
  /** USD credited back by late spans' corrections. */
  adjustment = 0;
  readonly attrs: IKeyValue[];
  readonly hist: Hist;
  constructor(base: IKeyValue[], method: string, ex: number) {
    this.attrs = [...base, { key: METHOD_ATTR, value: { stringValue: method } }];
    this.hist = new Hist(BUCKETS.cost, ex);
  }
}

class Series {
  requests = 0;
  late = 0;
  readonly tokens: Array<[Hist, IKeyValue[]] | undefined> = new Array(TOKEN_TYPES.length).fill(undefined);
  readonly serverDuration: Hist;
  readonly clientDuration: Hist;
  readonly ttft: Hist;
  readonly tpot: Hist;
  readonly ttfc: Hist;
  readonly costs = new Map<string, CostBook>();
  readonly unpriced = new Map<string, { n: number; attrs: IKeyValue[] }>();

  constructor(
    readonly attrs: IKeyValue[],
    readonly start: Long,
    readonly ex: number,
  ) {
    this.serverDuration = new Hist(BUCKETS.duration, ex);
    this.clientDuration = new Hist(BUCKETS.duration, ex);
    this.ttft = new Hist(BUCKETS.timeToFirstToken, ex);
    this.tpot = new Hist(BUCKETS.timePerOutputToken, ex);
    this.ttfc = new Hist(BUCKETS.duration, ex);
  }

  token(i: number, type: string): Hist {
    let t = this.tokens[i];
    if (!t) this.tokens[i] = t = [new Hist(BUCKETS.tokenUsage, this.ex), [...this.attrs, { key: GENAI.tokenType, value: { stringValue: type } }]];
    return t[0];
  }

  book(method: string): CostBook {
    let b = this.costs.get(method);
    if (!b) this.costs.set(method, (b = new CostBook(this.attrs, method, this.ex)));
    return b;
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
    this.kinds = cfg.span_kinds.length ? spanKindCodes(cfg.span_kinds) : undefined;
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
          const err = errorTypeOf(span.status?.code, attrs);
          this.record(this.seriesFor(attrs, res, err, nowMs), span, attrs, err);
          n++;
        }
      }
    }
    return n;
  }

  private seriesFor(attrs: Attrs, res: Attrs | null | undefined, err: string | undefined, nowMs: number): Series {
    let key = '';
    for (let i = 0; i < this.dims.length; i++) {
      const d = this.dims[i];
      if (d === undefined) continue;
      const v =
        d.name === ERROR_TYPE
          ? err
          : d.name === OUTCOME
            ? err !== undefined
              ? 'error'
              : 'success'
            : (getString(attrs, d.name) ?? getString(res, d.name) ?? d.def);
      this.values[i] = v;
      key += v === undefined ? '\u0002\u0001' : `${v}\u0001`;
    }
    let extra: IKeyValue[] | undefined;
    if (this.cfg.showback_dimensions) {
      for (const kv of attrs) {
        const k = kv.key ?? '';
        if (!k.startsWith(SHOWBACK_PREFIX)) continue;
        const v = anyToString(kv.value);
        if (v === undefined) continue;
        (extra ??= []).push({ key: k, value: { stringValue: v } });
        key += `${k}\u0003${v}\u0001`;
      }
    }
    let s = this.series.get(key);
    if (s) return s;
    if (this.series.size >= this.cfg.aggregation_cardinality_limit) {
      this.overflow ??= new Series([{ key: OVERFLOW_ATTR, value: { boolValue: true } }], nowNanos(nowMs), this.ex);
      return this.overflow;
    }
    const kv: IKeyValue[] = [];
    for (let i = 0; i < this.dims.length; i++) {
      const d = this.dims[i];
      if (d === undefined) continue;
      const v = this.values[i];
      if (v !== undefined) kv.push({ key: d.name, value: { stringValue: v } });
    }
    if (extra) kv.push(...extra);
    s = new Series(kv, nowNanos(nowMs), this.ex);
    this.series.set(key, s);
    return s;
  }

  private record(s: Series, span: ISpan, attrs: Attrs, err: string | undefined): void {
    const ex = this.ex > 0 ? { traceId: span.traceId, spanId: span.spanId, timeUnixNano: span.endTimeUnixNano } : undefined;
    s.requests++;
    for (let i = 0; i < TOKEN_TYPES.length; i++) {
      const tt = TOKEN_TYPES[i];
      if (tt === undefined) continue;
      const [type, key] = tt;
      const n = getNumber(attrs, key);
      // Parts (cache, reasoning) only when the emitter reported them.
      if (n !== undefined && n >= 0 && (i < 2 || findAttr(attrs, key))) s.token(i, type).record(n, ex);
    }
    let dur = getNumber(attrs, DERIVED.requestDuration);
    if (dur === undefined) dur = nanosDiff(span.endTimeUnixNano, span.startTimeUnixNano) / 1e9;
    const server = span.kind === SPAN_KIND_SERVER;
    if (Number.isFinite(dur) && dur >= 0) (server ? s.serverDuration : s.clientDuration).record(dur, ex);
    const ttft = getNumber(attrs, DERIVED.timeToFirstToken) ?? getNumber(attrs, OPENLIT_TTFT);
    if (server) {
      // Defined for successful responses only.
      if (err === undefined) {
        if (ttft !== undefined && ttft >= 0) s.ttft.record(ttft, ex);
        const tpot = getNumber(attrs, DERIVED.timePerOutputToken) ?? getNumber(attrs, OPENLIT_TPOT);
        if (tpot !== undefined && tpot >= 0) s.tpot.record(tpot, ex);
      }
    } else {
      const ttfc = getNumber(attrs, GENAI.timeToFirstChunk) ?? (streamed(attrs) ? ttft : undefined);
      if (ttfc !== undefined && ttfc >= 0) s.ttfc.record(ttfc, ex);
    }
    if (getBool(attrs, COST.late) === true) {
      s.late++;
      this.adjust(findAttr(attrs, COST.adjustmentGroups)?.value, attrs);
    }
    if (getBool(attrs, COST.unpriced) === true) {
      const reason = getString(attrs, COST.unpricedReason) ?? 'unknown';
      let u = s.unpriced.get(reason);
      if (!u) s.unpriced.set(reason, (u = { n: 0, attrs: [...s.attrs, { key: REASON_ATTR, value: { stringValue: reason } }] }));
      u.n++;
      return;
    }
    const cost = getNumber(attrs, COST.cost);
    if (cost !== undefined && cost >= 0) {
      const b = s.book(getString(attrs, COST.method) ?? 'reported');
      b.hist.record(cost, ex);
      b.total += cost;
    }
  }

  /**
   * Books a late span's corrections against the series of the spans they
   * apply to: each group names the attributes of those spans (model,
   * provider, operation, showback), the amount is ≤ 0.
   */
  private adjust(groups: IAnyValue | null | undefined, lateAttrs: Attrs): void {
    for (const g of groups?.arrayValue?.values ?? []) {
      const kvs = g.kvlistValue?.values ?? [];
      let amount = 0;
      const attrs: IKeyValue[] = [];
      for (const kv of kvs) {
        if (kv.key === 'amount') amount = anyToNumber(kv.value) ?? 0;
        else attrs.push(kv);
      }
      if (!(amount < 0)) continue;
      // The credited spans were priced by the same method as this late one (gpu_shared).
      const s = this.seriesFor(attrs, undefined, undefined, Date.now());
      s.book(getString(lateAttrs, COST.method) ?? 'gpu_shared').adjustment += -amount;
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
    // Counters are written once they count something; `zeros` writes them from the start (0 late requests,
    // no corrections yet), so ratios over them read 0 rather than nothing.
    const sum = (
      name: string,
      unit: string,
      description: string,
      int: boolean,
      pick: (s: Series) => Array<[number, IKeyValue[]]>,
      zeros = false,
    ): IMetric | undefined => {
      const dataPoints = [];
      for (const s of all) {
        for (const [v, attributes] of pick(s)) {
          if (v > 0 || (zeros && v === 0))
            dataPoints.push({ attributes, startTimeUnixNano: s.start, timeUnixNano: now, ...(int ? { asInt: v } : { asDouble: v }) });
        }
      }
      return dataPoints.length ? { name, unit, description, sum: { aggregationTemporality: CUMULATIVE, isMonotonic: true, dataPoints } } : undefined;
    };
    const books = (s: Series) => [...s.costs.values()];
    const metrics = [
      hist(
        METRIC.tokenUsage,
        '{token}',
        'Tokens per LLM request by gen_ai.token.type: input, output, and the parts cache_read, cache_creation (of input) and reasoning (of output).',
        (s) => s.tokens.filter((t): t is [Hist, IKeyValue[]] => t !== undefined),
      ),
      hist(METRIC.serverDuration, 's', 'LLM request duration as the server measured it (SERVER spans).', (s) => [[s.serverDuration, s.attrs]]),
      hist(METRIC.clientDuration, 's', 'LLM call duration as the client saw it (CLIENT and other non-SERVER spans).', (s) => [[s.clientDuration, s.attrs]]),
      hist(METRIC.timeToFirstToken, 's', 'Time from request start to the first output token, successful SERVER requests.', (s) => [[s.ttft, s.attrs]]),
      hist(METRIC.timePerOutputToken, 's', 'Time per output token after the first (inter-token latency), successful SERVER requests.', (s) => [
        [s.tpot, s.attrs],
      ]),
      hist(METRIC.timeToFirstChunk, 's', 'Time to the first chunk of a streaming response, as the client saw it.', (s) => [[s.ttfc, s.attrs]]),
      hist(METRIC.cost, '{USD}', 'Cost per priced LLM request, in US dollars, by pricing method.', (s) => books(s).map((b) => [b.hist, b.attrs])),
      sum(METRIC.costTotal, '{USD}', 'Cost of priced LLM requests, in US dollars, by pricing method.', false, (s) => books(s).map((b) => [b.total, b.attrs])),
      sum(
        METRIC.adjustment,
        '{USD}',
        'USD taken back from requests priced before a late request arrived (gpu_shared corrections): subtract from tollgate.genai.cost.',
        false,
        (s) =>
          books(s)
            .filter((b) => b.attrs.some((kv) => kv.key === METHOD_ATTR && kv.value?.stringValue === 'gpu_shared'))
            .map((b) => [b.adjustment, b.attrs]),
        true,
      ),
      sum(METRIC.requests, '{request}', 'LLM requests; failures carry error.type.', true, (s) => [[s.requests, s.attrs]]),
      sum(METRIC.unpriced, '{request}', 'LLM requests no pricing method could price, by reason.', true, (s) =>
        [...s.unpriced.values()].map((u) => [u.n, u.attrs]),
      ),
      sum(
        METRIC.late,
        '{request}',
        'LLM requests that arrived after overlapping requests of their replica were priced (gpu_shared); their corrections are in tollgate.genai.cost.adjustment.',
        true,
        (s) => (s.costs.has('gpu_shared') || s.late > 0 ? [[s.late, s.attrs]] : []),
        true,
      ),
    ].filter((m): m is IMetric => m !== undefined);
    if (metrics.length === 0) return { resourceMetrics: [] };
    const resource = { attributes: Object.entries(this.cfg.resource_attributes).map(([key, v]) => ({ key, value: { stringValue: v } })) };
    return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'tollgate/genaimetrics' }, metrics }] }] };
  }
}

/** The call streamed its response, as far as the span says; unknown counts as streamed when a first-token time exists. */
function streamed(attrs: Attrs): boolean {
  for (const k of STREAM_FLAGS) {
    const b = getBool(attrs, k);
    if (b !== undefined) return b;
  }
  return true;
}
