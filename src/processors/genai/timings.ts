// Latency figures of one LLM request span, derived from what the emitter gave.
//
//   time to first token   attribute (vLLM gen_ai.latency.time_to_first_token,
//                         OpenLIT gen_ai.server.time_to_first_token), else the
//                         end of a `prefill` child span, else a first-token
//                         event, each relative to the span's start
//   decode time           attribute, else a `decode` child span, else
//                         request duration − time to first token
//   time per output token decode time / (output tokens − 1)
//   output tokens/s       output tokens / request duration
//   queue / prefill time  attribute, else the matching child span
import type { Int64, ISpan } from '../../pdata/proto.js';
import { findAttr, getNumber, removeAttr, type Attrs } from '../../genai/attrs.js';
import { DERIVED, GENAI } from '../../genai/conventions.js';
import { nanosDiff } from '../../genai/time.js';

export interface Interval {
  start: Int64;
  end: Int64;
}

/** Child spans of one request found in the same batch. */
export interface ChildTimes {
  prefill?: Interval;
  decode?: Interval;
  queue?: Interval;
}

const OPENLIT_TTFT = 'gen_ai.server.time_to_first_token';

function dur(i: Interval | undefined): number | undefined {
  if (!i) return undefined;
  const d = nanosDiff(i.end, i.start) / 1e9;
  return d >= 0 ? d : undefined;
}

function put(attrs: Attrs, key: string, v: number | undefined): void {
  if (v === undefined || !Number.isFinite(v) || v < 0) return;
  attrs.push({ key, value: { doubleValue: v } });
}

/** Phase times carried over from the emitter that cannot be measurements. */
const PHASES = [DERIVED.queueTime, DERIVED.prefillTime, DERIVED.decodeTime, DERIVED.requestDuration, DERIVED.timeToFirstToken] as const;

/**
 * vLLM computes its latencies as differences of wall-clock stamps, so a
 * request that produced no token reports a time to first token of 0 and a
 * prefill time of minus its scheduling timestamp. Negative times, and a
 * first-token time of 0 with no output token, are removed rather than kept.
 */
function dropNonMeasurements(attrs: Attrs): void {
  for (const k of PHASES) {
    const v = getNumber(attrs, k);
    if (v !== undefined && v < 0) removeAttr(attrs, k);
  }
  if (getNumber(attrs, DERIVED.timeToFirstToken) === 0 && getNumber(attrs, GENAI.outputTokens) === 0) removeAttr(attrs, DERIVED.timeToFirstToken);
}

/**
 * Adds the derived attributes that the span does not already carry. `attrs`
 * is the span's own (normalized) attribute array.
 */
export function deriveTimings(span: ISpan, attrs: Attrs, children: ChildTimes | undefined, firstTokenEvents: ReadonlySet<string>): void {
  dropNonMeasurements(attrs);

  const spanNanos = nanosDiff(span.endTimeUnixNano, span.startTimeUnixNano);
  let duration = getNumber(attrs, DERIVED.requestDuration);
  let durationFromSpan = false;
  if (duration === undefined && spanNanos >= 0 && Number.isFinite(spanNanos)) {
    duration = spanNanos / 1e9;
    durationFromSpan = true;
    put(attrs, DERIVED.requestDuration, duration);
  }
  // TTFT in nanoseconds when it came from timestamps: decode time is then an exact difference too.
  let ttftNanos: number | undefined;

  let ttft = getNumber(attrs, DERIVED.timeToFirstToken);
  if (ttft !== undefined) {
    // Came with the span (vLLM, renamed); say so.
    if (!findAttr(attrs, DERIVED.timeToFirstTokenSource)) attrs.push({ key: DERIVED.timeToFirstTokenSource, value: { stringValue: 'attribute' } });
  } else {
    let source: string | undefined;
    ttft = getNumber(attrs, OPENLIT_TTFT);
    if (ttft !== undefined) source = 'attribute';
    if (ttft === undefined && children?.prefill) {
      const n = nanosDiff(children.prefill.end, span.startTimeUnixNano);
      if (n >= 0) (ttft = n / 1e9), (ttftNanos = n), (source = 'prefill_span');
    }
    if (ttft === undefined && firstTokenEvents.size > 0) {
      for (const ev of span.events ?? []) {
        if (!firstTokenEvents.has(ev.name ?? '')) continue;
        const n = nanosDiff(ev.timeUnixNano, span.startTimeUnixNano);
        if (n >= 0) (ttft = n / 1e9), (ttftNanos = n), (source = 'event');
        break;
      }
    }
    if (ttft !== undefined && source) {
      put(attrs, DERIVED.timeToFirstToken, ttft);
      attrs.push({ key: DERIVED.timeToFirstTokenSource, value: { stringValue: source } });
    }
  }

  if (getNumber(attrs, DERIVED.queueTime) === undefined) put(attrs, DERIVED.queueTime, dur(children?.queue));
  if (getNumber(attrs, DERIVED.prefillTime) === undefined) put(attrs, DERIVED.prefillTime, dur(children?.prefill));

  let decode = getNumber(attrs, DERIVED.decodeTime);
  if (decode === undefined) {
    decode = dur(children?.decode);
    if (decode === undefined && durationFromSpan && ttftNanos !== undefined && spanNanos >= ttftNanos) decode = (spanNanos - ttftNanos) / 1e9;
    if (decode === undefined && ttft !== undefined && duration !== undefined && duration >= ttft) decode = duration - ttft;
    put(attrs, DERIVED.decodeTime, decode);
  }

  const out = getNumber(attrs, GENAI.outputTokens);
  if (out !== undefined && out > 1 && decode !== undefined && getNumber(attrs, DERIVED.timePerOutputToken) === undefined) {
    put(attrs, DERIVED.timePerOutputToken, decode / (out - 1));
  }
  if (out !== undefined && duration !== undefined && duration > 0 && getNumber(attrs, DERIVED.outputTokensPerSecond) === undefined) {
    put(attrs, DERIVED.outputTokensPerSecond, out / duration);
  }
}
