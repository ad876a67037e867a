/**
 * Stable error codes. They appear in log lines, in `google.rpc.Status` messages
 * and in the `reason` label of drop counters, so dashboards and alerts can key
 * on them. Never rename one; add new ones at the end of their group.
 */
export const ErrorCode = {
  // input
  DECODE: 'TG_DECODE',
  UNSUPPORTED_MEDIA_TYPE: 'TG_UNSUPPORTED_MEDIA_TYPE',
  BODY_TOO_LARGE: 'TG_BODY_TOO_LARGE',
  DECOMPRESSED_TOO_LARGE: 'TG_DECOMPRESSED_TOO_LARGE',
  INVALID_DATA: 'TG_INVALID_DATA',
  UNAUTHENTICATED: 'TG_UNAUTHENTICATED',
  // pressure
  MEMORY_LIMIT: 'TG_MEMORY_LIMIT',
  QUEUE_FULL: 'TG_QUEUE_FULL',
  SHUTTING_DOWN: 'TG_SHUTTING_DOWN',
  // export
  EXPORT_PERMANENT: 'TG_EXPORT_PERMANENT',
  EXPORT_RETRYABLE: 'TG_EXPORT_RETRYABLE',
  EXPORT_TIMEOUT: 'TG_EXPORT_TIMEOUT',
  RETRIES_EXHAUSTED: 'TG_RETRIES_EXHAUSTED',
  TOO_LARGE_ITEM: 'TG_TOO_LARGE_ITEM',
  // config
  CONFIG_INVALID: 'TG_CONFIG_INVALID',
  PORT_IN_USE: 'TG_PORT_IN_USE',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
