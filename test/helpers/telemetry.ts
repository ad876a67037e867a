import type { CreateSettings, ComponentKind } from '../../src/component/factory.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../src/telemetry/selftelemetry.js';

/** CreateSettings for constructing one component directly, with its own telemetry registry. */
export function testSettings(id: string, kind: ComponentKind = 'exporter', telemetry = new SelfTelemetry({ processMetrics: false })): CreateSettings {
  return { id, kind, logger: silentLogger(), telemetry };
}

/** Value of a counter or gauge with exactly these labels (0 when never set). */
export async function metricValue(t: SelfTelemetry, name: string, labels: Record<string, string>): Promise<number> {
  const m = t.registry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  const want = Object.entries(labels);
  for (const v of values) {
    const l = v.labels as Record<string, string | number>;
    if (Object.keys(l).length === want.length && want.every(([k, x]) => String(l[k]) === x)) return v.value;
  }
  return 0;
}
