import type { CreateSettings, ReceiverFactory } from '../../component/factory.js';
import { KafkaReceiverSchema, validateKafkaReceiver, type KafkaReceiverConfig } from './config.js';
import { KafkaReceiver } from './receiver.js';

// One receiver (one group member) per configured receiver, whatever the number
// of signals it serves: the graph hands every signal the same config object.
const shared = new WeakMap<object, KafkaReceiver>();

function create(set: CreateSettings, cfg: KafkaReceiverConfig): KafkaReceiver {
  let r = shared.get(cfg);
  if (!r || r.isShutDown) shared.set(cfg, (r = new KafkaReceiver(set, cfg)));
  return r;
}

export const kafkaReceiverFactory: ReceiverFactory<KafkaReceiverConfig> = {
  kind: 'receiver',
  type: 'kafka',
  schema: KafkaReceiverSchema,
  validate: validateKafkaReceiver,
  create: {
    traces: (set, cfg, next) => {
      const r = create(set, cfg);
      r.attach('traces', next);
      return r;
    },
    metrics: (set, cfg, next) => {
      const r = create(set, cfg);
      r.attach('metrics', next);
      return r;
    },
    logs: (set, cfg, next) => {
      const r = create(set, cfg);
      r.attach('logs', next);
      return r;
    },
  },
};
