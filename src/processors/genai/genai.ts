import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, type TracesConsumer } from '../../component/consumer.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import type { ISpan, Traces } from '../../pdata/proto.js';
import { ownAttrs, setAttr } from '../../genai/attrs.js';
import { DERIVED, isLlmSpan, type Convention } from '../../genai/conventions.js';
import { idHex } from '../../genai/time.js';
import type { GenaiConfig } from './config.js';
import { Normalizer } from './normalize.js';
import { deriveTimings, type ChildTimes } from './timings.js';

type ChildRole = keyof ChildTimes;

/**
 * The `genai` processor: rewrites LLM request spans to the current GenAI
 * semantic-convention names and derives their latency figures (see
 * timings.ts). Spans that carry no GenAI attributes pass untouched.
 */
export class GenaiProcessor implements Processor<'traces'>, Component {
  readonly capabilities = MUTATES;
  private readonly normalizer: Normalizer;
  private readonly childRole = new Map<string, ChildRole>();
  private readonly firstTokenEvents: ReadonlySet<string>;
  private readonly counts = new Map<Convention, number>();

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: GenaiConfig,
    private readonly next: TracesConsumer,
  ) {
    this.normalizer = new Normalizer({ keepOriginal: cfg.keep_original_attributes, fillRequestModel: cfg.fill_request_model });
    if (cfg.derive_timings) {
      for (const n of cfg.queue_span_names) this.childRole.set(n, 'queue');
      for (const n of cfg.decode_span_names) this.childRole.set(n, 'decode');
      for (const n of cfg.prefill_span_names) this.childRole.set(n, 'prefill');
    }
    this.firstTokenEvents = new Set(cfg.derive_timings ? cfg.first_token_event_names : []);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: Traces, ctx: RequestContext): Promise<void> {
    this.process(data);
    return this.next.consume(data, ctx);
  }

  /** Normalizes every span of the batch in place. */
  process(data: Traces): void {
    const children = this.childRole.size > 0 ? this.collectChildren(data) : undefined;
    for (const rs of data.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) this.processSpan(span, children);
      }
    }
    this.flushCounts();
  }

  private processSpan(span: ISpan, children: Map<string, ChildTimes> | undefined): void {
    if (!span.attributes || span.attributes.length === 0) return;
    const attrs = ownAttrs(span);
    const conv = this.normalizer.normalize(attrs);
    if (conv === undefined || !isLlmSpan(attrs)) return;
    this.counts.set(conv, (this.counts.get(conv) ?? 0) + 1);
    if (this.cfg.mark_convention) setAttr(attrs, DERIVED.convention, { stringValue: conv });
    if (this.cfg.derive_timings) {
      const c = children && children.size > 0 ? children.get(idHex(span.spanId)) : undefined;
      deriveTimings(span, attrs, c, this.firstTokenEvents);
    }
  }

  /** Child spans named as phases (prefill, decode, queue), by their parent's span id. */
  private collectChildren(data: Traces): Map<string, ChildTimes> {
    const out = new Map<string, ChildTimes>();
    for (const rs of data.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          const role = this.childRole.get(span.name ?? '');
          if (role === undefined || !span.parentSpanId || span.parentSpanId.length === 0) continue;
          const key = idHex(span.parentSpanId);
          let c = out.get(key);
          if (!c) out.set(key, (c = {}));
          if (span.startTimeUnixNano != null && span.endTimeUnixNano != null) c[role] = { start: span.startTimeUnixNano, end: span.endTimeUnixNano };
        }
      }
    }
    return out;
  }

  private flushCounts(): void {
    if (this.counts.size === 0) return;
    const c = this.set.telemetry.counter('tollgate_genai_spans', 'LLM request spans normalized by the genai processor, by the convention they arrived in.', [
      'processor',
      'convention',
    ]);
    for (const [conv, n] of this.counts) c.inc({ processor: this.set.id, convention: conv }, n);
    this.counts.clear();
  }
}
