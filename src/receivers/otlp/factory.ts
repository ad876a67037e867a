import type { ReceiverFactory } from '../../component/factory.js';
import { sharedReceiverCreate } from '../../component/shared.js';
import { OtlpReceiverSchema, validateOtlpConfig, type OtlpReceiverConfig } from './config.js';
import { OtlpReceiver } from './receiver.js';

export const otlpReceiverFactory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  schema: OtlpReceiverSchema,
  validate: validateOtlpConfig,
  // One set of servers serves every signal of the receiver.
  create: sharedReceiverCreate((set, cfg) => new OtlpReceiver(set, cfg)),
};
