import { Type, type Static } from '@sinclair/typebox';
import { StringMapOf, TlsClientSchema } from '../../config/types.js';
import { helperProps } from '../../exporterhelper/config.js';

/** `compression` of the OTLP exporters: gzip (default) or none ("" is none too, as the collector). */
export const OtlpCompression = Type.Union([Type.Literal('gzip'), Type.Literal('none'), Type.Literal('')], {
  default: 'gzip',
  description: 'Request compression: gzip or none ("" is none).',
});

/** The collector's otlp (gRPC) exporter keys and defaults. */
export const OtlpGrpcSchema = Type.Object(
  {
    endpoint: Type.String({
      minLength: 1,
      description: 'gRPC target `host:port`; an `https://` prefix turns TLS on, `http://` off (otherwise `tls.insecure` decides).',
    }),
    headers: Type.Optional(StringMapOf('Sent as gRPC metadata with every request.')),
    compression: OtlpCompression,
    tls: Type.Optional(TlsClientSchema),
    ...helperProps('5s'),
  },
  { additionalProperties: false, description: 'Sends OTLP over gRPC to a collector or any OTLP endpoint, on the shared retry and queue stack.' },
);
export type OtlpGrpcConfig = Static<typeof OtlpGrpcSchema>;
export type TlsClientConfig = Static<typeof TlsClientSchema>;
