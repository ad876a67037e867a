// Which model each inference-server instance serves, learned from the
// engine's own metrics passing through a metrics pipeline: vLLM and SGLang
// label every series with `model_name` (vllm:num_requests_running{model_name=
// "meta-llama/Llama-3.1-8B-Instruct", engine="0"}), while their request spans
// name no model at all. Series are matched to spans by an instance identity:
// the values of `instance_labels` (pod, instance, ...) on the series against
// the values of `instance_attributes` (k8s.pod.name, service.instance.id, ...)
// on the span's resource. An `instance` label's host part ("10.0.0.7" of
// "10.0.0.7:8000") is kept too, so it can meet a host.name.
import type { MetricsData } from '../../component/signal.js';
import { isPromMetrics } from '../../component/signal.js';
import { readOtlp, readProm } from '../../pdata/batch.js';
import type { IKeyValue, Metrics, PromWrite } from '../../pdata/proto.js';
import { anyToString } from '../../genai/attrs.js';
import { perComponentState } from '../../component/shared.js';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';

export interface EngineModelsOptions {
  metricPrefixes: readonly string[];
  modelLabels: readonly string[];
  instanceLabels: readonly string[];
  maxInstances: number;
  ttlMs: number;
}

interface Entry {
  model: string;
  seenMs: number;
}

export class EngineModels {
  private readonly byInstance = new Map<string, Entry>();
  private readonly modelLabels: ReadonlySet<string>;
  private readonly instanceLabels: ReadonlySet<string>;

  constructor(private readonly o: EngineModelsOptions) {
    this.modelLabels = new Set(o.modelLabels);
    this.instanceLabels = new Set(o.instanceLabels);
  }

  get size(): number {
    return this.byInstance.size;
  }

  /** Learns from every engine series in the batch (the batch is not changed); returns how many were read. */
  observe(data: MetricsData, nowMs = Date.now()): number {
    return isPromMetrics(data) ? this.observeProm(readProm(data), nowMs) : this.observeOtlp(readOtlp('metrics', data), nowMs);
  }

  /** The model served by the instance any of `ids` names, if seen within the TTL. */
  lookup(ids: ReadonlyArray<string | undefined>, nowMs = Date.now()): string | undefined {
    for (const id of ids) {
      if (id === undefined) continue;
      const e = this.byInstance.get(id);
      if (e && nowMs - e.seenMs <= this.o.ttlMs) return e.model;
    }
    return undefined;
  }

  private isEngine(name: string): boolean {
    for (const p of this.o.metricPrefixes) if (name.startsWith(p)) return true;
    return false;
  }

  private observeProm(w: PromWrite, nowMs: number): number {
    let n = 0;
    for (const ts of w.timeseries ?? []) {
      const labels = ts.labels ?? [];
      let name = '';
      let model: string | undefined;
      for (const l of labels) {
        if (l.name === '__name__') name = l.value ?? '';
        else if (model === undefined && this.modelLabels.has(l.name ?? '') && l.value) model = l.value;
      }
      if (model === undefined || !this.isEngine(name)) continue;
      for (const l of labels) if (l.name && l.value && this.instanceLabels.has(l.name)) this.put(l.name, l.value, model, nowMs);
      n++;
    }
    return n;
  }

  private observeOtlp(m: Metrics, nowMs: number): number {
    let n = 0;
    for (const rm of m.resourceMetrics ?? []) {
      const res = rm.resource?.attributes;
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          if (!this.isEngine(metric.name ?? '')) continue;
          const d = metric.gauge ?? metric.sum ?? metric.histogram ?? metric.summary ?? metric.exponentialHistogram;
          for (const dp of (d?.dataPoints ?? []) as Array<{ attributes?: IKeyValue[] | null }>) {
            const model = this.pick(dp.attributes, this.modelLabels) ?? this.pick(res, this.modelLabels);
            if (model === undefined) continue;
            for (const attrs of [res, dp.attributes]) {
              for (const kv of attrs ?? []) {
                if (!kv.key || !this.instanceLabels.has(kv.key)) continue;
                const v = anyToString(kv.value);
                if (v) this.put(kv.key, v, model, nowMs);
              }
            }
            n++;
          }
        }
      }
    }
    return n;
  }

  private pick(attrs: IKeyValue[] | null | undefined, keys: ReadonlySet<string>): string | undefined {
    for (const kv of attrs ?? [])
      if (keys.has(kv.key ?? '')) {
        const v = anyToString(kv.value);
        if (v) return v;
      }
    return undefined;
  }

  private put(label: string, value: string, model: string, nowMs: number): void {
    this.set(value, model, nowMs);
    if (label === 'instance' || label === 'exported_instance') {
      const colon = value.lastIndexOf(':');
      if (colon > 0 && /^\d+$/.test(value.slice(colon + 1))) this.set(value.slice(0, colon).replace(/^\[|\]$/g, ''), model, nowMs);
    }
  }

  private set(id: string, model: string, nowMs: number): void {
    const e = this.byInstance.get(id);
    if (e) {
      e.model = model;
      e.seenMs = nowMs;
      return;
    }
    if (this.byInstance.size >= this.o.maxInstances) {
      const oldest = this.byInstance.keys().next();
      if (!oldest.done) this.byInstance.delete(oldest.value);
    }
    this.byInstance.set(id, { model, seenMs: nowMs });
  }
}

const registries = perComponentState<EngineModels>();

/** One registry per genai processor ID within a service: the instance in a metrics pipeline learns, the instance in a traces pipeline reads. */
export function engineModelsFor(telemetry: SelfTelemetry, id: string, opts: EngineModelsOptions): EngineModels {
  return registries(telemetry, id, () => new EngineModels(opts));
}
