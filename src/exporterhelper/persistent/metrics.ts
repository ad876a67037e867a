import type { Signal } from '../../component/signal.js';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';

/**
 * The persistent queue's own gauges, beside the stack's otelcol_exporter_queue_size
 * and _capacity (in requests):
 *   tollgate_exporter_queue_bytes              undelivered data, bytes
 *   tollgate_exporter_queue_capacity_bytes     max_bytes
 *   tollgate_exporter_queue_disk_bytes         size of the segment files
 *   tollgate_exporter_queue_oldest_item_age_seconds  age of the oldest undelivered request (0 when empty)
 */
export class QueueMetrics {
  private readonly labels: Record<string, string>;
  private readonly timer: NodeJS.Timeout;
  private readonly g: { bytes: G; cap: G; disk: G; age: G };

  /** Sets the age gauge; runs every second and whenever the queue changes. */
  readonly refresh: () => void;

  constructor(t: SelfTelemetry, exporter: string, signal: Signal, maxBytes: number, oldest: () => number | undefined, now: () => number = Date.now) {
    this.labels = { exporter, otel_signal: signal };
    const names = Object.keys(this.labels);
    this.g = {
      bytes: t.gauge('tollgate_exporter_queue_bytes', 'Undelivered data in the persistent sending queue, in bytes.', names),
      cap: t.gauge('tollgate_exporter_queue_capacity_bytes', 'Capacity of the persistent sending queue (max_bytes).', names),
      disk: t.gauge('tollgate_exporter_queue_disk_bytes', 'Size of the persistent sending queue files on disk, in bytes.', names),
      age: t.gauge('tollgate_exporter_queue_oldest_item_age_seconds', 'Age of the oldest undelivered request in the persistent sending queue.', names),
    };
    this.g.cap.set(this.labels, maxBytes);
    this.refresh = () => {
      const t0 = oldest();
      this.g.age.set(this.labels, t0 === undefined ? 0 : Math.max(0, (now() - t0) / 1000));
    };
    this.refresh();
    this.timer = setInterval(this.refresh, 1000);
    this.timer.unref();
  }

  bytes(n: number): void {
    this.g.bytes.set(this.labels, n);
  }
  diskBytes(n: number): void {
    this.g.disk.set(this.labels, n);
  }
  close(): void {
    clearInterval(this.timer);
  }
}

interface G {
  set(labels: Record<string, string>, v: number): void;
}
