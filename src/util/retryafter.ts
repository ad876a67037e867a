/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable. Node gives a repeated header as a list;
 * the first value counts.
 */
export function parseRetryAfter(v: string | readonly string[] | null | undefined, now = Date.now()): number | undefined {
  const s = (typeof v === 'string' ? v : v?.[0])?.trim();
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
