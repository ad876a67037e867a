import { Type, type Static } from '@sinclair/typebox';
import { Endpoint } from '../../config/types.js';

export const HealthCheckSchema = Type.Object(
  {
    endpoint: Endpoint('127.0.0.1:13133', 'Listener for the health check.'),
    path: Type.String({ default: '/', description: 'Path answered with the health status.' }),
  },
  { additionalProperties: false, description: 'Answers 200 once every component has started, 503 while starting or shutting down.' },
);
export type HealthCheckConfig = Static<typeof HealthCheckSchema>;
