import type { ComponentKind, Factory } from './component/factory.js';
import { healthCheckFactory } from './extensions/health_check/factory.js';

/**
 * Every component type the gateway knows. Add a factory here and it is
 * configurable, listed by `tollgate components`, covered by the shared
 * lifecycle test and described in the shipped JSON Schema.
 */
export const FACTORIES: readonly Factory[] = [
  // receivers
  // processors
  // exporters
  // connectors
  // extensions
  healthCheckFactory,
];

export function factoriesByKind(list: readonly Factory[] = FACTORIES): Map<ComponentKind, Map<string, Factory>> {
  const out = new Map<ComponentKind, Map<string, Factory>>();
  for (const f of list) {
    let m = out.get(f.kind);
    if (!m) out.set(f.kind, (m = new Map()));
    if (m.has(f.type)) throw new Error(`duplicate ${f.kind} type "${f.type}"`);
    m.set(f.type, f);
  }
  return out;
}
