import type { ComponentKind, Factory } from '../component/factory.js';
import type { RawConfig } from './load.js';
import { noEffectSettings, type NoEffectSetting } from './noeffect.js';
import { ServiceSchema } from './service.js';
import { SECTIONS, typeOf, validateAgainst, validateConfig } from './validate.js';

/**
 * What Tollgate makes of a collector config, for a user about to switch
 * (`tollgate validate --collector-compat`): the components it implements
 * (under the collector's name or an alias), the settings it accepts with no
 * effect, the components it does not have, and any other problem.
 */
export interface CompatReport {
  /** `exporters.otlp_grpc/x (Tollgate type otlp)`. */
  implemented: string[];
  noEffect: NoEffectSetting[];
  /** `processors.transform: no processor "transform" in Tollgate`. */
  missing: string[];
  /** What Tollgate refuses beyond missing components (`path: problem`). */
  problems: string[];
}

export function collectorCompat(raw: RawConfig, factories: ReadonlyMap<ComponentKind, ReadonlyMap<string, Factory>>): CompatReport {
  const r: CompatReport = { implemented: [], noEffect: [], missing: [], problems: [] };
  const trimmed: RawConfig = structuredClone(raw);
  for (const [section, kind] of SECTIONS) {
    const sec = raw[section];
    if (!sec || typeof sec !== 'object') continue;
    for (const [id, cfg] of Object.entries(sec as Record<string, unknown>)) {
      const type = typeOf(id);
      const f = factories.get(kind)?.get(type);
      const path = `${section}.${id}`;
      if (!f) {
        r.missing.push(`${path}: no ${kind} "${type}" in Tollgate`);
        delete (trimmed[section] as Record<string, unknown>)[id];
        continue;
      }
      r.implemented.push(type === f.type ? path : `${path} (Tollgate's ${f.type})`);
      const written = structuredClone(cfg ?? {});
      if (validateAgainst(f.schema, structuredClone(cfg ?? {}), path).filter((e) => e).length === 0)
        r.noEffect.push(...noEffectSettings(f.schema, written, path));
    }
  }
  // Pipelines of a signal Tollgate lacks (profiles), and references to missing components, are dropped
  // from the copy that is validated, so the problems list only what is left to fix.
  const svc = trimmed.service as { pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> } | undefined;
  const gone = new Set(r.missing.map((m) => m.slice(m.indexOf('.') + 1, m.indexOf(':'))));
  for (const [pid, p] of Object.entries(svc?.pipelines ?? {})) {
    if (!/^(traces|metrics|logs)(\/.+)?$/.test(pid)) {
      r.missing.push(`service.pipelines.${pid}: Tollgate has no ${typeOf(pid)} signal`);
      delete svc?.pipelines?.[pid];
      continue;
    }
    for (const k of ['receivers', 'processors', 'exporters'] as const) if (p[k]) p[k] = p[k].filter((c) => !gone.has(c));
  }
  const { problems, config } = validateConfig(trimmed, factories);
  r.problems = problems;
  if (config) r.noEffect = config.noEffect;
  else if (raw.service) {
    const written = structuredClone(raw.service);
    if (validateAgainst(ServiceSchema, structuredClone(raw.service), 'service').filter((e) => e).length === 0)
      r.noEffect.push(...noEffectSettings(ServiceSchema, written, 'service'));
  }
  return r;
}

/** The report as text, section by section. */
export function formatCompat(r: CompatReport): string {
  const sec = (title: string, lines: string[]) => `${title}:\n${lines.length ? lines.map((l) => `  ${l}`).join('\n') : '  (none)'}\n`;
  return [
    sec('implemented', r.implemented),
    sec(
      'accepted with no effect',
      r.noEffect.map((s) => `${s.path}: ${s.why}`),
    ),
    sec('not in Tollgate', r.missing),
    sec('refused', r.problems),
  ].join('');
}
