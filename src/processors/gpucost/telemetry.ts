import type { Counter, Gauge } from 'prom-client';
import type { CostMethod } from '../../genai/conventions.js';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';
import type { ReplicaUsage } from './ledger.js';

/**
 * The gpucost processor's self-metrics. Idle GPU time is reported here, next
 * to busy time, and never charged to any request.
 */
export class GpucostTelemetry {
  private readonly pricedC: Counter<string>;
  private readonly costC: Counter<string>;
  private readonly unpricedC: Counter<string>;
  private readonly lateC: Counter<string>;
  private readonly adjustmentC: Counter<string>;
  private readonly incompleteC: Counter<string>;
  private readonly earlyC: Counter<string>;
  private readonly busyC: Counter<string>;
  private readonly idleC: Counter<string>;
  private readonly idleCostC: Counter<string>;
  private readonly heldG: Gauge<string>;
  private readonly retainedG: Gauge<string>;

  constructor(
    t: SelfTelemetry,
    private readonly id: string,
  ) {
    this.pricedC = t.counter('tollgate_gpucost_priced_spans', 'LLM spans priced, by method (gpu_exclusive, gpu_shared, token_price, reported).', [
      'processor',
      'method',
    ]);
    this.costC = t.counter('tollgate_gpucost_cost_usd', 'USD charged to LLM spans, by method and GPU model (empty for token_price and reported).', [
      'processor',
      'method',
      'gpu_model',
    ]);
    this.unpricedC = t.counter('tollgate_gpucost_unpriced_spans', 'LLM spans no method could price (never priced as $0), by reason.', ['processor', 'reason']);
    this.lateC = t.counter(
      'tollgate_gpucost_late_spans',
      'gpu_shared: spans that arrived after overlapping spans of their replica were priced; their corrections ride on them.',
      ['processor'],
    );
    this.adjustmentC = t.counter(
      'tollgate_gpucost_adjustment_usd',
      'gpu_shared: USD taken back from spans priced before a late span arrived (a credit: subtract it from tollgate_gpucost_cost_usd), by GPU model.',
      ['processor', 'gpu_model'],
    );
    this.incompleteC = t.counter(
      'tollgate_gpucost_incomplete_corrections',
      'gpu_shared: late spans overlapping intervals already forgotten (correction_window), so only partly corrected.',
      ['processor'],
    );
    this.earlyC = t.counter('tollgate_gpucost_early_released_spans', 'gpu_shared: spans priced before their time because max_pending_spans was reached.', [
      'processor',
    ]);
    this.busyC = t.counter('tollgate_gpucost_busy_seconds', 'gpu_shared: replica time with at least one request in flight, by GPU model.', [
      'processor',
      'gpu_model',
    ]);
    this.idleC = t.counter(
      'tollgate_gpucost_idle_seconds',
      'gpu_shared: replica time between requests, never charged to requests, by GPU model (counted once final).',
      ['processor', 'gpu_model'],
    );
    this.idleCostC = t.counter('tollgate_gpucost_idle_cost_usd', 'gpu_shared: cost of replica idle time, never charged to requests, by GPU model.', [
      'processor',
      'gpu_model',
    ]);
    this.heldG = t.gauge('tollgate_gpucost_held_spans', 'gpu_shared: spans held until their overlapping spans have arrived.', ['processor']);
    this.retainedG = t.gauge('tollgate_gpucost_retained_intervals', 'gpu_shared: priced intervals kept to correct late spans.', ['processor']);
  }

  priced(method: CostMethod, gpu: string, cost: number): void {
    this.pricedC.inc({ processor: this.id, method });
    if (cost > 0) this.costC.inc({ processor: this.id, method, gpu_model: gpu }, cost);
  }
  unpriced(reason: string): void {
    this.unpricedC.inc({ processor: this.id, reason });
  }
  late(gpu: string, credit: number, incomplete: boolean): void {
    this.lateC.inc({ processor: this.id });
    if (credit > 0) this.adjustmentC.inc({ processor: this.id, gpu_model: gpu }, credit);
    if (incomplete) this.incompleteC.inc({ processor: this.id });
  }
  early(): void {
    this.earlyC.inc({ processor: this.id });
  }
  held(n: number, retained: number): void {
    this.heldG.set({ processor: this.id }, n);
    this.retainedG.set({ processor: this.id }, retained);
  }
  usage(u: ReplicaUsage): void {
    if (u.busySeconds > 0) this.busyC.inc({ processor: this.id, gpu_model: u.label }, u.busySeconds);
    if (u.idleSeconds > 0) {
      this.idleC.inc({ processor: this.id, gpu_model: u.label }, u.idleSeconds);
      this.idleCostC.inc({ processor: this.id, gpu_model: u.label }, u.idleSeconds * u.c);
    }
  }
}
