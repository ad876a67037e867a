// Exposition bodies for the scrape tests: every corner of the text format and
// OpenMetrics that the stored series depend on.

/** Text format 0.0.4. `tsMs` is the explicit timestamp of fx_with_ts. */
export function textBody(tsMs: number, flap: boolean): string {
  return `# HELP fx_requests_total Requests served.
# TYPE fx_requests_total counter
fx_requests_total{code="200",method="get"} 1027
fx_requests_total{method="post",code="400"} 3
# HELP fx_temp A gauge with labels that clash with target labels.
# TYPE fx_temp gauge
fx_temp{job="exposed",instance="other"} 21.5
fx_temp{exported_job="x",job="y"} 1
fx_temp{empty=""} 7
fx_temp{esc="a\\"b\\\\c\\nd"} 2
fx_temp{ spaced = "yes" , } 3
# TYPE fx_special untyped
fx_special{v="nan"} NaN
fx_special{v="inf"} +Inf
fx_special{v="ninf"} -Inf
fx_special{v="exp"} 1.5e-3
fx_special{v="neg"} -0.25
# this comment is ignored
fx_with_ts 42 ${tsMs}
# HELP fx_latency_seconds A histogram.
# TYPE fx_latency_seconds histogram
fx_latency_seconds_bucket{le="0.1"} 3
fx_latency_seconds_bucket{le="1"} 8
fx_latency_seconds_bucket{le="+Inf"} 9
fx_latency_seconds_sum 4.25
fx_latency_seconds_count 9
# TYPE fx_summary summary
fx_summary{quantile="0.5"} 0.2
fx_summary{quantile="0.99"} 0.9
fx_summary_sum 10
fx_summary_count 50

${flap ? 'fx_flap 1\n' : ''}`;
}

export const OM_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** OpenMetrics 1.0: _total/_created, units, info, stateset, gaugehistogram, exemplars, float timestamps. */
export function omBody(tsMs: number): string {
  return `# TYPE om_requests counter
# HELP om_requests Requests.
om_requests_total{path="/a"} 5 # {trace_id="abc123"} 1.0 ${(tsMs / 1000).toFixed(3)}
om_requests_created{path="/a"} 1.7e9
# TYPE om_build info
om_build_info{version="1.2.3"} 1
# TYPE om_feature stateset
om_feature{om_feature="a"} 1
om_feature{om_feature="b"} 0
# TYPE om_size_bytes gauge
# UNIT om_size_bytes bytes
om_size_bytes 1024
# TYPE om_queue gaugehistogram
om_queue_bucket{le="1"} 2
om_queue_bucket{le="+Inf"} 3
om_queue_gcount 3
om_queue_gsum 2.5
# TYPE om_latency_seconds histogram
om_latency_seconds_bucket{le="0.5"} 1 # {trace_id="def"} 0.3
om_latency_seconds_bucket{le="+Inf"} 2
om_latency_seconds_sum 1.1
om_latency_seconds_count 2
om_timed 7 ${(tsMs / 1000).toFixed(3)}
# EOF
`;
}
