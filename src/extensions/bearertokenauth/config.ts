import { Type, type Static } from '@sinclair/typebox';

export const BearerTokenAuthSchema = Type.Object(
  {
    scheme: Type.String({ default: 'Bearer', description: 'Auth scheme before the token in the header value ("" sends and expects the bare token).' }),
    header: Type.String({ default: 'Authorization', minLength: 1, description: 'Header (gRPC metadata key) carrying the token.' }),
    token: Type.Optional(Type.String({ minLength: 1, description: 'The token (ignored when filename is set).' })),
    tokens: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'Several accepted tokens; a client sends the first (ignored when filename is set).' }),
    ),
    filename: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'File with the tokens, one per line; read again whenever it changes, without a restart. Tollgate: a line may be `<token> <tenant>` to name the tenant that token writes as.',
      }),
    ),
    tenants: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 })), {
        description:
          "Tollgate key: tenant → the inline tokens that write as it. A request with such a token is that tenant's, whatever tenant header it sends (a different one is refused with 403).",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Authenticator extension: bearer tokens checked on receivers (`auth`) and sent by exporters, with a tenant per token; token files re-read on change.',
  },
);
export type BearerTokenAuthConfig = Static<typeof BearerTokenAuthSchema>;

export function validateBearerTokenAuth(c: BearerTokenAuthConfig): string[] {
  const out: string[] = [];
  if (!c.token && !(c.tokens && c.tokens.length > 0) && !c.filename) out.push('token: one of token, tokens and filename is required');
  const known = new Set([...(c.token ? [c.token] : []), ...(c.tokens ?? [])]);
  for (const [tenant, toks] of Object.entries(c.tenants ?? {})) {
    for (const t of toks) if (!known.has(t)) out.push(`tenants.${tenant}: names a token that is not in token or tokens`);
  }
  return out;
}
