// A running gateway for receiver tests: otlp receiver → pipelines → test sink.
import type { Signal } from '../../../src/component/signal.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';
import { FACTORIES_WITH_SINK, sink, type Sink } from './sink.js';

export interface GatewayOptions {
  /** Signals that get a pipeline (default: all three). */
  signals?: Signal[];
  /** Extra gRPC settings; `false` leaves gRPC out. */
  grpc?: Record<string, unknown> | false;
  /** Extra HTTP settings; `false` leaves HTTP out. */
  http?: Record<string, unknown> | false;
  /** Receiver-level keys besides protocols (limits, capture). */
  receiver?: Record<string, unknown>;
}

export interface Gateway {
  svc: Service;
  sink: Sink;
  sinkId: string;
  grpcPort: number;
  httpPort: number;
  httpUrl: (path: string) => string;
  stop(): Promise<void>;
}

let seq = 0;

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  const signals = opts.signals ?? ['traces', 'metrics', 'logs'];
  const sinkId = `otlptestsink/g${++seq}_${process.pid}`;
  const grpcPort = opts.grpc === false ? 0 : await freePort();
  const httpPort = opts.http === false ? 0 : await freePort();
  const protocols: Record<string, unknown> = {};
  if (opts.grpc !== false) protocols.grpc = { endpoint: `127.0.0.1:${grpcPort}`, ...(opts.grpc ?? {}) };
  if (opts.http !== false) protocols.http = { endpoint: `127.0.0.1:${httpPort}`, ...(opts.http ?? {}) };
  const cfg = {
    receivers: { otlp: { protocols, ...(opts.receiver ?? {}) } },
    exporters: { [sinkId]: {} },
    service: {
      telemetry: { metrics: { address: '' } },
      pipelines: Object.fromEntries(signals.map((s) => [s, { receivers: ['otlp'], exporters: [sinkId] }])),
    },
  };
  const svc = new Service(cfg, { logger: silentLogger(), factories: FACTORIES_WITH_SINK });
  await svc.start();
  return {
    svc,
    sink: sink(sinkId),
    sinkId,
    grpcPort,
    httpPort,
    httpUrl: (path) => `http://127.0.0.1:${httpPort}${path}`,
    stop: () => svc.shutdown(),
  };
}

/** The value of one sample of a self-metric, 0 when absent. */
export async function selfMetric(svc: Service, name: string, labels: Record<string, string>): Promise<number> {
  const m = await svc.telemetry.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((s) => Object.entries(labels).every(([k, want]) => String(s.labels[k]) === want));
  return v?.value ?? 0;
}
