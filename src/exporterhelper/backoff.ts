import type { ConsumerError } from '../errors/consumererror.js';
import type { BackoffSettings } from './config.js';

/** What to do after a failed attempt: a result, not an exception. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'permanent' | 'exhausted' };

/** Decides, for one request, whether and when to try again. */
export interface RetryRun {
  next(err: ConsumerError): RetryDecision;
}

/** A retry policy makes one run per request; runs hold the per-request state. */
export interface RetryPolicy {
  begin(): RetryRun;
}

export interface BackoffClock {
  /** Uniform in [0, 1). */
  random?: () => number;
  now?: () => number;
}

/**
 * Exponential backoff with jitter, as the collector's retry_on_failure:
 * wait_n = interval_n × (1 ± randomization_factor), interval grows by
 * `multiplier` up to `max_interval`; the run stops once the next wait would
 * end past `max_elapsed_time` (0: never). A throttled error waits at least the
 * delay the server asked for. Permanent errors are never retried.
 */
export function createBackoffPolicy(s: BackoffSettings, clock: BackoffClock = {}): RetryPolicy {
  const random = clock.random ?? Math.random;
  const now = clock.now ?? Date.now;
  return {
    begin(): RetryRun {
      const started = now();
      let interval = s.initialMs;
      return {
        next(err: ConsumerError): RetryDecision {
          if (err.kind === 'permanent') return { retry: false, reason: 'permanent' };
          const delta = s.randomizationFactor * interval;
          let delay = interval - delta + random() * (2 * delta);
          interval = interval >= s.maxIntervalMs / s.multiplier ? s.maxIntervalMs : interval * s.multiplier;
          if (err.kind === 'throttled' && err.retryAfterMs !== undefined) delay = Math.max(delay, err.retryAfterMs);
          if (s.maxElapsedMs > 0 && now() - started + delay > s.maxElapsedMs) return { retry: false, reason: 'exhausted' };
          return { retry: true, delayMs: Math.round(delay) };
        },
      };
    },
  };
}

/** The policy of `retry_on_failure.enabled: false`: one attempt. */
export const NO_RETRY: RetryPolicy = Object.freeze({
  begin: (): RetryRun => ({
    next: (err: ConsumerError): RetryDecision => ({ retry: false, reason: err.kind === 'permanent' ? 'permanent' : 'exhausted' }),
  }),
});
