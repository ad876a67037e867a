import { Type, type Static } from '@sinclair/typebox';
import { Endpoint, TlsServerSchema } from '../../config/types.js';
import { CaptureSchema } from '../../capture/index.js';
import { httpListenerProps } from '../common/listener.js';
import { AuthSchema } from '../../component/auth.js';

export const PrwReceiverSchema = Type.Object(
  {
    endpoint: Endpoint('localhost:19291', 'Listener for remote-write: POST /api/v1/receive (Thanos Receive, 200) and /api/v1/write (Prometheus, 204).'),
    max_request_body_size: Type.Integer({
      default: 20 * 1024 * 1024,
      minimum: 1,
      description: 'Largest compressed body accepted, in bytes; larger requests get 413.',
    }),
    max_decompressed_size: Type.Integer({
      default: 128 * 1024 * 1024,
      minimum: 1,
      description: 'Largest uncompressed body accepted, in bytes, checked from the Snappy header before decompressing; larger requests get 413.',
    }),
    tenant_header: Type.String({ default: 'THANOS-TENANT', minLength: 1, description: 'Request header naming the tenant, as Thanos Receive reads it. With auth whose credentials name a tenant, the tenant is theirs: this header may be absent or equal to it (else 403).' }),
    default_tenant: Type.String({ default: 'default-tenant', description: 'Tenant of requests without the tenant header.' }),
    include_metadata: Type.Boolean({ default: false, description: 'Pass request headers downstream as client metadata.' }),
    ...httpListenerProps('65s'),
    tls: Type.Optional(TlsServerSchema),
    auth: Type.Optional(AuthSchema),
    capture: Type.Optional(CaptureSchema),
  },
  { additionalProperties: false, description: 'Prometheus remote-write 1.0 and 2.0, as Thanos Receive (`/api/v1/receive`) and Prometheus (`/api/v1/write`) accept it, with tenants.' },
);

export type PrwReceiverConfig = Static<typeof PrwReceiverSchema>;
