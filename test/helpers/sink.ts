import { Type } from '@sinclair/typebox';
import type { Component } from '../../src/component/component.js';
import type { RequestContext } from '../../src/component/context.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { ExporterFactory } from '../../src/component/factory.js';
import type { Signal } from '../../src/component/signal.js';
import { countItems } from '../../src/pdata/count.js';

/** One batch a sink accepted. */
export interface SinkCall<T> {
  data: T;
  ctx: RequestContext;
  /** Items in `data` (countItems), when the sink knows its signal; else 0. */
  items: number;
}

export interface SinkOptions {
  /** Signal of the data, so items can be counted. */
  signal?: Signal;
  mutatesData?: boolean;
}

/**
 * A consumer that records every batch and context it is handed, for tests.
 * - `failNext(n, err)`: the next n consume() calls reject with `err` (recorded in
 *   `failures`, not in `calls`); `failAt(k, err)`: only the k-th call from now does.
 * - `hold()`: consume() calls wait until the returned release function runs, so a
 *   test can observe what happens while downstream is busy.
 * - `waitForItems(n)` / `waitForCalls(n)`: resolve once that much has arrived
 *   (event-driven; the optional deadline only turns a hang into a clear failure).
 */
export class SinkConsumer<T = any> implements Consumer<T>, Component {
  readonly capabilities: { mutatesData: boolean };
  readonly calls: SinkCall<T>[] = [];
  readonly failures: Array<{ data: T; ctx: RequestContext; error: unknown }> = [];
  /** Every consume() call, accepted or failed, in order. */
  attempts = 0;
  started = false;
  stopped = false;
  private readonly signal: Signal | undefined;
  private failQueue: unknown[] = [];
  private failAtMap = new Map<number, unknown>();
  private gate: Promise<void> | undefined;
  private waiters: Array<() => void> = [];

  constructor(opts: SinkOptions = {}) {
    this.signal = opts.signal;
    this.capabilities = { mutatesData: opts.mutatesData ?? false };
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }

  async consume(data: T, ctx: RequestContext): Promise<void> {
    this.attempts++;
    const attempt = this.attempts;
    if (this.gate) await this.gate;
    const scripted = this.failAtMap.get(attempt);
    if (scripted !== undefined || this.failQueue.length > 0) {
      let error: unknown;
      if (scripted !== undefined) {
        error = scripted;
        this.failAtMap.delete(attempt);
      } else error = this.failQueue.shift();
      this.failures.push({ data, ctx, error });
      this.notify();
      throw error;
    }
    const items = this.signal ? countItems(this.signal as any, data as any) : 0;
    this.calls.push({ data, ctx, items });
    this.notify();
  }

  /** The next `n` consume() calls reject with `error`. */
  failNext(n: number, error: unknown): this {
    for (let i = 0; i < n; i++) this.failQueue.push(error);
    return this;
  }

  /** The `nth` consume() call from now (1 = the next one) rejects with `error`; others behave as scripted otherwise. */
  failAt(nth: number, error: unknown): this {
    this.failAtMap.set(this.attempts + nth, error);
    return this;
  }

  /** Makes consume() wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  get data(): T[] {
    return this.calls.map((c) => c.data);
  }

  get contexts(): RequestContext[] {
    return this.calls.map((c) => c.ctx);
  }

  /** Items in all accepted batches. */
  get itemCount(): number {
    let n = 0;
    for (const c of this.calls) n += c.items;
    return n;
  }

  reset(): void {
    this.calls.length = 0;
    this.failures.length = 0;
    this.failQueue = [];
    this.failAtMap.clear();
    this.attempts = 0;
  }

  waitForItems(n: number, deadlineMs = 10_000): Promise<void> {
    return this.waitUntil(() => this.itemCount >= n, `${n} items (have ${this.itemCount})`, deadlineMs);
  }

  waitForCalls(n: number, deadlineMs = 10_000): Promise<void> {
    return this.waitUntil(() => this.calls.length + this.failures.length >= n, `${n} calls`, deadlineMs);
  }

  private waitUntil(ok: () => boolean, what: string, deadlineMs: number): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`sink: still waiting for ${what} after ${deadlineMs} ms`));
      }, deadlineMs);
      const check = () => {
        if (!ok()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * An exporter factory (type `testsink` unless named otherwise) whose instances
 * are SinkConsumers, kept in `sinks` under `<component id>/<signal>`.
 */
export function sinkExporterFactory(type = 'testsink'): ExporterFactory & { sinks: Map<string, SinkConsumer> } {
  const sinks = new Map<string, SinkConsumer>();
  const make = (signal: Signal) => (set: { id: string }, cfg: { mutates: boolean }) => {
    const s = new SinkConsumer({ signal, mutatesData: cfg.mutates });
    sinks.set(`${set.id}/${signal}`, s);
    return s;
  };
  return {
    kind: 'exporter',
    type,
    schema: Type.Object({ mutates: Type.Boolean({ default: false }) }, { additionalProperties: false }),
    create: { traces: make('traces'), metrics: make('metrics'), logs: make('logs') },
    sinks,
  };
}
