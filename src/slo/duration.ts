// Prometheus durations ("5m", "1h30m", "3d", "30d"), as rule files and range selectors write them.
// The collector-style Duration of src/config/types.ts has no days or weeks, which SLO windows need.

/** The syntax Prometheus' model.ParseDuration accepts: units in descending order, each at most once. */
export const PROM_DURATION_PATTERN = '^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$';

const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const RE = new RegExp(PROM_DURATION_PATTERN);

/** Milliseconds of a Prometheus duration; throws on anything else (including "" and "0"-less forms). */
export function parsePromDuration(s: string): number {
  const m = RE.exec(s);
  if (!m || s === '') throw new Error(`invalid duration "${s}" (expected e.g. 5m, 1h, 3d)`);
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const n = m[2 + i * 2];
    if (n !== undefined) ms += Number(n) * UNITS[i]![1];
  }
  return ms;
}

/** The shortest Prometheus spelling of a whole number of milliseconds (`86400000` → `1d`, `5400000` → `1h30m`). */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  // Years and weeks are left out on purpose: "30d" reads better than "4w2d" in an SLO.
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
