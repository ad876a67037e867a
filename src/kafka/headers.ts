/**
 * Message headers Tollgate writes on every Kafka record and reads back, so a
 * consumer knows what a payload is without out-of-band configuration.
 */
export const HEADER_SIGNAL = 'tollgate-signal';
export const HEADER_ENCODING = 'tollgate-encoding';
export const HEADER_TENANT = 'tollgate-tenant';

/** Dead-letter records carry where they came from and why they were set aside. */
export const HEADER_DLQ_TOPIC = 'tollgate-dlq-topic';
export const HEADER_DLQ_PARTITION = 'tollgate-dlq-partition';
export const HEADER_DLQ_OFFSET = 'tollgate-dlq-offset';
export const HEADER_DLQ_ERROR = 'tollgate-dlq-error';
