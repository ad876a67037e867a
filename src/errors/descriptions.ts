import { ErrorCode, type ErrorCodeValue } from './codes.js';

/** What an error code means and where a user meets it (the error-code table in docs/operations/error-codes.md). */
export interface CodeDoc {
  readonly meaning: string;
  readonly where: string;
}

/**
 * One entry per stable error code: a new code without a description is a
 * compile error, and `npm run docs` renders the table from here. "Refused"
 * means the client is told and keeps the data; "dropped" means Tollgate gave
 * the data up and counted it.
 */
export const ERROR_CODE_DOCS: { readonly [C in ErrorCodeValue]: CodeDoc } = {
  [ErrorCode.DECODE]: {
    meaning: 'body or message cannot be decoded (bad protobuf or JSON, empty JSON body, corrupt gzip or snappy)',
    where: 'refused: status message (OTLP 400 / `INVALID_ARGUMENT`, remote-write 400); drop reason of an undecodable Kafka record',
  },
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: {
    meaning: '`Content-Type` (or remote-write encoding) not accepted',
    where: 'refused: 415 and log',
  },
  [ErrorCode.BODY_TOO_LARGE]: {
    meaning: 'body over `max_request_body_size`, or gRPC message over `max_recv_msg_size_mib`',
    where: 'refused: 413 / `RESOURCE_EXHAUSTED`',
  },
  [ErrorCode.SCRAPE_DUPLICATE_SERIES]: {
    meaning: 'a scrape held several samples of one series (after relabelling); the first is kept, as Prometheus keeps it',
    where: 'dropped: drop reason of the `prometheus` receiver, and a log line',
  },
  [ErrorCode.DECOMPRESSED_TOO_LARGE]: {
    meaning: 'body over `max_decompressed_body_size` once decompressed',
    where: 'refused: 413',
  },
  [ErrorCode.INVALID_DATA]: {
    meaning: 'data decodes but breaks the rules (remote-write labels; points that cannot be translated to Prometheus)',
    where: 'refused: remote-write 400; drop reason in the Prometheus exporters',
  },
  [ErrorCode.UNAUTHENTICATED]: {
    meaning: 'missing, malformed or wrong credentials on a receiver with `auth` (the answer never says which)',
    where: 'refused: 401 / `UNAUTHENTICATED`; `tollgate_receiver_auth_failures`',
  },
  [ErrorCode.PERMISSION_DENIED]: {
    meaning: 'an authenticated client named a tenant (tenant header) other than the one its credentials map to',
    where: 'refused for good: 403 / `PERMISSION_DENIED`',
  },
  [ErrorCode.SHAPE_LIMIT]: {
    meaning: 'a request passes a shape limit of the receiver (`limits`: attributes per item, values per array or map, nesting depth)',
    where: 'refused: 400 / `INVALID_ARGUMENT`, naming the limit and where it was passed',
  },
  [ErrorCode.SLOW_CLIENT]: {
    meaning: 'a client sent its request too slowly (`body_idle_timeout`, `read_timeout`) or not at all',
    where: 'refused: 408 / `DEADLINE_EXCEEDED` and the connection closed; `tollgate_receiver_closed_connections`',
  },
  [ErrorCode.DELTA_TEMPORALITY]: {
    meaning: 'OTLP delta sum or histogram for a Prometheus output with `delta_to_cumulative` off',
    where: 'drop reason',
  },
  [ErrorCode.DELTA_OUT_OF_ORDER]: {
    meaning: 'delta point that overlaps or precedes the previous one of its series (e.g. a redelivered duplicate)',
    where: 'drop reason',
  },
  [ErrorCode.NOT_FOUND]: {
    meaning: 'unknown path, or a signal the receiver has no pipeline for',
    where: 'refused: 404 / `UNIMPLEMENTED`',
  },
  [ErrorCode.METHOD_NOT_ALLOWED]: {
    meaning: 'not a `POST`',
    where: 'refused: 405',
  },
  [ErrorCode.UNSUPPORTED_ENCODING]: {
    meaning: '`Content-Encoding` not in `compression_algorithms`',
    where: 'refused: 400',
  },
  [ErrorCode.MEMORY_LIMIT]: {
    meaning: '`memory_limiter` above its soft limit',
    where: 'refused, retryable: 503 / `UNAVAILABLE`; counted in `otelcol_processor_refused_*`',
  },
  [ErrorCode.ADMISSION_LIMIT]: {
    meaning: 'request bytes in flight (decompressed, all receivers together) would pass `service.admission.request_limit_mib`',
    where: 'refused, retryable: 429 / `RESOURCE_EXHAUSTED` with Retry-After and RetryInfo; the body stops being read; Kafka holds the partition and retries',
  },
  [ErrorCode.QUEUE_FULL]: {
    meaning: 'sending queue full, or the persistent queue cannot write to disk',
    where: 'refused, retryable: 503; counted in `otelcol_exporter_enqueue_failed_*`',
  },
  [ErrorCode.SHUTTING_DOWN]: {
    meaning: 'the exporter is shutting down',
    where: 'refused, retryable: 503; drop reason of a request whose last attempt at shutdown failed',
  },
  [ErrorCode.BATCH_CARDINALITY]: {
    meaning: 'more `metadata_keys` combinations pending than `metadata_cardinality_limit`',
    where: 'refused for good: 400; drop reason',
  },
  [ErrorCode.DELTA_SERIES_LIMIT]: {
    meaning: '`delta_to_cumulative.max_series` reached',
    where: 'drop reason',
  },
  [ErrorCode.EXPORT_PERMANENT]: {
    meaning: 'the destination refused for good (non-retryable status or gRPC code)',
    where: "drop reason; with the queue off the client gets the next hop's answer as the collector passes it on (OTLP exporters: 400 → 400 / INVALID_ARGUMENT, 403 → 403, gRPC codes as they came; otherwise 500 / INTERNAL)",
  },
  [ErrorCode.EXPORT_RETRYABLE]: {
    meaning: 'a send failed in a retryable way (connection error, 429/502/503/504, `UNAVAILABLE`, …)',
    where: "log lines; drop reason when retries are off; with the queue off the client gets 503 / UNAVAILABLE, or the next hop's own code (429 / RESOURCE_EXHAUSTED from an OTLP exporter's next hop)",
  },
  [ErrorCode.EXPORT_TIMEOUT]: {
    meaning: 'a send attempt passed `timeout`',
    where: 'as `TG_EXPORT_RETRYABLE`',
  },
  [ErrorCode.RETRIES_EXHAUSTED]: {
    meaning: '`retry_on_failure` gave up (`max_elapsed_time`)',
    where: "drop reason (memory queue; the persistent queue keeps the request); with the queue off the client gets 503 / UNAVAILABLE with Retry-After (or the next hop's last code, e.g. 429 / RESOURCE_EXHAUSTED), as the collector answers",
  },
  [ErrorCode.TOO_LARGE_ITEM]: {
    meaning: 'a request larger than the persistent queue\'s `max_bytes`, or a Kafka item over `max_message_bytes`',
    where: 'refused for good: 500 (persistent queue); drop reason (Kafka)',
  },
  [ErrorCode.PARTIAL_SUCCESS]: {
    meaning: 'the destination accepted a request but rejected some items (`partial_success`)',
    where: 'drop reason (the rejected items)',
  },
  [ErrorCode.UNSUPPORTED_DATA]: {
    meaning: 'the exporter cannot carry this data (remote-write metrics to `otlp`/`otlphttp`, or to `file` with `format: proto`)',
    where: 'drop reason; 500 to the client when the queue is off',
  },
  [ErrorCode.QUEUE_CORRUPT]: {
    meaning: 'a persistent queue record failed its checksum and was skipped',
    where: 'drop reason; error log with segment and offset',
  },
  [ErrorCode.EXPORT_BAD_REQUEST]: {
    meaning: 'a remote-write target answered 400 (Prometheus: out of order, duplicate, too old, undecodable)',
    where: 'drop reason',
  },
  [ErrorCode.EXPORT_CONFLICT]: {
    meaning: 'a remote-write target answered 409 (Thanos: out of order, duplicate, too old, bad labels)',
    where: 'drop reason',
  },
  [ErrorCode.CONFIG_INVALID]: {
    meaning: 'a configuration problem met while running',
    where: '500 / `INTERNAL` if it reaches a receiver',
  },
  [ErrorCode.PORT_IN_USE]: {
    meaning: 'a listener could not bind',
    where: 'start-up fails: `tollgate: <component>: cannot listen on <endpoint>: ...`, exit 1',
  },
  [ErrorCode.CAPTURE_BACKLOG]: {
    meaning: 'capture writer more than 64 MiB behind, or capture closed',
    where: 'reason in `tollgate_capture_dropped_requests` (the request is still processed)',
  },
  [ErrorCode.CAPTURE_WRITE]: {
    meaning: 'a capture file write failed',
    where: 'same',
  },
  [ErrorCode.CAPTURE_TOO_LARGE]: {
    meaning: 'request too large to capture',
    where: 'same',
  },
};
