import { Type, type Static } from '@sinclair/typebox';
import { Duration, Endpoint, Section } from '../../config/types.js';

/**
 * The `prometheus` pull exporter: the OpenTelemetry Collector's key names and
 * defaults (`endpoint`, `namespace`, `const_labels`, `send_timestamps`,
 * `metric_expiration`, `resource_to_telemetry_conversion`,
 * `enable_open_metrics`, `add_metric_suffixes`), plus Tollgate's
 * `promote_resource_attributes` and `delta_to_cumulative`.
 */
export const PrometheusExporterSchema = Type.Object(
  {
    endpoint: Endpoint('localhost:8889', 'Listener serving /metrics.'),
    namespace: Type.String({ default: '', description: 'Prefix of every metric name translated from OTLP.' }),
    const_labels: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Labels added to every series that does not already have them.' }),
    send_timestamps: Type.Boolean({ default: false, description: 'Expose the timestamp of each sample (otherwise the scraper stamps it).' }),
    metric_expiration: Duration('5m', 'A series not updated for this long is no longer exposed.'),
    resource_to_telemetry_conversion: Section({ enabled: Type.Boolean({ default: false, description: 'Every resource attribute becomes a label.' }) }),
    enable_open_metrics: Type.Boolean({ default: false, description: 'Answer scrapers that accept it in the OpenMetrics text format (with exemplars).' }),
    add_metric_suffixes: Type.Boolean({ default: true, description: 'Unit and type suffixes (_seconds, _total, _ratio) on names translated from OTLP.' }),
    promote_resource_attributes: Type.Array(Type.String(), { default: [], description: 'Tollgate key: resource attributes copied onto every series as labels.' }),
    delta_to_cumulative: Section({
      enabled: Type.Boolean({ default: true, description: 'Add up OTLP delta sums and histograms (as the collector\'s exporter does); off: refuse them, counted as TG_DELTA_TEMPORALITY.' }),
      max_series: Type.Integer({ default: 100000, minimum: 1, description: 'Delta series whose running totals are kept; beyond it TG_DELTA_SERIES_LIMIT.' }),
    }, 'Tollgate key: OTLP delta handling.'),
  },
  { additionalProperties: false, description: 'Serves the latest value of every series on /metrics for a Prometheus to scrape.' },
);
export type PrometheusExporterConfig = Static<typeof PrometheusExporterSchema>;


