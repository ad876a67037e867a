import { createHash } from 'node:crypto';
import type { AuthResult, ClientAuthenticator, ServerAuthenticator } from '../../component/auth.js';
import type { Component } from '../../component/component.js';
import type { CreateSettings } from '../../component/factory.js';
import { WatchedFile } from '../../util/watchedfile.js';
import type { BasicAuthConfig } from './config.js';
import { parseHtpasswd, verify } from './htpasswd.js';

/** How long a verified `Authorization` value is trusted without hashing again (bcrypt costs milliseconds). */
const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;

/**
 * The `basicauth` extension (the collector's keys): server side, credentials
 * are checked against htpasswd; client side, client_auth is sent. Verified
 * header values are remembered for a minute by their digest (never the
 * password), and forgotten when the htpasswd content changes.
 */
export class BasicAuth implements Component, ServerAuthenticator, ClientAuthenticator {
  private users = new Map<string, string>();
  private fileUsers = new Map<string, string>();
  private readonly verified = new Map<string, { user: string; until: number }>();
  private file: WatchedFile | undefined;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: BasicAuthConfig,
  ) {
    this.merge();
  }

  private merge(): void {
    this.users = new Map([...this.fileUsers, ...parseHtpasswd(this.cfg.htpasswd?.inline ?? '')]);
    this.verified.clear();
  }

  async start(): Promise<void> {
    const path = this.cfg.htpasswd?.file;
    if (!path || this.file) return;
    this.file = new WatchedFile(
      path,
      (text) => {
        this.fileUsers = parseHtpasswd(text);
        this.merge();
        this.set.logger.info({ file: path, users: this.fileUsers.size }, 'htpasswd read');
      },
      (err) => this.set.logger.error({ err, file: path }, 'cannot read the htpasswd file; the users read before stay in force'),
    );
    try {
      this.file.start();
    } catch (err) {
      throw new Error(`extensions.${this.set.id}.htpasswd.file: cannot read ${path}: ${(err as Error).message}`);
    }
  }

  async shutdown(): Promise<void> {
    this.file?.stop();
    this.file = undefined;
  }

  async authenticate(header: (name: string) => string | undefined): Promise<AuthResult> {
    const v = header('authorization')?.trim();
    if (!v || v.length < 6 || v.slice(0, 6).toLowerCase() !== 'basic ') return { ok: false };
    const key = createHash('sha256').update(v).digest('base64');
    const now = Date.now();
    let user = this.verified.get(key);
    if (!user || user.until < now) {
      const decoded = Buffer.from(v.slice(6).trim(), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) return { ok: false };
      const name = decoded.slice(0, i);
      const hash = this.users.get(name);
      if (hash === undefined || !(await verify(decoded.slice(i + 1), hash))) return { ok: false };
      if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
      user = { user: name, until: now + VERIFIED_TTL_MS };
      this.verified.set(key, user);
    }
    const tenant = this.cfg.tenants?.[user.user];
    return tenant === undefined ? { ok: true } : { ok: true, tenant };
  }

  clientHeaders(): Record<string, string> {
    const c = this.cfg.client_auth;
    if (!c) return {};
    return { Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
  }
}
