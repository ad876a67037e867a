import type { Component } from './component.js';
import type { SignalConsumer } from './consumer.js';
import type { CreateSettings, ReceiverFactory } from './factory.js';
import type { Signal } from './signal.js';

/** A receiver that serves several signals from one instance (one listener, one consumer-group member). */
export interface MultiSignalReceiver extends Component {
  attach<S extends Signal>(signal: S, next: SignalConsumer<S>): void;
  /** True once shut down: the next create makes a fresh instance. */
  readonly isShutDown: boolean;
}

/**
 * The per-signal constructors of a receiver that serves every signal from one
 * instance, as the collector's shared components: the graph calls create once
 * per signal with the receiver's one config object; the first call makes the
 * instance and every call attaches that signal's consumer to it.
 */
export function sharedReceiverCreate<C extends object, R extends MultiSignalReceiver>(make: (set: CreateSettings, cfg: C) => R): ReceiverFactory<C>['create'] {
  const shared = new WeakMap<C, Map<string, R>>();
  const create =
    <S extends Signal>(signal: S) =>
    (set: CreateSettings, cfg: C, next: SignalConsumer<S>): R => {
      let byId = shared.get(cfg);
      if (!byId) shared.set(cfg, (byId = new Map()));
      let r = byId.get(set.id);
      if (!r || r.isShutDown) byId.set(set.id, (r = make(set, cfg)));
      r.attach(signal, next);
      return r;
    };
  return { traces: create('traces'), metrics: create('metrics'), logs: create('logs') };
}

/**
 * State that one component ID shares between its instances in different
 * pipelines (a processor in a metrics pipeline that learns, the same ID in a
 * traces pipeline that reads), per running service: keyed by the service's
 * telemetry object, so services in one process stay apart.
 */
export function perComponentState<T>(): (telemetry: object, id: string, make: () => T) => T {
  const shared = new WeakMap<object, Map<string, T>>();
  return (telemetry, id, make) => {
    let m = shared.get(telemetry);
    if (!m) shared.set(telemetry, (m = new Map()));
    let v = m.get(id);
    if (v === undefined) m.set(id, (v = make()));
    return v;
  };
}
