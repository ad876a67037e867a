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

/** A map of strings with a description (headers, labels). */
export function StringMapOf(description: string, withDefault = false) {
  return Type.Record(Type.String(), Type.String(), { description, ...(withDefault ? { default: {} } : {}) });
}

export const TlsClientSchema = Type.Object(
  {
    insecure: Type.Boolean({ default: false, description: 'Plain text instead of TLS.' }),
    insecure_skip_verify: Type.Boolean({ default: false, description: 'Do not verify the server certificate.' }),
    ca_file: Type.Optional(Type.String({ description: 'CA certificate (PEM) the server certificate must chain to; default: the system roots.' })),
    cert_file: Type.Optional(Type.String({ description: 'Client certificate (PEM), with key_file.' })),
    key_file: Type.Optional(Type.String({ description: 'Private key (PEM) of cert_file.' })),
    server_name_override: Type.Optional(Type.String({ description: 'Server name expected in the certificate, instead of the endpoint host.' })),
  },
  { additionalProperties: false, description: 'TLS towards the destination.' },
);

export const TlsServerSchema = Type.Object(
  {
    cert_file: Type.String({ description: 'Server certificate (PEM); with key_file, the listener serves TLS.' }),
    key_file: Type.String({ description: 'Private key (PEM) of cert_file.' }),
    ca_file: Type.Optional(Type.String({ description: 'Accepted for collector configs; client certificates are checked against client_ca_file.' })),
    client_ca_file: Type.Optional(Type.String({ description: 'CA certificate (PEM) client certificates must chain to; set, every client must present one (otlp receiver).' })),
  },
  { additionalProperties: false, description: 'Serve TLS.' },
);
