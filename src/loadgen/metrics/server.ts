// Serves, for every simulated replica, the engine's own /metrics and a
// dcgm-exporter endpoint for its GPUs, each on its own loopback port (as each
// replica is its own scrape target), and writes file_sd target files so a
// scraper finds them.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SimRequest } from '../simulate.js';
import type { FleetSpec } from '../spec.js';
import { DcgmPage } from './dcgm.js';
import { renderEngine, type EngineKind } from './engines.js';
import { replicaAt } from './replica.js';

export interface FleetMetricsOptions {
  /** The timeline's current position (ns from its zero); Infinity: every request has finished. */
  clockNs: () => number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Write engines.json and dcgm.json (file_sd format) into this directory. */
  sdDir?: string;
  /** DCGM host label spelling: one for all, or `mixed` (even replicas `Hostname`, odd `hostname`, as a fleet mid-upgrade). */
  hostnameLabel?: 'Hostname' | 'hostname' | 'mixed';
}

export interface ReplicaEndpoints {
  replica: string;
  model: string;
  engine: EngineKind;
  engineAddress: string;
  dcgmAddress: string;
}

export interface FleetMetrics {
  replicas: ReplicaEndpoints[];
  stop(): Promise<void>;
}

export async function startFleetMetrics(requests: readonly SimRequest[], fleet: FleetSpec, o: FleetMetricsOptions): Promise<FleetMetrics> {
  const host = o.host ?? '127.0.0.1';
  const byReplica = new Map<string, SimRequest[]>();
  for (const r of requests) {
    let l = byReplica.get(r.replica);
    if (!l) byReplica.set(r.replica, (l = []));
    l.push(r);
  }
  const servers: Server[] = [];
  const replicas: ReplicaEndpoints[] = [];
  let idx = 0;
  for (const m of fleet.models) {
    // An API model's GPUs are its provider's: it serves no engine or DCGM metrics.
    const gpu = m.gpu;
    if (m.api || !gpu) continue;
    for (let i = 0; i < m.replicas; i++) {
      const replica = `${m.name}-${i}`;
      const reqs = byReplica.get(replica) ?? [];
      const engine = (m.engine ?? 'vllm') as EngineKind;
      const label = o.hostnameLabel === 'Hostname' || o.hostnameLabel === 'hostname' ? o.hostnameLabel : idx % 2 === 0 ? 'Hostname' : 'hostname';
      idx++;
      const dcgm = new DcgmPage({ host: replica, gpuModel: gpu.model, gpus: gpu.count, hostnameLabel: label });
      const ctx = { model: m.name, gpus: gpu.count };
      const engineSrv = createServer((_req, res) => {
        const body = renderEngine(engine, replicaAt(reqs, o.clockNs()), ctx);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      });
      const dcgmSrv = createServer((_req, res) => {
        const now = o.clockNs();
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(dcgm.render(replicaAt(reqs, now), Number.isFinite(now) ? now : Date.now() * 1e6));
      });
      for (const s of [engineSrv, dcgmSrv]) {
        await new Promise<void>((r) => s.listen(0, host, r));
        servers.push(s);
      }
      const addr = (s: Server) => `${host}:${(s.address() as AddressInfo).port}`;
      replicas.push({ replica, model: m.name, engine, engineAddress: addr(engineSrv), dcgmAddress: addr(dcgmSrv) });
    }
  }
  if (o.sdDir) writeTargetFiles(o.sdDir, replicas);
  return {
    replicas,
    async stop() {
      await Promise.all(
        servers.map((s) => {
          s.closeAllConnections();
          return new Promise<void>((r) => s.close(() => r()));
        }),
      );
    },
  };
}

/** engines.json and dcgm.json in file_sd format, each target labelled with its replica, model and engine. */
export function writeTargetFiles(dir: string, replicas: readonly ReplicaEndpoints[]): void {
  const groups = (addr: (r: ReplicaEndpoints) => string) =>
    replicas.map((r) => ({ targets: [addr(r)], labels: { replica: r.replica, model: r.model, engine_kind: r.engine } }));
  writeFileSync(
    join(dir, 'engines.json'),
    `${JSON.stringify(
      groups((r) => r.engineAddress),
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(dir, 'dcgm.json'),
    `${JSON.stringify(
      groups((r) => r.dcgmAddress),
      null,
      2,
    )}\n`,
  );
}
