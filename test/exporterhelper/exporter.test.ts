import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExporter } from '../../src/exporterhelper/exporter.js';
import type { HelperConfig } from '../../src/exporterhelper/config.js';
import { PartialSendError, type PartialRejection, type SendFn } from '../../src/exporterhelper/send.js';
import { ConsumerError, permanentError, retryableError, throttledError } from '../../src/errors/consumererror.js';
import type { SignalData } from '../../src/component/signal.js';

type TracesBatch = SignalData['traces'];
import { readOtlp } from '../../src/pdata/batch.js';
import type { Traces } from '../../src/pdata/proto.js';
import { SelfTelemetry } from '../../src/telemetry/selftelemetry.js';
import { metricValue, testSettings } from '../helpers/telemetry.js';

const HOST = { health: () => 'ok' as const };

function traces(n: number, tag = 's'): Traces {
  return {
    resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}`, traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(i + 1) })) }] }],
  };
}

type Step = Error | 'ok' | PartialRejection;

/** A send that follows a script (then succeeds), recording every attempt. */
function scripted(script: Step[]) {
  const attempts: TracesBatch[] = [];
  const send: SendFn<TracesBatch> = async (data) => {
    attempts.push(data);
    const s = script.shift() ?? 'ok';
    if (s instanceof Error) throw s;
    if (s !== 'ok') return s;
  };
  return { attempts, send };
}

/** A sleep that returns at once and records what was asked: backoff without waiting. */
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const fastRetry = { enabled: true, initial_interval: '10ms', randomization_factor: 0, multiplier: 2, max_interval: '40ms', max_elapsed_time: '1m' };
const direct: HelperConfig = { timeout: '5s', retry_on_failure: fastRetry };
const queued = (size = 100, consumers = 2): HelperConfig => ({
  ...direct,
  sending_queue: { enabled: true, num_consumers: consumers, queue_size: size, sizer: 'requests', block_on_overflow: false, wait_for_result: false },
});

function make(cfg: HelperConfig, send: SendFn<TracesBatch>, extra: Parameters<typeof createExporter<'traces'>>[4] = {}) {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const set = testSettings('otlp/test', 'exporter', telemetry);
  const exp = createExporter(set, 'traces', cfg, send, extra);
  const metric = (name: string, labels: Record<string, string> = { exporter: 'otlp/test' }) => metricValue(telemetry, name, labels);
  const droppedBy = (reason: string) => metricValue(telemetry, 'tollgate_dropped_items', { component: 'otlp/test', otel_signal: 'traces', reason });
  return { exp, metric, droppedBy };
}

test('retryable failures are retried with the backoff sequence, then delivered', async () => {
  const err = retryableError('TG_EXPORT_RETRYABLE', '503 unavailable');
  const { attempts, send } = scripted([err, err, err, err]);
  const { delays, sleep } = recordingSleep();
  const { exp, metric } = make(direct, send, { sleep });
  await exp.start(HOST);
  await exp.consume(traces(3), {});
  assert.equal(attempts.length, 5);
  assert.deepEqual(delays, [10, 20, 40, 40]);
  assert.equal(await metric('otelcol_exporter_sent_spans'), 3);
  assert.equal(await metric('otelcol_exporter_send_failed_spans'), 0);
  await exp.shutdown();
});

test('a throttled error waits the Retry-After delay the destination asked for', async () => {
  const { attempts, send } = scripted([throttledError('TG_EXPORT_RETRYABLE', '429 too many requests', 3000)]);
  const { delays, sleep } = recordingSleep();
  const { exp } = make(direct, send, { sleep });
  await exp.start(HOST);
  await exp.consume(traces(1), {});
  assert.deepEqual(delays, [3000]);
  assert.equal(attempts.length, 2);
  await exp.shutdown();
});

test('queued: a permanent error is not retried; the items are counted as dropped with its code', async () => {
  let done!: () => void;
  const attempted = new Promise<void>((r) => (done = r));
  const attempts: number[] = [];
  const send: SendFn<TracesBatch> = async () => {
    attempts.push(1);
    done();
    throw permanentError('TG_EXPORT_PERMANENT', 'HTTP 400: bad request');
  };
  const { delays, sleep } = recordingSleep();
  const { exp, metric, droppedBy } = make(queued(), send, { sleep });
  await exp.start(HOST);
  await exp.consume(traces(4), {}); // resolves once queued
  await attempted;
  await exp.shutdown(); // drains: the failed request has settled
  assert.equal(attempts.length, 1);
  assert.deepEqual(delays, []);
  assert.equal(await droppedBy('TG_EXPORT_PERMANENT'), 4);
  assert.equal(await metric('otelcol_exporter_send_failed_spans'), 4);
  assert.equal(await metric('otelcol_exporter_sent_spans'), 0);
});

test('without a queue, consume waits for the send and rejects with its error (the caller owns the drop)', async () => {
  const { send } = scripted([permanentError('TG_EXPORT_PERMANENT', 'HTTP 400: bad request')]);
  const { exp, metric, droppedBy } = make(direct, send);
  await exp.start(HOST);
  await assert.rejects(exp.consume(traces(2), {}), (e: ConsumerError) => e.kind === 'permanent' && e.code === 'TG_EXPORT_PERMANENT');
  assert.equal(await metric('otelcol_exporter_send_failed_spans'), 2);
  assert.equal(await droppedBy('TG_EXPORT_PERMANENT'), 0);
  await exp.shutdown();
});

test('retries exhausted: the last error comes back under TG_RETRIES_EXHAUSTED, keeping its delay', async () => {
  const err = throttledError('TG_EXPORT_RETRYABLE', 'busy', 5);
  const { attempts, send } = scripted([err, err, err, err, err]);
  let tries = 0;
  const policy = { begin: () => ({ next: () => (++tries <= 2 ? { retry: true as const, delayMs: 1 } : { retry: false as const, reason: 'exhausted' as const }) }) };
  const { exp } = make(direct, send, { retryPolicy: policy, sleep: async () => {} });
  await exp.start(HOST);
  await assert.rejects(exp.consume(traces(1), {}), (e: ConsumerError) => e.code === 'TG_RETRIES_EXHAUSTED' && e.kind === 'throttled' && e.retryAfterMs === 5 && /after 3 attempts/.test(e.message));
  assert.equal(attempts.length, 3);
  await exp.shutdown();
});

test('queued: retries exhausted are counted as dropped', async () => {
  const { send } = scripted([retryableError('TG_EXPORT_RETRYABLE', 'down'), retryableError('TG_EXPORT_RETRYABLE', 'down')]);
  const cfg = { ...queued(), retry_on_failure: { ...fastRetry, enabled: false } };
  const { exp, droppedBy } = make(cfg, send);
  await exp.start(HOST);
  await exp.consume(traces(2), {});
  await exp.shutdown();
  // Retry disabled: the one failed attempt ends the request with its own code.
  assert.equal(await droppedBy('TG_EXPORT_RETRYABLE'), 2);
});

test('the send gets an AbortSignal that fires at the timeout; the attempt fails retryable', async () => {
  let aborted = false;
  const send: SendFn<TracesBatch> = (_d, _c, signal) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('aborted by caller'));
      });
    });
  const { exp } = make({ timeout: '20ms', retry_on_failure: { ...fastRetry, enabled: false } }, send);
  await exp.start(HOST);
  await assert.rejects(exp.consume(traces(1), {}), (e: ConsumerError) => e.code === 'TG_EXPORT_TIMEOUT' && e.kind === 'retryable');
  assert.equal(aborted, true);
  await exp.shutdown();
});

test('unknown errors thrown by a send count as retryable', async () => {
  const { attempts, send } = scripted([new Error('ECONNRESET')]);
  const { exp } = make(direct, send, { sleep: async () => {} });
  await exp.start(HOST);
  await exp.consume(traces(1), {});
  assert.equal(attempts.length, 2);
  await exp.shutdown();
});

test('partial success: the rejected items are counted as dropped, the rest as sent', async () => {
  const { send } = scripted([{ rejectedItems: 2, message: 'two spans had no name' }]);
  const { exp, metric, droppedBy } = make(direct, send);
  await exp.start(HOST);
  await exp.consume(traces(5), {});
  assert.equal(await droppedBy('TG_PARTIAL_SUCCESS'), 2);
  assert.equal(await metric('otelcol_exporter_sent_spans'), 3);
  await exp.shutdown();
});

/** A send that blocks every call until released, announcing each call. */
function gatedSend() {
  const seen: TracesBatch[] = [];
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const send: SendFn<TracesBatch> = async (data) => {
    seen.push(data);
    for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
    await gate;
  };
  return {
    seen,
    send,
    release: () => release(),
    reclose: () => (gate = new Promise<void>((r) => (release = r))),
    calls: (n: number) => new Promise<void>((resolve) => (seen.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

test('queue full: consume rejects with a retryable TG_QUEUE_FULL and enqueue_failed counts it', async () => {
  const g = gatedSend();
  const { exp, metric } = make(queued(2, 1), g.send);
  await exp.start(HOST);
  await exp.consume(traces(1, 'a'), {});
  await g.calls(1); // the one consumer holds the first request
  await exp.consume(traces(1, 'b'), {});
  await exp.consume(traces(1, 'c'), {});
  assert.equal(await metric('otelcol_exporter_queue_size', { exporter: 'otlp/test', otel_signal: 'traces' }), 2);
  assert.equal(await metric('otelcol_exporter_queue_capacity', { exporter: 'otlp/test', otel_signal: 'traces' }), 2);
  await assert.rejects(exp.consume(traces(7, 'd'), {}), (e: ConsumerError) => e.kind === 'retryable' && e.code === 'TG_QUEUE_FULL');
  assert.equal(await metric('otelcol_exporter_enqueue_failed_spans'), 7);
  g.release();
  await exp.shutdown();
  assert.deepEqual(
    g.seen.map((t) => readOtlp('traces', t).resourceSpans![0]!.scopeSpans![0]!.spans![0]!.name),
    ['a0', 'b0', 'c0'],
  );
  assert.equal(await metric('otelcol_exporter_sent_spans'), 3);
});

test('blocking queue: consume waits for room instead of refusing', async () => {
  const g = gatedSend();
  const cfg: HelperConfig = { ...direct, sending_queue: { enabled: true, num_consumers: 1, queue_size: 1, sizer: 'requests', block_on_overflow: true, wait_for_result: false } };
  const { exp } = make(cfg, g.send);
  await exp.start(HOST);
  await exp.consume(traces(1), {});
  await g.calls(1);
  await exp.consume(traces(1), {});
  let third = false;
  const p = exp.consume(traces(1), {}).then(() => (third = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  g.release();
  await p;
  await exp.shutdown();
  assert.equal(g.seen.length, 3);
});

test('shutdown drains everything queued before it resolves, then refuses new data', async () => {
  const g = gatedSend();
  let closed = false;
  const { exp, metric } = make(queued(500, 3), g.send, { shutdown: async () => void (closed = true) });
  await exp.start(HOST);
  for (let i = 0; i < 200; i++) await exp.consume(traces(2, `b${i}-`), {});
  await g.calls(3);
  const stopping = exp.shutdown();
  await assert.rejects(exp.consume(traces(1), {}), (e: ConsumerError) => e.code === 'TG_SHUTTING_DOWN' && e.kind === 'retryable');
  g.release();
  await stopping;
  assert.equal(g.seen.length, 200);
  assert.equal(await metric('otelcol_exporter_sent_spans'), 400);
  assert.equal(closed, true, 'the exporter closes its resources after draining');
  await exp.shutdown(); // twice is fine
});

test('shutdown ends retry waits: each waiting request gets one last attempt', async () => {
  const attempts: number[] = [];
  let failing!: () => void;
  const firstFailure = new Promise<void>((r) => (failing = r));
  const send: SendFn<TracesBatch> = async () => {
    attempts.push(1);
    failing();
    throw retryableError('TG_EXPORT_RETRYABLE', 'destination down');
  };
  // Real sleep with a long backoff: only the stop signal can end the wait.
  const cfg = { ...queued(), retry_on_failure: { ...fastRetry, initial_interval: '1h', max_interval: '1h', max_elapsed_time: 0 } };
  const { exp, droppedBy } = make(cfg, send);
  await exp.start(HOST);
  await exp.consume(traces(3), {});
  await firstFailure;
  await exp.shutdown();
  assert.equal(attempts.length, 2);
  assert.equal(await droppedBy('TG_SHUTTING_DOWN'), 3);
});

test('shutdown without start, and twice, is safe', async () => {
  const { send } = scripted([]);
  const { exp } = make(queued(), send);
  await exp.shutdown();
  await exp.shutdown();
});

/** A send that gets the first `per` spans of each attempt out, then fails with the rest as its remainder. */
function partialSend(per: number, failures: number, err = retryableError('TG_EXPORT_RETRYABLE', 'broker went away')) {
  const sent: string[] = [];
  const attempts: number[] = [];
  const send: SendFn<TracesBatch> = async (data, ctx) => {
    const spans = readOtlp('traces', data).resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
    attempts.push(spans.length);
    const n = attempts.length <= failures ? Math.min(per, spans.length) : spans.length;
    for (const s of spans.slice(0, n)) sent.push(String(s.name));
    if (n === spans.length) return;
    const rest = spans.slice(n);
    throw new PartialSendError(err, { data: { resourceSpans: [{ scopeSpans: [{ spans: rest }] }] }, ctx, items: rest.length });
  };
  return { sent, attempts, send };
}

test('partial progress: a retry sends only the remainder the failed send handed back; nothing twice', async () => {
  const { sent, attempts, send } = partialSend(2, 2);
  const { exp, metric } = make(direct, send, { sleep: async () => {} });
  await exp.start(HOST);
  await exp.consume(traces(6), {});
  assert.deepEqual(attempts, [6, 4, 2], 'each attempt holds what the one before left');
  assert.deepEqual(sent, ['s0', 's1', 's2', 's3', 's4', 's5']);
  assert.equal(await metric('otelcol_exporter_sent_spans'), 6);
  assert.equal(await metric('otelcol_exporter_send_failed_spans'), 0);
  await exp.shutdown();
});

test('partial progress: when retries run out only the unsent remainder is counted as dropped', async () => {
  const { sent, send } = partialSend(1, 99);
  const cfg = { ...queued(), retry_on_failure: { ...fastRetry, enabled: false } };
  const { exp, metric, droppedBy } = make(cfg, send);
  await exp.start(HOST);
  await exp.consume(traces(5), {});
  await exp.shutdown();
  assert.deepEqual(sent, ['s0']);
  assert.equal(await droppedBy('TG_EXPORT_RETRYABLE'), 4);
  assert.equal(await metric('otelcol_exporter_sent_spans'), 1);
  assert.equal(await metric('otelcol_exporter_send_failed_spans'), 4);
});

test('partial progress after a timeout: a send that settles on abort is waited for, and only its remainder is retried', async () => {
  const sent: string[] = [];
  const attempts: number[] = [];
  const send: SendFn<TracesBatch> = async (data, ctx, abort) => {
    const spans = readOtlp('traces', data).resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
    attempts.push(spans.length);
    for (let i = 0; i < spans.length; i++) {
      // The first attempt hangs after two spans until the deadline aborts it; then it stops there.
      if (attempts.length === 1 && i === 2) await new Promise((r) => abort.addEventListener('abort', r, { once: true }));
      if (abort.aborted) {
        const rest = spans.slice(i);
        throw new PartialSendError(retryableError('TG_EXPORT_TIMEOUT', 'timed out'), { data: { resourceSpans: [{ scopeSpans: [{ spans: rest }] }] }, ctx, items: rest.length });
      }
      sent.push(String(spans[i]?.name));
    }
  };
  const { exp } = make({ ...direct, timeout: '50ms' }, send, { sleep: async () => {}, settlesOnAbort: true });
  await exp.start(HOST);
  await exp.consume(traces(5), {});
  assert.deepEqual(attempts, [5, 3], 'the second attempt starts where the first stopped');
  assert.deepEqual(sent, ['s0', 's1', 's2', 's3', 's4'], 'every span once, in order');
  await exp.shutdown();
});
