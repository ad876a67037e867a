import { Type, type Static } from '@sinclair/typebox';
import { RedactionSchema } from '../processors/redaction/config.js';

/** Headers recorded when they are present, whatever `headers` adds. */
export const DEFAULT_CAPTURE_HEADERS: readonly string[] = [
  'user-agent',
  'x-prometheus-remote-write-version',
  'thanos-tenant',
  'x-scope-orgid',
  'tollgate-signal',
  'tollgate-encoding',
  'tollgate-tenant',
];

/** Never written, even when listed in `headers`: credentials. */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-amz-security-token',
];

export const DEFAULT_CAPTURE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The `capture` option of a receiver: keep every request exactly as it
 * arrived, for `tollgate replay`. Receivers add `capture: Type.Optional(CaptureSchema)`.
 */
export const CaptureSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description:
        'Base path of the capture files, named `<stem>-<UTC time>-<seq><ext>`: `otlp.tgcap` writes `otlp-20260114T093000Z-0001.tgcap`. A new file is started with the first request after every start of the gateway and at every rotation; a closed file is never appended to. Each receiver needs its own path.',
    }),
    max_bytes: Type.Integer({
      default: DEFAULT_CAPTURE_MAX_BYTES,
      minimum: 0,
      description: 'A new file is started before one would grow past this many bytes; a single larger request gets a file of its own. 0: one file per run.',
    }),
    rotate: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'Capture files kept for this path: the oldest are deleted beyond it. 0 keeps every file.',
    }),
    headers: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: `Request headers (gRPC metadata, Kafka headers) recorded besides ${DEFAULT_CAPTURE_HEADERS.join(', ')}. Credentials are never recorded.`,
    }),
    secret_headers: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: `Further headers never recorded, besides ${SECRET_HEADERS.join(', ')}.`,
    }),
    redaction: Type.Optional(
      Type.Unsafe<Static<typeof RedactionSchema>>({
        ...RedactionSchema,
        description:
          "Apply these redaction rules (the `redaction` processor's keys, e.g. `{action: mask}`) to traces and logs before they are written, so prompts never reach the capture file. Such records hold the redacted request decompressed, in its content type, no longer the exact wire bytes; a request that cannot be decoded is not captured. Absent: requests are captured as they arrived. Capture files are created readable by their owner only (0600) either way.",
      }),
    ),
  },
  { additionalProperties: false, description: 'Capture each request as it arrived (wire bytes) for `tollgate replay`.' },
);

export type CaptureConfig = Static<typeof CaptureSchema>;
