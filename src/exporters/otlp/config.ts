import { AuthSchema } from '../../component/auth.js';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, HeadersSchema, TlsClientSchema } from '../../config/types.js';
import { NoEffect, NoEffectValues } from '../../config/noeffect.js';
import { helperProps } from '../../exporterhelper/config.js';

const GO_SOCKET = "Go's socket buffer sizes; Node.js sizes its own.";

/** `compression_params` of the collector's confighttp/configgrpc. */
export const CompressionParamsSchema = Type.Object(
  { level: Type.Optional(Type.Integer({ description: 'Compression level (gzip 1–9, zstd 1–22; the codec default when unset).' })) },
  { additionalProperties: false, description: 'Compression parameters.' },
);

/** `compression` of the OTLP gRPC exporter: the collector's values; grpc-js compresses with gzip only. */
export const OtlpGrpcCompression = NoEffectValues(
  Type.Union([Type.Literal('gzip'), Type.Literal('zstd'), Type.Literal('snappy'), Type.Literal('none'), Type.Literal('')], {
    default: 'gzip',
    description: 'Message compression: gzip or none ("" is none). zstd and snappy are accepted and sent as gzip.',
  }),
  {
    zstd: 'grpc-js compresses messages with gzip or deflate only; requests are sent gzip-compressed (every OTLP receiver accepts gzip).',
    snappy: 'grpc-js compresses messages with gzip or deflate only; requests are sent gzip-compressed (every OTLP receiver accepts gzip).',
  },
);

/** The collector's otlp_grpc (deprecated name otlp) exporter keys and defaults. */
export const OtlpGrpcSchema = Type.Object(
  {
    endpoint: Type.String({
      minLength: 1,
      description: 'gRPC target `host:port`; an `https://` prefix turns TLS on, `http://` off (otherwise `tls.insecure` decides).',
    }),
    auth: Type.Optional(AuthSchema),
    headers: Type.Optional(HeadersSchema('Sent as gRPC metadata with every request: a map, or a list of {name, value}.')),
    compression: OtlpGrpcCompression,
    compression_params: Type.Optional(NoEffect(CompressionParamsSchema, 'grpc-js compresses at its fixed gzip level.')),
    tls: Type.Optional(TlsClientSchema),
    authority: Type.Optional(Type.String({ description: 'The :authority (virtual host) sent instead of the target host.' })),
    balancer_name: Type.Optional(
      Type.Union([Type.Literal('pick_first'), Type.Literal('round_robin')], {
        description: 'Load balancing over the addresses the target resolves to (grpc-js policies).',
      }),
    ),
    user_agent: Type.Optional(Type.String({ description: "User-Agent of the calls (before grpc-js's own)." })),
    keepalive: Type.Optional(
      Type.Object(
        {
          time: Type.Optional(Duration('0s', 'Ping the server after this long without activity; 0: no pings.')),
          timeout: Type.Optional(Duration('20s', 'Close the connection when a ping is not answered within this.')),
          permit_without_stream: Type.Optional(Type.Boolean({ description: 'Ping even without calls in flight.' })),
        },
        { additionalProperties: false, description: 'Client keepalive pings.' },
      ),
    ),
    read_buffer_size: Type.Optional(NoEffect(Type.Integer({ minimum: 0 }), GO_SOCKET)),
    write_buffer_size: Type.Optional(NoEffect(Type.Integer({ minimum: 0 }), GO_SOCKET)),
    wait_for_ready: Type.Optional(NoEffect(Type.Boolean(), 'a call fails at once when the connection is down and the retry layer tries again.')),
    dialer_middleware: Type.Optional(NoEffect(Type.Object({ id: Type.String() }, { additionalProperties: false }), 'Tollgate has no middleware extensions.')),
    ...helperProps('5s'),
  },
  { additionalProperties: false, description: 'Sends OTLP over gRPC to a collector or any OTLP endpoint, on the shared retry and queue stack.' },
);
export type OtlpGrpcConfig = Static<typeof OtlpGrpcSchema>;
export type TlsClientConfig = Static<typeof TlsClientSchema>;
