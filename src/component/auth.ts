// Authenticator extensions, the collector's way: a receiver or exporter names
// one in `auth: {authenticator: <extension id>}`, and finds it on the host at
// start. A server authenticator checks an incoming request's headers (gRPC
// metadata) and may name the tenant its credentials belong to; a client
// authenticator gives the headers an exporter sends.
import { Type } from '@sinclair/typebox';
import type { Component } from './component.js';
import type { Host } from './host.js';

/** The outcome of checking a request's credentials. Failures carry no detail: clients learn nothing. */
export type AuthResult = { readonly ok: true; readonly tenant?: string } | { readonly ok: false };

export interface ServerAuthenticator {
  /** `header(name)`: the first value of a request header (lower-case name), or undefined. */
  authenticate(header: (name: string) => string | undefined): Promise<AuthResult>;
}

export interface ClientAuthenticator {
  /** Headers (gRPC metadata) to send with every request. */
  clientHeaders(): Record<string, string>;
}

export function isServerAuthenticator(c: unknown): c is ServerAuthenticator {
  return typeof (c as ServerAuthenticator | undefined)?.authenticate === 'function';
}

export function isClientAuthenticator(c: unknown): c is ClientAuthenticator {
  return typeof (c as ClientAuthenticator | undefined)?.clientHeaders === 'function';
}

/** The `auth` section of a receiver or exporter (the collector's configauth keys). */
export const AuthSchema = Type.Object(
  {
    authenticator: Type.String({
      minLength: 1,
      description: 'ID of the authenticator extension (`bearertokenauth`, `basicauth`), configured under extensions and listed in service.extensions.',
    }),
  },
  { additionalProperties: false, description: 'Authentication with an authenticator extension.' },
);

export interface AuthConfig {
  authenticator: string;
}

/** The server authenticator `auth` names; throws naming what is wrong (at start). */
export function serverAuthenticator(host: Host, auth: AuthConfig | undefined, where: string): ServerAuthenticator | undefined {
  if (!auth) return undefined;
  const ext: Component | undefined = host.extension?.(auth.authenticator);
  if (!ext)
    throw new Error(
      `${where}.auth.authenticator: extension "${auth.authenticator}" is not running (configure it under extensions and list it in service.extensions)`,
    );
  if (!isServerAuthenticator(ext)) throw new Error(`${where}.auth.authenticator: extension "${auth.authenticator}" cannot authenticate incoming requests`);
  return ext;
}

/** The client authenticator `auth` names; throws naming what is wrong (at start). */
export function clientAuthenticator(host: Host, auth: AuthConfig | undefined, where: string): ClientAuthenticator | undefined {
  if (!auth) return undefined;
  const ext: Component | undefined = host.extension?.(auth.authenticator);
  if (!ext)
    throw new Error(
      `${where}.auth.authenticator: extension "${auth.authenticator}" is not running (configure it under extensions and list it in service.extensions)`,
    );
  if (!isClientAuthenticator(ext))
    throw new Error(`${where}.auth.authenticator: extension "${auth.authenticator}" has no client credentials (basicauth needs client_auth)`);
  return ext;
}
