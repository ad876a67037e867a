import { Type, type TSchema } from '@sinclair/typebox';
import { NoEffect } from './noeffect.js';

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

const TLS_NOT_IN_NODE = 'Node.js takes its TLS versions, ciphers and curves from OpenSSL defaults here, and certificates are read once at start.';

export const TlsClientSchema = Type.Object(
  {
    insecure: Type.Boolean({ default: false, description: 'Plain text instead of TLS.' }),
    insecure_skip_verify: Type.Boolean({ default: false, description: 'Do not verify the server certificate.' }),
    ca_file: Type.Optional(Type.String({ description: 'CA certificate (PEM) the server certificate must chain to; default: the system roots.' })),
    ca_pem: Type.Optional(Type.String({ description: 'The CA certificate itself (PEM), instead of ca_file.' })),
    cert_file: Type.Optional(Type.String({ description: 'Client certificate (PEM), with key_file.' })),
    cert_pem: Type.Optional(Type.String({ description: 'The client certificate itself (PEM), instead of cert_file.' })),
    key_file: Type.Optional(Type.String({ description: 'Private key (PEM) of cert_file.' })),
    key_pem: Type.Optional(Type.String({ description: 'The private key itself (PEM), instead of key_file.' })),
    include_system_ca_certs_pool: Type.Optional(Type.Boolean({ description: 'With a CA set: trust the system roots too.' })),
    server_name_override: Type.Optional(Type.String({ description: 'Server name expected in the certificate, instead of the endpoint host.' })),
    min_version: Type.Optional(NoEffect(Type.String(), TLS_NOT_IN_NODE)),
    max_version: Type.Optional(NoEffect(Type.String(), TLS_NOT_IN_NODE)),
    cipher_suites: Type.Optional(NoEffect(Type.Array(Type.String()), TLS_NOT_IN_NODE)),
    include_insecure_cipher_suites: Type.Optional(NoEffect(Type.Boolean(), TLS_NOT_IN_NODE)),
    curve_preferences: Type.Optional(NoEffect(Type.Array(Type.String()), TLS_NOT_IN_NODE)),
    reload_interval: Type.Optional(NoEffect(Duration('0s'), TLS_NOT_IN_NODE)),
    tpm: Type.Optional(NoEffect(Type.Record(Type.String(), Type.Unknown()), 'keys are read from files or PEM, not from a TPM.')),
  },
  { additionalProperties: false, description: 'TLS towards the destination.' },
);

/**
 * Headers as the collector writes them: a map, or (configopaque.MapList) a
 * list of `{name, value}`. headerMap() gives the map either way.
 */
export const HeadersSchema = (description: string) =>
  Type.Union(
    [
      Type.Record(Type.String(), Type.String()),
      Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), value: Type.String() }, { additionalProperties: false })),
    ],
    { description },
  );

export function headerMap(h: Record<string, string> | ReadonlyArray<{ name: string; value: string }> | undefined): Record<string, string> {
  if (!h) return {};
  if (Array.isArray(h)) return Object.fromEntries(h.map((p) => [p.name, p.value]));
  return h as Record<string, string>;
}

export const TlsServerSchema = Type.Object(
  {
    cert_file: Type.String({ description: 'Server certificate (PEM); with key_file, the listener serves TLS.' }),
    key_file: Type.String({ description: 'Private key (PEM) of cert_file.' }),
    ca_file: Type.Optional(Type.String({ description: 'Accepted for collector configs; client certificates are checked against client_ca_file.' })),
    client_ca_file: Type.Optional(Type.String({ description: 'CA certificate (PEM) client certificates must chain to; set, every client must present one (otlp receiver).' })),
  },
  { additionalProperties: false, description: 'Serve TLS.' },
);
