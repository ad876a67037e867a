import type { SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings, ReceiverFactory } from '../../component/factory.js';
import type { Signal } from '../../component/signal.js';
import { OtlpReceiverSchema, validateOtlpConfig, type OtlpReceiverConfig } from './config.js';
import { OtlpReceiver } from './receiver.js';

/**
 * One receiver instance per configured receiver, shared by its signals: the
 * pipeline builder calls create once per signal with the same config object,
 * and each call registers that signal's consumer on the same servers.
 * Keyed by the config object (and ID), as the collector's shared components;
 * forgotten on shutdown so a later create starts afresh.
 */
const shared = new WeakMap<object, Map<string, OtlpReceiver>>();

function sharedReceiver<S extends Signal>(signal: S, set: CreateSettings, cfg: OtlpReceiverConfig, next: SignalConsumer<S>): OtlpReceiver {
  let byId = shared.get(cfg);
  if (!byId) shared.set(cfg, (byId = new Map()));
  let r = byId.get(set.id);
  if (!r) {
    const created = new OtlpReceiver(set, cfg);
    const ids = byId;
    created.onShutdown = () => {
      if (ids.get(set.id) === created) ids.delete(set.id);
    };
    byId.set(set.id, (r = created));
  }
  r.register(signal, next);
  return r;
}

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  schema: OtlpReceiverSchema,
  validate: validateOtlpConfig,
  create: {
    traces: (set, cfg, next) => sharedReceiver('traces', set, cfg, next),
    metrics: (set, cfg, next) => sharedReceiver('metrics', set, cfg, next),
    logs: (set, cfg, next) => sharedReceiver('logs', set, cfg, next),
  },
};
