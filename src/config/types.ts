import { Type, type TSchema } from '@sinclair/typebox';

const DURATION_RE = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as the collector writes it ("200ms", "5s", "1m") or a number of
 * milliseconds. One schema keyword so a mistake gives one clear error.
 */
export function Duration(def: string, description?: string) {
  return Type.Unsafe<string | number>({
    type: ['string', 'number'],
    pattern: DURATION_RE.source,
    default: def,
    'x-kind': 'duration',
    ...(description ? { description } : {}),
  });
}

/** Milliseconds of a duration value that passed validation. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = DURATION_RE.exec(v);
  if (!m) throw new Error(`invalid duration "${v}"`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** `host:port` listener or target address. */
export function Endpoint(def: string, description?: string) {
  return Type.String({ default: def, minLength: 1, ...(description ? { description } : {}) });
}

/** Object whose keys are all optional and whose nested defaults are filled. */
export function Section<T extends Record<string, TSchema>>(props: T, description?: string) {
  return Type.Object(props, { additionalProperties: false, default: {}, ...(description ? { description } : {}) });
}

export const StringMap = Type.Record(Type.String(), Type.String());

export const TlsClientSchema = Type.Object(
  {
    insecure: Type.Boolean({ default: false, description: 'Plain text instead of TLS.' }),
    insecure_skip_verify: Type.Boolean({ default: false }),
    ca_file: Type.Optional(Type.String()),
    cert_file: Type.Optional(Type.String()),
    key_file: Type.Optional(Type.String()),
    server_name_override: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const TlsServerSchema = Type.Object(
  {
    cert_file: Type.String(),
    key_file: Type.String(),
    ca_file: Type.Optional(Type.String()),
    client_ca_file: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
