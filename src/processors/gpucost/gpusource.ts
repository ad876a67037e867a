// The seam between gpucost and whatever knows which GPUs serve a host or a
// pod. The processor reads a span's resource first (tollgate.gpu.model and
// .count); when it names none, it asks a GpuSource. The DCGM inventory
// (inventory.ts, fed by DCGM series in a metrics pipeline) is the one built
// in; another source (a cloud or cluster inventory, GPU cost gauges) plugs
// in by implementing this interface and being handed to ReplicaResolver.

export interface GpuInfo {
  /** GPU model as reported (matched against the price table's names). */
  model: string;
  count: number;
}

export interface GpuQuery {
  host?: string;
  pod?: string;
  namespace?: string;
}

export interface GpuSource {
  lookup(q: GpuQuery, nowMs?: number): GpuInfo | undefined;
}
