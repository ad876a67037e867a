import { createHash } from 'node:crypto';
import type { AuthResult, ClientAuthenticator, ServerAuthenticator } from '../../component/auth.js';
import type { Component } from '../../component/component.js';
import type { CreateSettings } from '../../component/factory.js';
import { WatchedFile } from '../../util/watchedfile.js';
import type { BearerTokenAuthConfig } from './config.js';

const digest = (s: string) => createHash('sha256').update(s).digest('base64');

interface Token {
  token: string;
  tenant: string | undefined;
}

/** Parses a token file: one token per line, optionally followed by its tenant. */
export function parseTokenFile(text: string): Token[] {
  const out: Token[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [token, tenant] = line.split(/\s+/);
    if (token) out.push({ token, tenant });
  }
  return out;
}

/**
 * The `bearertokenauth` extension (the collector's keys). Incoming: the
 * header must be `<scheme> <token>` for one of the tokens; the lookup is by a
 * SHA-256 digest of the presented value, so its time does not depend on how
 * much of a token matched. Outgoing: the first token.
 */
export class BearerTokenAuth implements Component, ServerAuthenticator, ClientAuthenticator {
  private expected = new Map<string, string | undefined>();
  private first = '';
  private readonly header: string;
  private file: WatchedFile | undefined;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: BearerTokenAuthConfig,
  ) {
    this.header = cfg.header.toLowerCase();
    if (!cfg.filename) {
      const tenantOf = new Map<string, string>();
      for (const [tenant, toks] of Object.entries(cfg.tenants ?? {})) for (const t of toks) tenantOf.set(t, tenant);
      this.load([...(cfg.token ? [cfg.token] : []), ...(cfg.tokens ?? [])].map((token) => ({ token, tenant: tenantOf.get(token) })));
    }
  }

  private value(token: string): string {
    return this.cfg.scheme ? `${this.cfg.scheme} ${token}` : token;
  }

  private load(tokens: Token[]): void {
    const m = new Map<string, string | undefined>();
    for (const t of tokens) m.set(digest(this.value(t.token)), t.tenant);
    this.expected = m;
    this.first = tokens[0] ? this.value(tokens[0].token) : '';
  }

  async start(): Promise<void> {
    if (!this.cfg.filename || this.file) return;
    this.file = new WatchedFile(
      this.cfg.filename,
      (text) => {
        const tokens = parseTokenFile(text);
        this.load(tokens);
        this.set.logger.info({ filename: this.cfg.filename, tokens: tokens.length }, 'bearer tokens read');
      },
      (err) => this.set.logger.error({ err, filename: this.cfg.filename }, 'cannot read the token file; the tokens read before stay in force'),
    );
    try {
      this.file.start();
    } catch (err) {
      throw new Error(`extensions.${this.set.id}.filename: cannot read ${this.cfg.filename}: ${(err as Error).message}`);
    }
  }

  async shutdown(): Promise<void> {
    this.file?.stop();
    this.file = undefined;
  }

  async authenticate(header: (name: string) => string | undefined): Promise<AuthResult> {
    const v = header(this.header);
    if (v === undefined) return { ok: false };
    const key = digest(v.trim());
    if (!this.expected.has(key)) return { ok: false };
    const tenant = this.expected.get(key);
    return tenant === undefined ? { ok: true } : { ok: true, tenant };
  }

  clientHeaders(): Record<string, string> {
    return this.first ? { [this.cfg.header]: this.first } : {};
  }
}
