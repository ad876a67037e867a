// Bytes of telemetry the gateway holds on purpose (sending queues today;
// request bodies in flight are the next account), by account. The
// memory_limiter counts them, so data piling up in a queue is seen at once,
// not at the next resident-set reading; admission control can budget on the
// same figures. One instance per service, on its SelfTelemetry, exported as
// `tollgate_memory_accounted_bytes{account}`.
import type { Gauge } from 'prom-client';

export class MemoryAccounting {
  private readonly accounts = new Map<string, number>();
  private sum = 0;

  constructor(gauge?: Gauge<string>) {
    // Read on scrape: the hot path only adds numbers.
    if (gauge) {
      const self = this;
      (gauge as unknown as { collect?: () => void }).collect = function collect() {
        for (const [account, bytes] of self.accounts) gauge.set({ account }, bytes);
      };
    }
  }

  /** Adds `delta` bytes (negative to release) to `account`. */
  add(account: string, delta: number): void {
    if (delta === 0) return;
    this.accounts.set(account, (this.accounts.get(account) ?? 0) + delta);
    this.sum += delta;
  }

  /** Bytes held by one account. */
  get(account: string): number {
    return this.accounts.get(account) ?? 0;
  }

  /** Bytes held by every account. */
  get total(): number {
    return this.sum;
  }
}
