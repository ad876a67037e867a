import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackoffPolicy, NO_RETRY } from '../../src/exporterhelper/backoff.js';
import { backoffSettings, RetrySchema } from '../../src/exporterhelper/config.js';
import { validateAgainst } from '../../src/config/validate.js';
import { permanentError, retryableError, throttledError } from '../../src/errors/consumererror.js';

const RETRYABLE = retryableError('TG_EXPORT_RETRYABLE', 'unavailable');

test('retry_on_failure defaults are the collector defaults', () => {
  const cfg: any = {};
  assert.deepEqual(validateAgainst(RetrySchema, cfg, 'retry_on_failure'), []);
  assert.deepEqual(backoffSettings(cfg), { initialMs: 5000, randomizationFactor: 0.5, multiplier: 1.5, maxIntervalMs: 30_000, maxElapsedMs: 300_000 });
  assert.equal(cfg.enabled, true);
});

test('backoff grows by the multiplier up to max_interval (no jitter at the midpoint)', () => {
  const p = createBackoffPolicy({ initialMs: 100, randomizationFactor: 0.5, multiplier: 2, maxIntervalMs: 500, maxElapsedMs: 0 }, { random: () => 0.5 });
  const run = p.begin();
  const delays = Array.from({ length: 6 }, () => {
    const d = run.next(RETRYABLE);
    assert.equal(d.retry, true);
    return d.retry ? d.delayMs : -1;
  });
  assert.deepEqual(delays, [100, 200, 400, 500, 500, 500]);
});

test('jitter spans interval × [1 − f, 1 + f]', () => {
  const s = { initialMs: 1000, randomizationFactor: 0.5, multiplier: 1.5, maxIntervalMs: 30_000, maxElapsedMs: 0 };
  const low = createBackoffPolicy(s, { random: () => 0 }).begin().next(RETRYABLE);
  const high = createBackoffPolicy(s, { random: () => 0.999999 }).begin().next(RETRYABLE);
  assert.deepEqual(low, { retry: true, delayMs: 500 });
  assert.deepEqual(high, { retry: true, delayMs: 1500 });
});

test('a throttled error waits at least the delay the server asked for', () => {
  const run = createBackoffPolicy({ initialMs: 10, randomizationFactor: 0, multiplier: 2, maxIntervalMs: 100, maxElapsedMs: 0 }).begin();
  assert.deepEqual(run.next(throttledError('TG_EXPORT_RETRYABLE', 'slow down', 7000)), { retry: true, delayMs: 7000 });
  // A server delay shorter than the backoff does not shorten it.
  assert.deepEqual(run.next(throttledError('TG_EXPORT_RETRYABLE', 'slow down', 1)), { retry: true, delayMs: 20 });
});

test('the run stops once the next wait would end past max_elapsed_time', () => {
  let now = 0;
  const run = createBackoffPolicy({ initialMs: 100, randomizationFactor: 0, multiplier: 1, maxIntervalMs: 100, maxElapsedMs: 250 }, { now: () => now }).begin();
  assert.deepEqual(run.next(RETRYABLE), { retry: true, delayMs: 100 });
  now = 100;
  assert.deepEqual(run.next(RETRYABLE), { retry: true, delayMs: 100 });
  now = 200;
  assert.deepEqual(run.next(RETRYABLE), { retry: false, reason: 'exhausted' });
});

test('max_elapsed_time 0 never gives up; a Retry-After past the limit does', () => {
  let now = 0;
  const forever = createBackoffPolicy({ initialMs: 100, randomizationFactor: 0, multiplier: 1, maxIntervalMs: 100, maxElapsedMs: 0 }, { now: () => now }).begin();
  now = 1e12;
  assert.equal(forever.next(RETRYABLE).retry, true);
  const bounded = createBackoffPolicy({ initialMs: 100, randomizationFactor: 0, multiplier: 1, maxIntervalMs: 100, maxElapsedMs: 1000 }).begin();
  assert.deepEqual(bounded.next(throttledError('X', 'later', 60_000)), { retry: false, reason: 'exhausted' });
});

test('permanent errors are never retried', () => {
  const run = createBackoffPolicy({ initialMs: 1, randomizationFactor: 0, multiplier: 1, maxIntervalMs: 1, maxElapsedMs: 0 }).begin();
  assert.deepEqual(run.next(permanentError('TG_EXPORT_PERMANENT', 'bad request')), { retry: false, reason: 'permanent' });
  assert.deepEqual(NO_RETRY.begin().next(RETRYABLE), { retry: false, reason: 'exhausted' });
});
