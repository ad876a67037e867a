import { Type, type Static } from '@sinclair/typebox';
import { StringMap, TlsClientSchema } from '../../config/types.js';
import { helperProps } from '../../exporterhelper/config.js';

/** `compression` of the OTLP exporters: gzip (default) or none ("" is none too, as the collector). */
export const OtlpCompression = Type.Union([Type.Literal('gzip'), Type.Literal('none'), Type.Literal('')], {
  default: 'gzip',
  description: 'Request compression: gzip or none.',
});

/** The collector's otlp (gRPC) exporter keys and defaults. */
export const OtlpGrpcSchema = Type.Object(
  {
    endpoint: Type.String({
      minLength: 1,
      description: 'gRPC target `host:port`; an `https://` prefix turns TLS on, `http://` off (otherwise `tls.insecure` decides).',
    }),
    headers: Type.Optional(StringMap),
    compression: OtlpCompression,
    tls: Type.Optional(TlsClientSchema),
    ...helperProps('5s'),
  },
  { additionalProperties: false },
);
export type OtlpGrpcConfig = Static<typeof OtlpGrpcSchema>;
export type TlsClientConfig = Static<typeof TlsClientSchema>;
