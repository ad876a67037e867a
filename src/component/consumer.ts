import type { RequestContext } from './context.js';
import type { Signal, SignalData } from './signal.js';

export interface Capabilities {
  /** True when consume() changes the data it is handed; fan-out then gives it a copy. */
  readonly mutatesData: boolean;
}

/**
 * The one interface between components.
 *
 * Ownership rule: once consume() is called the callee owns `data`. After the
 * returned promise settles the caller must neither read nor write it.
 * A rejected promise carries a ConsumerError (permanent, retryable, throttled)
 * that travels back to the receiver, which answers the client with it.
 */
export interface Consumer<T> {
  readonly capabilities: Capabilities;
  consume(data: T, ctx: RequestContext): Promise<void>;
}

export type SignalConsumer<S extends Signal> = Consumer<SignalData[S]>;
export type TracesConsumer = SignalConsumer<'traces'>;
export type MetricsConsumer = SignalConsumer<'metrics'>;
export type LogsConsumer = SignalConsumer<'logs'>;
export type AnyConsumer = Consumer<SignalData[Signal]>;

export const MUTATES: Capabilities = Object.freeze({ mutatesData: true });
export const READS_ONLY: Capabilities = Object.freeze({ mutatesData: false });
