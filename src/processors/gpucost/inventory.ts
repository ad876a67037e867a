// What GPUs serve where, learned from DCGM exporter metrics passing through.
//
// The DCGM exporter labels every series with the GPU (`gpu` index, `UUID`),
// its `modelName`, the node (`Hostname`, lower-case `hostname` in newer
// builds) and, on Kubernetes, the `pod` and `namespace` it is assigned to
// (`exported_pod` / `exported_namespace` once a Prometheus scrape has
// renamed them). Tollgate keeps, per pod and per host, the model and the set
// of GPUs seen, so the gpucost processor can price spans from a serving
// host that does not report its GPUs itself.
import type { MetricsData } from '../../component/signal.js';
import { isPromMetrics } from '../../component/signal.js';
import { readOtlp, readProm } from '../../pdata/batch.js';
import type { IKeyValue, ILabel, Metrics, PromWrite } from '../../pdata/proto.js';
import { anyToString } from '../../genai/attrs.js';
import { perComponentState } from '../../component/shared.js';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';

import type { GpuInfo, GpuQuery, GpuSource } from './gpusource.js';

interface Entry {
  model: string;
  gpus: Set<string>;
  seenMs: number;
}

export interface InventoryOptions {
  metricPrefix: string;
  maxEntries: number;
  ttlMs: number;
}

/** One observation's labels, gathered from either metrics shape. */
interface Obs {
  model?: string;
  host?: string;
  pod?: string;
  namespace?: string;
  gpu?: string;
}

const LABELS: Readonly<Record<string, keyof Obs>> = {
  modelName: 'model',
  Hostname: 'host',
  hostname: 'host',
  exported_pod: 'pod',
  pod: 'pod',
  exported_namespace: 'namespace',
  namespace: 'namespace',
  UUID: 'gpu',
  gpu: 'gpu',
};
/** When a label appears under two names, the more specific wins (UUID over index, exported_pod over pod). */
const PRIORITY: Readonly<Record<string, number>> = {
  UUID: 2,
  gpu: 1,
  exported_pod: 2,
  pod: 1,
  exported_namespace: 2,
  namespace: 1,
  Hostname: 1,
  hostname: 1,
  modelName: 1,
};

export class GpuInventory implements GpuSource {
  private readonly byHost = new Map<string, Entry>();
  private readonly byPod = new Map<string, Entry>();
  private readonly obs: Obs = {};
  private readonly prio: Record<string, number> = {};

  constructor(private readonly opts: InventoryOptions) {}

  /** Learns from every DCGM series in the batch; the batch itself is not changed. */
  observe(data: MetricsData, nowMs = Date.now()): number {
    return isPromMetrics(data) ? this.observeProm(readProm(data), nowMs) : this.observeOtlp(readOtlp('metrics', data), nowMs);
  }

  lookup(q: GpuQuery, nowMs = Date.now()): GpuInfo | undefined {
    const e =
      (q.pod !== undefined ? (this.byPod.get(podKey(q.namespace, q.pod)) ?? this.byPod.get(podKey(undefined, q.pod))) : undefined) ??
      (q.host !== undefined ? this.byHost.get(q.host) : undefined);
    if (!e || nowMs - e.seenMs > this.opts.ttlMs) return undefined;
    return { model: e.model, count: e.gpus.size };
  }

  get size(): number {
    return this.byHost.size + this.byPod.size;
  }

  private observeProm(w: PromWrite, nowMs: number): number {
    let n = 0;
    for (const ts of w.timeseries ?? []) {
      const labels = ts.labels ?? [];
      if (!isDcgm(nameOf(labels), this.opts.metricPrefix)) continue;
      this.reset();
      for (const l of labels) this.take(l.name ?? '', l.value ?? '');
      n += this.record(nowMs);
    }
    return n;
  }

  private observeOtlp(m: Metrics, nowMs: number): number {
    let n = 0;
    for (const rm of m.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const metric of sm.metrics ?? []) {
          if (!isDcgm(metric.name ?? '', this.opts.metricPrefix)) continue;
          const d = metric.gauge ?? metric.sum;
          for (const dp of d?.dataPoints ?? []) {
            this.reset();
            this.takeAll(rm.resource?.attributes);
            this.takeAll(dp.attributes);
            n += this.record(nowMs);
          }
        }
      }
    }
    return n;
  }

  private takeAll(attrs: IKeyValue[] | null | undefined): void {
    for (const kv of attrs ?? []) {
      const k = kv.key ?? '';
      if (LABELS[k] === undefined && k !== 'host.name' && k !== 'k8s.node.name') continue;
      const v = anyToString(kv.value);
      if (v === undefined) continue;
      if (k === 'host.name' || k === 'k8s.node.name') {
        if (this.obs.host === undefined) this.obs.host = v;
      } else this.take(k, v);
    }
  }

  private take(name: string, value: string): void {
    const field = LABELS[name];
    if (field === undefined || value === '') return;
    const p = PRIORITY[name] ?? 0;
    if ((this.prio[field] ?? -1) >= p) return;
    this.prio[field] = p;
    this.obs[field] = value;
  }

  private reset(): void {
    this.obs.model = this.obs.host = this.obs.pod = this.obs.namespace = this.obs.gpu = undefined;
    for (const k of Object.keys(this.prio)) delete this.prio[k];
  }

  private record(nowMs: number): number {
    const o = this.obs;
    if (o.model === undefined) return 0;
    const gpu = o.gpu ?? '0';
    let n = 0;
    if (o.host !== undefined) n += this.put(this.byHost, o.host, o.model, gpu, nowMs);
    if (o.pod !== undefined) n += this.put(this.byPod, podKey(o.namespace, o.pod), o.model, gpu, nowMs);
    if (o.pod !== undefined && o.namespace !== undefined) this.put(this.byPod, podKey(undefined, o.pod), o.model, gpu, nowMs);
    return n;
  }

  private put(map: Map<string, Entry>, key: string, model: string, gpu: string, nowMs: number): number {
    let e = map.get(key);
    if (e && e.model !== model) {
      // The host was re-imaged or the pod rescheduled onto other GPUs: start over.
      map.delete(key);
      e = undefined;
    }
    if (!e) {
      if (map.size >= this.opts.maxEntries) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
      e = { model, gpus: new Set(), seenMs: nowMs };
      map.set(key, e);
    }
    e.seenMs = nowMs;
    if (!e.gpus.has(gpu)) {
      // A GPU set can only grow by as many GPUs as fit in a node; this bound keeps bad labels from growing it.
      if (e.gpus.size < 64) e.gpus.add(gpu);
    }
    return 1;
  }
}

function podKey(ns: string | undefined, pod: string): string {
  return ns === undefined ? pod : `${ns}/${pod}`;
}

function nameOf(labels: ILabel[]): string {
  for (const l of labels) if (l.name === '__name__') return l.value ?? '';
  return '';
}

function isDcgm(name: string, prefix: string): boolean {
  return name.startsWith(prefix);
}

const inventories = perComponentState<GpuInventory>();

/** One inventory per gpucost processor ID within a service: the instance in a metrics pipeline learns, the instance in a traces pipeline reads. */
export function inventoryFor(telemetry: SelfTelemetry, id: string, opts: InventoryOptions): GpuInventory {
  return inventories(telemetry, id, () => new GpuInventory(opts));
}
