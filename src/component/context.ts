/**
 * What travels beside a batch: who sent it. Receivers fill it; processors
 * (with `include_metadata`) and exporters (tenant headers) read it.
 */
export interface RequestContext {
  /** Client metadata (HTTP headers / gRPC metadata), lower-case keys; only with include_metadata. */
  readonly metadata?: Readonly<Record<string, readonly string[]>>;
  /** Tenant the data belongs to (remote-write tenant header, Kafka message header). */
  readonly tenant?: string;
  /** Receiver that accepted the data (component ID). */
  readonly receiver?: string;
}

export const EMPTY_CONTEXT: RequestContext = Object.freeze({});
