import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { ComponentKind, ConnectorRoute, Factory } from '../component/factory.js';
import { connectorRoute } from '../component/factory.js';
import { SIGNALS, type Signal } from '../component/signal.js';
import { ServiceSchema, type ServiceConfig } from './service.js';
import type { RawConfig } from './load.js';
import { validateTelemetry } from './telemetry.js';
import { resolveStorageRefs } from '../exporterhelper/storageref.js';
import { noEffectSettings, type NoEffectSetting } from './noeffect.js';

export const SECTIONS: ReadonlyArray<[string, ComponentKind]> = [
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['exporters', 'exporter'],
  ['connectors', 'connector'],
  ['extensions', 'extension'],
];

/** A configured component: its factory (told apart by `factory.kind`) and its config, valid against `factory.schema`. */
export interface ComponentConfig {
  id: string;
  type: string;
  kind: ComponentKind;
  factory: Factory;
  config: unknown;
}

/** Whether a receiver, processor or exporter factory has a constructor for `signal`. */
function supports(f: Factory, signal: Signal): boolean {
  switch (f.kind) {
    case 'receiver':
    case 'processor':
    case 'exporter':
      return f.create[signal] !== undefined;
    default:
      return false;
  }
}

/** The routes a connector factory has constructors for. */
function routesOf(f: Factory): ConnectorRoute[] {
  if (f.kind !== 'connector') return [];
  const out: ConnectorRoute[] = [];
  for (const from of SIGNALS) for (const to of SIGNALS) if (f.create[connectorRoute(from, to)]) out.push(connectorRoute(from, to));
  return out;
}

export interface PipelineSpec {
  id: string;
  signal: Signal;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export interface ValidConfig {
  components: Map<string, ComponentConfig>; // key: `${section}:${id}`
  service: ServiceConfig;
  pipelines: PipelineSpec[];
  /** Collector settings the config sets that Tollgate accepts with no effect (reported at start). */
  noEffect: NoEffectSetting[];
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

function compile(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

export function componentKey(section: string, id: string): string {
  return `${section}:${id}`;
}

export function typeOf(id: string): string {
  const i = id.indexOf('/');
  return i < 0 ? id : id.slice(0, i);
}

/** Validates a config against its schema, filling defaults in place; returns `path: problem` lines. */
export function validateAgainst(schema: TSchema, value: unknown, path: string): string[] {
  const v = compile(schema);
  if (v(value)) return [];
  return (v.errors ?? []).map((e) => formatAjvError(e, path));
}

function formatAjvError(e: ErrorObject, base: string): string {
  const segs = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const at = [base, ...segs].filter((s) => s !== '').join('.');
  const parent = e.parentSchema as Record<string, any> | undefined;
  switch (e.keyword) {
    case 'required':
      return `${join(at, e.params.missingProperty)}: required`;
    case 'additionalProperties': {
      if (parent?.['x-key-error']) return `${join(at, e.params.additionalProperty)}: ${parent['x-key-error']}`;
      const known = Object.keys(parent?.properties ?? {});
      return `${join(at, e.params.additionalProperty)}: unknown key${known.length ? ` (known: ${known.join(', ')})` : ''}`;
    }
    case 'pattern':
      if (parent?.['x-kind'] === 'duration') return `${at}: must be a duration such as "200ms", "5s" or "1m"`;
      return `${at}: must match ${e.params.pattern}`;
    case 'enum':
      return `${at}: must be one of ${choices(e.params.allowedValues as unknown[])}`;
    case 'type':
      return `${at}: must be ${e.params.type}`;
    case 'anyOf': {
      const lits = (parent?.anyOf ?? []).map((s: any) => s.const).filter((c: unknown) => c !== undefined);
      if (lits.length) return `${at}: must be one of ${choices(lits)}`;
      return `${at}: ${e.message ?? 'is invalid'}`;
    }
    case 'const':
      return ''; // reported by the enclosing anyOf
    default:
      return `${at}: ${e.message ?? 'is invalid'}`;
  }
}

/** Allowed values for a message: the empty string is shown as "" so it is not lost in the list. */
function choices(values: readonly unknown[]): string {
  return values.map((v) => (v === '' ? '""' : String(v))).join(', ');
}

function join(a: string, b: string): string {
  return a ? `${a}.${b}` : b;
}

/**
 * Validates a whole config: every problem is reported with its path, unknown
 * keys and component types are errors (listing what is known), pipelines may
 * reference only configured components that support their signal.
 */
export function validateConfig(raw: RawConfig, factories: ReadonlyMap<ComponentKind, ReadonlyMap<string, Factory>>): {
  config?: ValidConfig;
  problems: string[];
} {
  const problems: string[] = [];
  const noEffect: NoEffectSetting[] = [];
  const components = new Map<string, ComponentConfig>();
  const known = new Set([...SECTIONS.map(([s]) => s), 'service']);
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`${k}: unknown key (known: ${[...known].join(', ')})`);

  for (const [section, kind] of SECTIONS) {
    const sec = raw[section];
    if (sec === undefined || sec === null) continue;
    if (typeof sec !== 'object' || Array.isArray(sec)) {
      problems.push(`${section}: must be a map of component IDs to configs`);
      continue;
    }
    const byType = factories.get(kind) ?? new Map();
    for (const [id, cfgIn] of Object.entries(sec as Record<string, unknown>)) {
      const path = `${section}.${id}`;
      if (!/^[A-Za-z][A-Za-z0-9_]*(\/[^/\s]+)?$/.test(id)) {
        problems.push(`${path}: invalid component ID (expected type[/name])`);
        continue;
      }
      const type = typeOf(id);
      const factory = byType.get(type);
      if (!factory) {
        problems.push(`${path}: unknown ${kind} type "${type}" (known: ${[...byType.keys()].sort().join(', ')})`);
        continue;
      }
      const cfg = cfgIn === null || cfgIn === undefined ? {} : cfgIn;
      const written = structuredClone(cfg); // as the user wrote it: validation fills defaults in place
      const errs = validateAgainst(factory.schema, cfg, path).filter((e) => e !== '');
      // Valid against the schema, the config is the factory's config type: validate may read it as such.
      if (errs.length === 0 && factory.validate) errs.push(...factory.validate(cfg).map((e: string) => `${path}.${e}`));
      problems.push(...errs);
      if (errs.length === 0) noEffect.push(...noEffectSettings(factory.schema, written, path));
      components.set(componentKey(section, id), { id, type, kind, factory, config: cfg });
    }
  }

  const svcRaw = raw.service ?? {};
  if (raw.service === undefined) problems.push('service: required');
  const svcWritten = structuredClone(svcRaw);
  const svcErrs = validateAgainst(ServiceSchema, svcRaw, 'service').filter((e) => e !== '');
  problems.push(...svcErrs);
  if (svcErrs.length === 0) noEffect.push(...noEffectSettings(ServiceSchema, svcWritten, 'service'));
  const service = svcRaw as ServiceConfig;
  const pipelines: PipelineSpec[] = [];
  if (svcErrs.length === 0) {
    problems.push(...validateTelemetry(service.telemetry));
    for (const ext of service.extensions) {
      if (!components.has(componentKey('extensions', ext))) problems.push(`service.extensions: "${ext}" is not configured under extensions`);
    }
    if (Object.keys(service.pipelines).length === 0) problems.push('service.pipelines: at least one pipeline is required');
    for (const [pid, p] of Object.entries(service.pipelines)) {
      const signal = typeOf(pid) as Signal;
      const path = `service.pipelines.${pid}`;
      for (const r of p.receivers) {
        const rc = components.get(componentKey('receivers', r));
        const cc = components.get(componentKey('connectors', r));
        if (rc) {
          if (!supports(rc.factory, signal)) problems.push(`${path}.receivers: "${r}" does not support ${signal}`);
        } else if (cc) {
          const routes = routesOf(cc.factory).filter((k) => k.endsWith(`_to_${signal}`));
          if (routes.length === 0) problems.push(`${path}.receivers: connector "${r}" cannot emit ${signal}`);
        } else problems.push(`${path}.receivers: "${r}" is not configured under receivers or connectors`);
      }
      for (const pr of p.processors) {
        const c = components.get(componentKey('processors', pr));
        if (!c) problems.push(`${path}.processors: "${pr}" is not configured under processors`);
        else if (!supports(c.factory, signal)) problems.push(`${path}.processors: "${pr}" does not support ${signal}`);
      }
      if (new Set(p.processors).size !== p.processors.length) problems.push(`${path}.processors: a processor is listed twice`);
      for (const e of p.exporters) {
        const ec = components.get(componentKey('exporters', e));
        const cc = components.get(componentKey('connectors', e));
        if (ec) {
          if (!supports(ec.factory, signal)) problems.push(`${path}.exporters: "${e}" does not support ${signal}`);
        } else if (cc) {
          const routes = routesOf(cc.factory).filter((k) => k.startsWith(`${signal}_to_`));
          if (routes.length === 0) problems.push(`${path}.exporters: connector "${e}" cannot consume ${signal}`);
        } else problems.push(`${path}.exporters: "${e}" is not configured under exporters or connectors`);
      }
      pipelines.push({ id: pid, signal, receivers: p.receivers, processors: p.processors, exporters: p.exporters });
    }
    problems.push(...resolveStorageRefs(components, service.extensions));
    // Every `auth.authenticator` names an authenticator extension that runs.
    for (const c of components.values()) {
      if (c.kind !== 'receiver' && c.kind !== 'exporter') continue;
      const section = c.kind === 'receiver' ? 'receivers' : 'exporters';
      for (const [at, id] of authenticators(c.config, `${section}.${c.id}`)) {
        const ext = components.get(componentKey('extensions', id));
        if (!ext) problems.push(`${at}.auth.authenticator: "${id}" is not configured under extensions`);
        else if (!AUTH_TYPES.has(ext.type)) problems.push(`${at}.auth.authenticator: "${id}" is not an authenticator (known: ${[...AUTH_TYPES].join(', ')})`);
        else if (!service.extensions.includes(id)) problems.push(`${at}.auth.authenticator: "${id}" is not listed in service.extensions`);
      }
    }
    // A connector must be used on both sides, over a route it supports.
    for (const c of components.values()) {
      if (c.kind !== 'connector') continue;
      const asExp = pipelines.filter((p) => p.exporters.includes(c.id));
      const asRec = pipelines.filter((p) => p.receivers.includes(c.id));
      if (asExp.length === 0 && asRec.length === 0) continue;
      if (asExp.length === 0 || asRec.length === 0) {
        problems.push(`connectors.${c.id}: must be used as an exporter in one pipeline and as a receiver in another`);
        continue;
      }
      const routes = routesOf(c.factory);
      const ok = asExp.some((a) => asRec.some((b) => routes.includes(connectorRoute(a.signal, b.signal))));
      if (!ok) problems.push(`connectors.${c.id}: no supported route between its pipelines`);
    }
  }
  const dedup = [...new Set(problems)];
  if (dedup.length) return { problems: dedup };
  return { config: { components, service, pipelines, noEffect }, problems: [] };
}

export { SIGNALS };

/** Extension types that authenticate. */
const AUTH_TYPES = new Set(['bearertokenauth', 'basicauth']);

/** [path, extension id] of every `auth: {authenticator}` in a component config. */
function authenticators(v: unknown, path: string): Array<[string, string]> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  const out: Array<[string, string]> = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'auth' && x && typeof x === 'object' && typeof (x as { authenticator?: unknown }).authenticator === 'string') {
      out.push([path, (x as { authenticator: string }).authenticator]);
    } else out.push(...authenticators(x, `${path}.${k}`));
  }
  return out;
}
