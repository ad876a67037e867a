// OTLP metrics → Prometheus series (remote-write 1.0 WriteRequest), by the
// OpenTelemetry Prometheus compatibility rules:
//   - names: characters outside [a-zA-Z0-9] split the name into words joined by
//     `_`; the unit becomes suffix words (`s`→`seconds`, `By`→`bytes`,
//     `ms`→`milliseconds`, `x/y`→`x_per_y`, `{thing}` and `1` add nothing) unless
//     already in the name; monotonic sums end in `_total`; gauges of unit `1`
//     end in `_ratio`; a leading digit gets `_`. `addMetricSuffixes: false`
//     only replaces invalid characters.
//   - labels: attribute keys sanitized (leading digit → `key_`, single leading
//     `_` → `key_`), colliding keys merged with `;`; `job` =
//     `service.namespace/service.name`, `instance` = `service.instance.id` on
//     every series; other resource attributes go to `target_info` (or onto
//     every series with resourceToTelemetryConversion / promoteResourceAttributes).
//   - histograms → `_bucket{le}` (cumulative, ending at `le="+Inf"`), `_sum`
//     (when the point has one), `_count`; exponential histograms → native
//     histograms (schema = scale, merged down to 8; scales below -4 are
//     refused); summaries → `{quantile}` series, `_sum`, `_count`.
//   - exemplars keep trace_id/span_id (hex) as labels; histogram exemplars go to
//     the first bucket that holds their value.
//   - a point flagged "no recorded value" becomes the stale marker NaN.
//   - non-monotonic sums are gauges; delta sums and histograms are refused
//     (TG_DELTA_TEMPORALITY) unless a DeltaToCumulative is given, which turns
//     them into cumulative series (bounded; see delta.ts).
import type { Metrics, PromWrite } from '../../pdata/proto.js';
import type { PromTranslateOptions, TranslateDrop } from './options.js';
import { translate } from './translate.js';

export type { PromTranslateOptions, TranslateDrop } from './options.js';
export { DeltaToCumulative, type DeltaOptions } from './delta.js';
export { metricName, promUnit, labelName, sanitizeMetricName, isValidLabelName, isValidMetricName } from './names.js';
export { STALE_NAN, isStaleNaN, formatFloat } from './values.js';
export { nativeToClassicBuckets, type ExpPoint } from './nativehistogram.js';

/** The translation and what it left out (points, by reason), so the caller can count and log the drops. */
export interface PromWriteWithDrops {
  request: PromWrite;
  dropped: TranslateDrop[];
}

/** OTLP → remote-write request. Points that cannot be written are left out; use otlpToPromWriteWithDrops to count them. */
export function otlpToPromWrite(metrics: Metrics, opts: PromTranslateOptions = {}): PromWrite {
  return translate(metrics, opts).request;
}

/** OTLP → remote-write request, with the number of points left out per reason (an error code). */
export function otlpToPromWriteWithDrops(metrics: Metrics, opts: PromTranslateOptions = {}): PromWriteWithDrops {
  return translate(metrics, opts);
}
