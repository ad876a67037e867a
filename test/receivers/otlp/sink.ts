// A test-only exporter that keeps what reaches it and answers as the test
// says (accept, or fail with a given ConsumerError), so the receiver's answers
// to every pipeline outcome can be checked with real clients.
import { Type } from '@sinclair/typebox';
import type { Component } from '../../../src/component/component.js';
import type { RequestContext } from '../../../src/component/context.js';
import type { Exporter, ExporterFactory } from '../../../src/component/factory.js';
import { isPromMetrics, type OtlpData, type Signal, type SignalData } from '../../../src/component/signal.js';
import { FACTORIES, factoriesByKind } from '../../../src/components.js';
import { readOtlp } from '../../../src/pdata/batch.js';

export interface Received<S extends Signal = Signal> {
  signal: S;
  /** The batch as the pipeline handed it over (encoded or decoded). */
  data: SignalData[S];
  /** Its content as decoded OTLP objects (empty for remote-write metrics), for assertions. */
  otlp: OtlpData[S];
  ctx: RequestContext;
}

export class Sink implements Component {
  static byId = new Map<string, Sink>();
  readonly capabilities = { mutatesData: false };
  received: Received[] = [];
  /** Decides each consume: throw to refuse. Default accepts. */
  behavior: ((r: Received) => void | Promise<void>) | undefined;
  /** Every call, accepted or not. */
  calls = 0;

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  async consume(signal: Signal, data: SignalData[Signal], ctx: RequestContext): Promise<void> {
    this.calls++;
    const otlp = isPromMetrics(data) ? {} : readOtlp(signal, data);
    const r = { signal, data, otlp, ctx } as Received;
    await this.behavior?.(r);
    this.received.push(r);
  }

  of<S extends Signal>(signal: S): Received<S>[] {
    return this.received.filter((r) => r.signal === signal) as Received<S>[];
  }
}

/** The sink of an exporter ID (one Sink per ID, shared by its signals). */
export function sink(id: string): Sink {
  let s = Sink.byId.get(id);
  if (!s) Sink.byId.set(id, (s = new Sink()));
  return s;
}

function exporterFor<S extends Signal>(signal: S, id: string): Exporter<S> {
  const s = sink(id);
  return {
    capabilities: s.capabilities,
    start: () => s.start(),
    shutdown: () => s.shutdown(),
    consume: (data, ctx) => s.consume(signal, data, ctx),
  };
}

export const sinkFactory: ExporterFactory = {
  kind: 'exporter',
  type: 'otlptestsink',
  schema: Type.Object({}, { additionalProperties: false }),
  create: {
    traces: (set) => exporterFor('traces', set.id),
    metrics: (set) => exporterFor('metrics', set.id),
    logs: (set) => exporterFor('logs', set.id),
  },
};

/** The gateway's factories plus the sink. */
export const FACTORIES_WITH_SINK = factoriesByKind([...FACTORIES, sinkFactory]);
