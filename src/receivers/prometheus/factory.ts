import type { ReceiverFactory } from '../../component/factory.js';
import { PrometheusReceiverSchema, type PrometheusReceiverConfig } from './config.js';
import { buildJobs, JobConfigError } from './jobs.js';
import { PrometheusReceiver } from './receiver.js';

export const prometheusReceiverFactory: ReceiverFactory<PrometheusReceiverConfig> = {
  kind: 'receiver',
  type: 'prometheus',
  schema: PrometheusReceiverSchema,
  validate(cfg) {
    try {
      buildJobs(cfg as PrometheusReceiverConfig);
      return [];
    } catch (e) {
      return e instanceof JobConfigError ? e.problems : [(e as Error).message];
    }
  },
  create: {
    metrics: (set, cfg, next) => new PrometheusReceiver(set, cfg, next),
  },
};
