import type { DeltaToCumulative } from './delta.js';

/** How OTLP metrics become Prometheus series. Defaults follow the OpenTelemetry Collector. */
export interface PromTranslateOptions {
  /** Prefix for every metric name (`<namespace>_<name>`); default none. */
  namespace?: string;
  /** Unit and type suffixes (`_seconds`, `_total`, `_ratio`); default true (collector `add_metric_suffixes`). */
  addMetricSuffixes?: boolean;
  /** Every resource attribute becomes a label of every series (collector `resource_to_telemetry_conversion.enabled`); default false. */
  resourceToTelemetryConversion?: boolean;
  /** Resource attributes to copy onto every series as labels (Tollgate `promote_resource_attributes`). */
  promoteResourceAttributes?: readonly string[];
  /** Emit `target_info` for resources with non-identifying attributes; default true. */
  targetInfo?: boolean;
  /** Labels added to every series unless a series already has the name (exporter `external_labels`, `const_labels`). */
  extraLabels?: Readonly<Record<string, string>>;
  /** Metadata entries (TYPE/HELP/UNIT) per metric family; default true. */
  metadata?: boolean;
  /**
   * Running totals for delta sums and histograms. Without it, delta points are
   * refused with reason TG_DELTA_TEMPORALITY; with it they are converted to
   * cumulative (see delta.ts for the bounds).
   */
  delta?: DeltaToCumulative;
}

/** Points left out of a translation, by reason (an error code). */
export interface TranslateDrop {
  reason: string;
  count: number;
}
