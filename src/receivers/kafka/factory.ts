import type { ReceiverFactory } from '../../component/factory.js';
import { sharedReceiverCreate } from '../../component/shared.js';
import { KafkaReceiverSchema, validateKafkaReceiver, type KafkaReceiverConfig } from './config.js';
import { KafkaReceiver } from './receiver.js';

export const kafkaReceiverFactory: ReceiverFactory<KafkaReceiverConfig> = {
  kind: 'receiver',
  type: 'kafka',
  schema: KafkaReceiverSchema,
  validate: validateKafkaReceiver,
  // One group member serves every signal of the receiver.
  create: sharedReceiverCreate((set, cfg) => new KafkaReceiver(set, cfg)),
};
