import { Type, type Static } from '@sinclair/typebox';

export const BasicAuthSchema = Type.Object(
  {
    htpasswd: Type.Optional(
      Type.Object(
        {
          file: Type.Optional(
            Type.String({ minLength: 1, description: 'htpasswd file (bcrypt, $apr1$ MD5, {SHA}, {SSHA} or plain); read again whenever it changes.' }),
          ),
          inline: Type.Optional(Type.String({ description: 'htpasswd content inline (`user:password-or-hash` lines); wins over the file for the same user.' })),
        },
        { additionalProperties: false, description: 'Credentials accepted on receivers (server side).' },
      ),
    ),
    client_auth: Type.Optional(
      Type.Object(
        {
          username: Type.String({ minLength: 1, description: 'User an exporter sends.' }),
          password: Type.String({ description: 'Password an exporter sends.' }),
        },
        { additionalProperties: false, description: 'Credentials sent by exporters (client side).' },
      ),
    ),
    tenants: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
        description: "Tollgate key: user → the tenant that user writes as (server side). Users not listed carry no tenant (the receiver's default).",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Authenticator extension: HTTP Basic credentials from htpasswd (receivers) or client_auth (exporters), with a tenant per user.',
  },
);
export type BasicAuthConfig = Static<typeof BasicAuthSchema>;

export function validateBasicAuth(c: BasicAuthConfig): string[] {
  const server = c.htpasswd !== undefined && (c.htpasswd.file !== undefined || (c.htpasswd.inline ?? '') !== '');
  if (server && c.client_auth) return ['htpasswd: either htpasswd (server) or client_auth (client), not both'];
  if (!server && !c.client_auth) return ['htpasswd: one of htpasswd.file, htpasswd.inline and client_auth is required'];
  return [];
}
