import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsConfig } from './config.js';

/** Headers a browser may always send (CORS-safelisted), as the collector's CORS handler. */
const ALWAYS_ALLOWED = ['accept', 'accept-language', 'content-type', 'content-language'];
const PREFLIGHT_METHODS = new Set(['GET', 'POST', 'HEAD']);

/**
 * Cross-origin resource sharing for browser senders (OTLP/HTTP from web apps),
 * with the collector's `cors` semantics: wildcard origins, credentials allowed,
 * a preflight from a refused origin gets 204 without CORS headers.
 */
export class Cors {
  private readonly anyOrigin: boolean;
  private readonly origins: RegExp[];
  private readonly anyHeader: boolean;
  private readonly headers: Set<string>;
  private readonly exposed: string;
  private readonly maxAge: string;

  constructor(cfg: CorsConfig) {
    this.anyOrigin = cfg.allowed_origins.includes('*');
    this.origins = cfg.allowed_origins.map(
      (o) => new RegExp(`^${o.toLowerCase().split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`),
    );
    this.anyHeader = cfg.allowed_headers.includes('*');
    const extra = cfg.allowed_headers.length === 0 ? ['x-requested-with'] : cfg.allowed_headers.map((h) => h.toLowerCase());
    this.headers = new Set([...ALWAYS_ALLOWED, ...extra]);
    this.exposed = cfg.exposed_headers.join(', ');
    this.maxAge = cfg.max_age > 0 ? String(cfg.max_age) : '';
  }

  /** True when CORS is configured at all (the collector ignores a section without origins). */
  static enabled(cfg: CorsConfig | undefined): cfg is CorsConfig {
    return cfg !== undefined && cfg.allowed_origins.length > 0;
  }

  private originAllowed(origin: string): boolean {
    if (this.anyOrigin) return true;
    const o = origin.toLowerCase();
    return this.origins.some((re) => re.test(o));
  }

  /**
   * Adds CORS headers to `res`. Returns true when the request was a preflight
   * and has been answered; the caller then does nothing more.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) {
      res.setHeader('Vary', 'Origin');
      if (origin !== undefined && this.originAllowed(origin)) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        if (this.exposed) res.setHeader('Access-Control-Expose-Headers', this.exposed);
      }
      return false;
    }
    res.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const method = String(req.headers['access-control-request-method']).toUpperCase();
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== '');
    const ok =
      origin !== undefined &&
      this.originAllowed(origin) &&
      PREFLIGHT_METHODS.has(method) &&
      (this.anyHeader || requested.every((h) => this.headers.has(h)));
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', origin!);
      res.setHeader('Access-Control-Allow-Methods', method);
      if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (this.maxAge) res.setHeader('Access-Control-Max-Age', this.maxAge);
    }
    res.writeHead(204).end();
    return true;
  }
}
