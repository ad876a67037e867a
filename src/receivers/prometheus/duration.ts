// Prometheus durations ("1m30s", "15s", "500ms", "1d"), parsed and printed as
// Prometheus's model.Duration does: the printed form is what lands in the
// `__scrape_interval__` and `__scrape_timeout__` target labels.

const RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1] as const;

/** Milliseconds of a Prometheus duration; throws naming the bad value. */
export function parsePromDuration(s: string): number {
  if (s === '0') return 0;
  const m = RE.exec(s);
  if (!m || s === '') throw new Error(`not a valid duration string: "${s}"`);
  let ms = 0;
  for (let i = 0; i < UNITS_MS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * UNITS_MS[i]!;
  }
  return ms;
}

/** model.Duration.String(): largest units first, zero parts left out, "0s" for zero. */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const parts: Array<[number, string]> = [
    [365 * 86_400_000, 'y'],
    [7 * 86_400_000, 'w'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  for (const [unit, name] of parts) {
    if (rest >= unit) {
      const n = Math.floor(rest / unit);
      rest -= n * unit;
      out += `${n}${name}`;
    }
  }
  return out;
}

/** Prometheus body_size_limit: bytes as a number, or "10MB"/"512KiB" (base 2, as Prometheus reads it). */
export function parseByteSize(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/i.exec(v.trim());
  if (!m) throw new Error(`not a valid size: "${v}"`);
  const mult: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, tb: 1024 ** 4, tib: 1024 ** 4 };
  return Math.floor(Number(m[1]) * mult[(m[2] ?? 'b').toLowerCase()]!);
}
