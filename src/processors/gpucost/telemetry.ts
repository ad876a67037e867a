import type { Counter, Gauge } from 'prom-client';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';
import type { ReplicaUsage } from './sharedbook.js';

/**
 * The gpucost processor's self-metrics. Idle GPU time is reported here, next
 * to busy time, and never charged to any request.
 */
export class GpucostTelemetry {
  private readonly pricedC: Counter<string>;
  private readonly costC: Counter<string>;
  private readonly unpricedC: Counter<string>;
  private readonly lateC: Counter<string>;
  private readonly earlyC: Counter<string>;
  private readonly busyC: Counter<string>;
  private readonly idleC: Counter<string>;
  private readonly idleCostC: Counter<string>;
  private readonly heldG: Gauge<string>;

  constructor(
    t: SelfTelemetry,
    private readonly id: string,
  ) {
    this.pricedC = t.counter('tollgate_gpucost_priced_spans', 'LLM spans priced, by cost model.', ['processor', 'cost_model']);
    this.costC = t.counter('tollgate_gpucost_cost_usd', 'USD charged to LLM spans, by cost model and GPU model.', ['processor', 'cost_model', 'gpu_model']);
    this.unpricedC = t.counter('tollgate_gpucost_unpriced_spans', 'LLM spans left unpriced (never priced as $0), by reason.', ['processor', 'reason']);
    this.lateC = t.counter('tollgate_gpucost_late_spans', 'Spans that arrived after overlapping spans of their replica were priced (settle window too short).', ['processor']);
    this.earlyC = t.counter('tollgate_gpucost_early_released_spans', 'Spans priced before their settle window ended because max_pending_spans was reached.', ['processor']);
    this.busyC = t.counter('tollgate_gpucost_busy_seconds', 'Replica time with at least one request in flight (shared model), by GPU model.', ['processor', 'gpu_model']);
    this.idleC = t.counter('tollgate_gpucost_idle_seconds', 'Replica time between requests (shared model), never charged to requests, by GPU model.', ['processor', 'gpu_model']);
    this.idleCostC = t.counter('tollgate_gpucost_idle_cost_usd', 'Cost of replica idle time (shared model), never charged to requests, by GPU model.', ['processor', 'gpu_model']);
    this.heldG = t.gauge('tollgate_gpucost_held_spans', 'Spans held for the settle window (shared model).', ['processor']);
  }

  priced(model: string, gpu: string, cost: number): void {
    this.pricedC.inc({ processor: this.id, cost_model: model });
    if (cost > 0) this.costC.inc({ processor: this.id, cost_model: model, gpu_model: gpu }, cost);
  }
  unpriced(reason: string): void {
    this.unpricedC.inc({ processor: this.id, reason });
  }
  late(): void {
    this.lateC.inc({ processor: this.id });
  }
  early(): void {
    this.earlyC.inc({ processor: this.id });
  }
  held(n: number): void {
    this.heldG.set({ processor: this.id }, n);
  }
  usage(u: ReplicaUsage): void {
    if (u.busySeconds > 0) this.busyC.inc({ processor: this.id, gpu_model: u.label }, u.busySeconds);
    if (u.idleSeconds > 0) {
      this.idleC.inc({ processor: this.id, gpu_model: u.label }, u.idleSeconds);
      this.idleCostC.inc({ processor: this.id, gpu_model: u.label }, u.idleSeconds * u.c);
    }
  }
}
