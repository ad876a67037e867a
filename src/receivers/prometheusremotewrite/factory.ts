import type { ReceiverFactory } from '../../component/factory.js';
import { PrwReceiverSchema, type PrwReceiverConfig } from './config.js';
import { PrwReceiver } from './receiver.js';

export const prometheusRemoteWriteReceiverFactory: ReceiverFactory<PrwReceiverConfig> = {
  kind: 'receiver',
  type: 'prometheusremotewrite',
  schema: PrwReceiverSchema,
  create: {
    metrics: (set, cfg, next) => new PrwReceiver(set, cfg, next),
  },
};
