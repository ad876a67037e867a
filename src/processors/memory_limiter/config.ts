import { Type, type Static } from '@sinclair/typebox';
import { Duration, parseDuration } from '../../config/types.js';

/** The OpenTelemetry Collector's memory_limiter keys (check_interval defaults to the recommended 1s). */
export const MemoryLimiterSchema = Type.Object(
  {
    check_interval: Duration(
      '1s',
      'How often memory is measured (the collector has no default; 1s is its recommendation); requests also measure it when the last reading is older than 100ms.',
    ),
    limit_mib: Type.Integer({ default: 0, minimum: 0, description: 'Hard limit, in MiB: the resident set size may not pass it (the last guard), and data is refused once reclaimable memory (V8 heap in use, Buffers, queued and in-flight request bytes) passes limit − spike. Takes precedence over limit_percentage. Neither set: 80% of the memory the process may use (the collector requires one of them).' }),
    spike_limit_mib: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'Headroom below the hard limit, in MiB: data is refused above limit − spike (the soft limit). Must be below limit_mib. 0: 20% of the limit.',
    }),
    limit_percentage: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 100,
      description: "Hard limit as a percentage of total memory: the machine's, or the cgroup limit (memory.max / memory.limit_in_bytes) when lower.",
    }),
    spike_limit_percentage: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 100,
      description: 'Headroom as a percentage of total memory. 0: 20% of the limit.',
    }),
    min_gc_interval_when_soft_limited: Duration('10s', 'Least time between forced GCs while above the soft limit (needs node --expose-gc).'),
    min_gc_interval_when_hard_limited: Duration('0s', 'Least time between forced GCs while above the hard limit (needs node --expose-gc).'),
  },
  {
    additionalProperties: false,
    description: 'Refuses data (retryable) while the process uses too much memory, so clients back off instead of the gateway being OOM-killed. Put it first in every pipeline.',
  },
);

export type MemoryLimiterConfig = Static<typeof MemoryLimiterSchema>;

export function validateMemoryLimiter(c: MemoryLimiterConfig): string[] {
  const out: string[] = [];
  if (parseDuration(c.check_interval) <= 0) out.push('check_interval: must be greater than zero');
  if (c.limit_mib > 0 && c.spike_limit_mib >= c.limit_mib) out.push('spike_limit_mib: must be smaller than limit_mib');
  if (c.limit_mib === 0 && c.limit_percentage > 0 && c.spike_limit_percentage >= c.limit_percentage) {
    out.push('spike_limit_percentage: must be smaller than limit_percentage');
  }
  if (parseDuration(c.min_gc_interval_when_soft_limited) < parseDuration(c.min_gc_interval_when_hard_limited)) {
    out.push('min_gc_interval_when_soft_limited: must be larger than or equal to min_gc_interval_when_hard_limited');
  }
  return out;
}
