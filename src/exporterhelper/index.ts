// The exporter helper stack: one import for exporters.
export { createExporter, type ExporterOptions } from './exporter.js';
export { helperProps, RetrySchema, QueueSchema, backoffSettings, type HelperConfig, type RetryConfig, type QueueConfig, type BackoffSettings } from './config.js';
export { createBackoffPolicy, NO_RETRY, type RetryPolicy, type RetryRun, type RetryDecision } from './backoff.js';
export { createRetrySender, sleep, type Sleep, type RetryOptions } from './retry.js';
export { createTimeoutSender } from './timeout.js';
export { createMemoryQueue, type MemoryQueueOptions } from './memoryqueue.js';
export { createQueue, type QueueSettings } from './queuefactory.js';
export { signalCodec, type RequestCodec } from './codec.js';
export { createRateLimitedLogger, type RateLimitedLogger } from '../telemetry/ratelog.js';
export { PartialSendError, remainderOf, type SendFn, type SendOutcome, type PartialRejection, type Sender } from './send.js';
export type { QueuedRequest, SendingQueue } from './queue.js';
