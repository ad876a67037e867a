import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Signal } from '../component/signal.js';
import { MemoryAccounting } from '../memory/accounting.js';
import { Admission } from '../memory/admission.js';

/** Collector names for an item of each signal (`otelcol_receiver_accepted_spans`, ...). */
export const ITEM_UNIT: Readonly<Record<Signal, string>> = {
  traces: 'spans',
  metrics: 'metric_points',
  logs: 'log_records',
};

type Labels = Record<string, string>;

/**
 * The gateway's own metrics, under the OpenTelemetry Collector's names so that
 * existing collector dashboards work. One registry per running service, so
 * several services can share a process (tests).
 */
export class SelfTelemetry {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter<string>>();
  private readonly gauges = new Map<string, Gauge<string>>();
  private readonly started = Date.now();
  /** Bytes held by the data path (sending queues, requests in flight), which the memory_limiter counts. */
  readonly memory: MemoryAccounting;
  /** The admission budget every receiver takes request bytes from (service.admission). */
  readonly admission: Admission;

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) this.registerProcessMetrics();
    this.memory = new MemoryAccounting(
      this.gauge('tollgate_memory_accounted_bytes', 'Bytes of telemetry held by the data path (sending queues, requests in flight), by account; the memory_limiter counts them.', ['account']),
    );
    this.admission = new Admission(this.memory);
  }

  counter(name: string, help: string, labelNames: readonly string[]): Counter<string> {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
      this.counters.set(name, c);
    }
    return c;
  }

  gauge(name: string, help: string, labelNames: readonly string[]): Gauge<string> {
    let g = this.gauges.get(name);
    if (!g) {
      g = new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
      this.gauges.set(name, g);
    }
    return g;
  }

  /** Counts items dropped on purpose, with the reason (an error code). Every drop goes through here. */
  dropped(component: string, signal: Signal, reason: string, items: number): void {
    if (items <= 0) return;
    this.counter('tollgate_dropped_items', 'Items dropped by the gateway, by component, signal and reason.', [
      'component',
      'otel_signal',
      'reason',
    ]).inc({ component, otel_signal: signal, reason }, items);
  }

  receiver(id: string, transport: string): ReceiverTelemetry {
    return new ReceiverTelemetry(this, { receiver: id, transport });
  }

  exporter(id: string): ExporterTelemetry {
    return new ExporterTelemetry(this, { exporter: id });
  }

  processor(id: string): ProcessorTelemetry {
    return new ProcessorTelemetry(this, { processor: id });
  }

  async render(contentType?: string): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: contentType ?? this.registry.contentType };
  }

  private registerProcessMetrics(): void {
    const started = this.started;
    const reg = [this.registry];
    new Gauge({
      name: 'otelcol_process_uptime',
      help: 'Uptime of the process, in seconds.',
      registers: reg,
      collect() {
        this.set((Date.now() - started) / 1000);
      },
    });
    new Gauge({
      name: 'otelcol_process_memory_rss',
      help: 'Total physical memory (resident set size), in bytes.',
      registers: reg,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'otelcol_process_runtime_heap_alloc_bytes',
      help: 'Bytes of allocated heap objects.',
      registers: reg,
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    new Gauge({
      name: 'otelcol_process_cpu_seconds',
      help: 'Total CPU user and system time, in seconds.',
      registers: reg,
      collect() {
        const u = process.cpuUsage();
        this.set((u.user + u.system) / 1e6);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_nodejs_' });
  }
}

abstract class ScopedTelemetry {
  constructor(
    protected readonly t: SelfTelemetry,
    protected readonly labels: Labels,
  ) {}
  protected inc(name: string, help: string, extra: Labels, n: number): void {
    if (n <= 0) return;
    const labels = { ...this.labels, ...extra };
    this.t.counter(name, help, Object.keys(labels)).inc(labels, n);
  }
}

export class ReceiverTelemetry extends ScopedTelemetry {
  accepted(signal: Signal, n: number): void {
    this.inc(`otelcol_receiver_accepted_${ITEM_UNIT[signal]}`, `Number of ${ITEM_UNIT[signal]} successfully pushed into the pipeline.`, {}, n);
  }
  refused(signal: Signal, n: number): void {
    this.inc(`otelcol_receiver_refused_${ITEM_UNIT[signal]}`, `Number of ${ITEM_UNIT[signal]} that could not be pushed into the pipeline.`, {}, n);
  }
  /** Requests answered with an error status, by status, for troubleshooting clients. */
  failedRequest(status: string): void {
    this.inc('tollgate_receiver_failed_requests', 'Requests answered with an error, by status.', { status }, 1);
  }
  /** A connection closed by a listener limit (slow client, connection cap). */
  closedConnection(reason: string): void {
    this.inc('tollgate_receiver_closed_connections', 'Connections closed or refused by a listener limit (header_timeout, read_timeout, body_idle_timeout, connection_limit).', { reason }, 1);
  }
  /** A request refused for missing or wrong credentials. */
  authFailure(): void {
    this.inc('tollgate_receiver_auth_failures', 'Requests refused for missing or wrong credentials (401 / UNAUTHENTICATED).', {}, 1);
  }
}

export class ProcessorTelemetry extends ScopedTelemetry {
  incoming(signal: Signal, n: number): void {
    this.inc('otelcol_processor_incoming_items', 'Number of items passed to the processor.', { otel_signal: signal }, n);
  }
  outgoing(signal: Signal, n: number): void {
    this.inc('otelcol_processor_outgoing_items', 'Number of items emitted from the processor.', { otel_signal: signal }, n);
  }
}

export class ExporterTelemetry extends ScopedTelemetry {
  sent(signal: Signal, n: number): void {
    this.inc(`otelcol_exporter_sent_${ITEM_UNIT[signal]}`, `Number of ${ITEM_UNIT[signal]} successfully sent to destination.`, {}, n);
  }
  sendFailed(signal: Signal, n: number): void {
    this.inc(`otelcol_exporter_send_failed_${ITEM_UNIT[signal]}`, `Number of ${ITEM_UNIT[signal]} in failed attempts to send to destination.`, {}, n);
  }
  enqueueFailed(signal: Signal, n: number): void {
    this.inc(`otelcol_exporter_enqueue_failed_${ITEM_UNIT[signal]}`, `Number of ${ITEM_UNIT[signal]} failed to be added to the sending queue.`, {}, n);
  }
  queueGauges(signal: Signal): { size: (v: number) => void; capacity: (v: number) => void } {
    const labels = { ...this.labels, otel_signal: signal };
    const names = Object.keys(labels);
    const size = this.t.gauge('otelcol_exporter_queue_size', 'Current size of the retry queue (in batches).', names);
    const cap = this.t.gauge('otelcol_exporter_queue_capacity', 'Fixed capacity of the retry queue (in batches).', names);
    return { size: (v) => size.set(labels, v), capacity: (v) => cap.set(labels, v) };
  }
  get id(): string {
    return this.labels.exporter!;
  }
}
