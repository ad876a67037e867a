import type { Component } from '../component/component.js';
import type { RequestContext } from '../component/context.js';
import type { AnyConsumer, SignalConsumer } from '../component/consumer.js';
import type { ComponentKind, ConnectorFactory, CreateSettings, ExporterFactory, Factory, ProcessorFactory, ReceiverFactory } from '../component/factory.js';
import { connectorRoute } from '../component/factory.js';
import { SIGNALS, type Signal, type SignalData } from '../component/signal.js';
import { componentKey, type ComponentConfig, type PipelineSpec, type ValidConfig } from '../config/validate.js';
import { countItems } from '../pdata/count.js';
import type { ProcessorTelemetry } from '../telemetry/selftelemetry.js';
import { fanout } from './fanout.js';

export interface GraphNode {
  id: string;
  kind: ComponentKind;
  /** Pipeline or signal the instance belongs to, for logs. */
  scope: string;
  component: Component;
}

/**
 * Components in dependency order: every node comes after everything it feeds
 * into. Start runs in this order (exporters first), shutdown in reverse
 * (receivers first), so upstream drains into downstream that still runs.
 */
export interface Graph {
  nodes: GraphNode[];
}

export type SettingsFor = (id: string, kind: ComponentKind) => CreateSettings;

export function buildGraph(cfg: ValidConfig, settingsFor: SettingsFor): Graph {
  const nodes: GraphNode[] = [];
  const seen = new Set<Component>();
  const add = (id: string, kind: ComponentKind, scope: string, component: Component) => {
    if (seen.has(component)) return; // shared receivers serve several signals with one instance
    seen.add(component);
    nodes.push({ id, kind, scope, component });
  };
  // Validation checked every reference and signal; a miss here is a bug, named.
  const comp = (section: string, id: string): ComponentConfig => {
    const c = cfg.components.get(componentKey(section, id));
    if (!c) throw new Error(`${section}.${id}: not configured`);
    return c;
  };
  function factoryOf(c: ComponentConfig, kind: 'receiver'): ReceiverFactory;
  function factoryOf(c: ComponentConfig, kind: 'processor'): ProcessorFactory;
  function factoryOf(c: ComponentConfig, kind: 'exporter'): ExporterFactory;
  function factoryOf(c: ComponentConfig, kind: 'connector'): ConnectorFactory;
  function factoryOf(c: ComponentConfig, kind: ComponentKind): Factory {
    if (c.factory.kind !== kind) throw new Error(`${c.id}: a ${c.factory.kind}, not a ${kind}`);
    return c.factory;
  }
  const unsupported = (c: ComponentConfig, what: string) => new Error(`${c.id}: does not support ${what}`);

  for (const ext of cfg.service.extensions) {
    const c = comp('extensions', ext);
    if (c.factory.kind !== 'extension') throw new Error(`${ext}: a ${c.factory.kind}, not an extension`);
    add(ext, 'extension', 'service', c.factory.create(settingsFor(ext, 'extension'), c.config));
  }

  const exporters = new Map<string, AnyConsumer & Component>();
  const connectors = new Map<string, AnyConsumer & Component>();
  const entries = new Map<string, AnyConsumer>();
  const building = new Set<string>();

  const exporterFor = <S extends Signal>(id: string, signal: S): SignalConsumer<S> => {
    const key = `${id}|${signal}`;
    let e = exporters.get(key);
    if (!e) {
      const c = comp('exporters', id);
      const make = factoryOf(c, 'exporter').create[signal];
      if (!make) throw unsupported(c, signal);
      const made = make(settingsFor(id, 'exporter'), c.config);
      exporters.set(key, made);
      add(id, 'exporter', signal, made);
      e = made;
    }
    return e;
  };

  const connectorFor = (id: string, from: Signal, downstream: PipelineSpec[]) => {
    const c = comp('connectors', id);
    const out: AnyConsumer[] = [];
    const bySignal = new Map<Signal, PipelineSpec[]>();
    for (const p of downstream) bySignal.set(p.signal, [...(bySignal.get(p.signal) ?? []), p]);
    for (const [to, ps] of bySignal) {
      const route = connectorRoute(from, to);
      const make = factoryOf(c, 'connector').create[route];
      if (!make) continue;
      const key = `${id}|${route}`;
      let inst = connectors.get(key);
      if (!inst) {
        const next = fanout(to, ps.map(entryOf));
        inst = make(settingsFor(id, 'connector'), c.config, next);
        connectors.set(key, inst);
        add(id, 'connector', route, inst);
      }
      out.push(inst);
    }
    return out;
  };

  function entryOf(p: PipelineSpec): AnyConsumer {
    const done = entries.get(p.id);
    if (done) return done;
    if (building.has(p.id)) throw new Error(`service.pipelines.${p.id}: connectors form a cycle through this pipeline`);
    building.add(p.id);
    const exits: AnyConsumer[] = [];
    for (const e of p.exporters) {
      if (cfg.components.has(componentKey('exporters', e))) exits.push(exporterFor(e, p.signal));
      else exits.push(...connectorFor(e, p.signal, cfg.pipelines.filter((q) => q.receivers.includes(e))));
    }
    let next: AnyConsumer = fanout(p.signal, exits);
    for (const id of [...p.processors].reverse()) {
      const c = comp('processors', id);
      const set = settingsFor(id, 'processor');
      const tel = set.telemetry.processor(id);
      const make = factoryOf(c, 'processor').create[p.signal];
      if (!make) throw unsupported(c, p.signal);
      const proc = make(set, c.config, counting(p.signal, next, tel, 'out'));
      add(id, 'processor', p.id, proc);
      // The pipeline mutates if any of its processors does, so the fan-out in front gives it a copy.
      next = counting(p.signal, proc, tel, 'in', proc.capabilities.mutatesData || next.capabilities.mutatesData);
    }
    building.delete(p.id);
    entries.set(p.id, next);
    return next;
  }

  for (const p of cfg.pipelines) entryOf(p);

  // Receivers: one per (receiver, signal), feeding every pipeline of that signal that lists it.
  const receiverIds = new Set(cfg.pipelines.flatMap((p) => p.receivers).filter((r) => cfg.components.has(componentKey('receivers', r))));
  const receiverFor = <S extends Signal>(c: ComponentConfig, signal: S, ps: PipelineSpec[]) => {
    const make = factoryOf(c, 'receiver').create[signal];
    if (!make) throw unsupported(c, signal);
    const next: SignalConsumer<S> = fanout(signal, ps.map(entryOf));
    add(c.id, 'receiver', signal, make(settingsFor(c.id, 'receiver'), c.config, next));
  };
  for (const r of receiverIds) {
    const c = comp('receivers', r);
    for (const signal of SIGNALS) {
      const ps = cfg.pipelines.filter((p) => p.signal === signal && p.receivers.includes(r));
      if (ps.length > 0) receiverFor(c, signal, ps);
    }
  }
  return { nodes };
}

/** Counts items into or out of a processor (collector's processor in/out self-metrics). */
function counting<S extends Signal>(signal: S, c: SignalConsumer<S>, tel: ProcessorTelemetry, dir: 'in' | 'out', mutates?: boolean): SignalConsumer<S> {
  return {
    capabilities: mutates === undefined ? c.capabilities : { mutatesData: mutates },
    consume(data: SignalData[S], ctx: RequestContext) {
      const n = countItems(signal, data);
      if (dir === 'in') tel.incoming(signal, n);
      else tel.outgoing(signal, n);
      return c.consume(data, ctx);
    },
  };
}
