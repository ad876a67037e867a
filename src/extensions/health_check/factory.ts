import type { ExtensionFactory } from '../../component/factory.js';
import { HealthCheckSchema, type HealthCheckConfig } from './config.js';
import { HealthCheck } from './health_check.js';

export const healthCheckFactory: ExtensionFactory<HealthCheckConfig> = {
  kind: 'extension',
  type: 'health_check',
  schema: HealthCheckSchema,
  create: (set, cfg) => new HealthCheck(set, cfg),
};
