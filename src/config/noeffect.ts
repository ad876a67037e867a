import type { TSchema } from '@sinclair/typebox';

/**
 * Collector settings Tollgate accepts so a collector config runs unchanged,
 * but that change nothing here (a Go runtime knob, a feature Node.js lacks).
 * They are marked in the component schemas, never silently ignored: each one
 * a config sets is reported once at start (info) and by
 * `tollgate validate --collector-compat`, and the reference pages say so.
 */

/** Schema keyword: why setting this key has no effect. */
export const NO_EFFECT = 'x-no-effect';
/** Schema keyword: values of this key that have no effect, each with why. */
export const NO_EFFECT_VALUES = 'x-no-effect-values';

/** Marks a key as accepted with no effect; the reason lands in its description too. */
export function NoEffect<T extends TSchema>(schema: T, why: string): T {
  const desc = schema.description ? `${schema.description} ` : '';
  return { ...schema, description: `${desc}No effect in Tollgate: ${why}`, [NO_EFFECT]: why } as T;
}

/** Marks some values of a key as accepted with no effect. */
export function NoEffectValues<T extends TSchema>(schema: T, values: Record<string, string>): T {
  return { ...schema, [NO_EFFECT_VALUES]: values } as T;
}

export interface NoEffectSetting {
  /** Dotted path from the config root: `exporters.otlp.balancer_name`. */
  readonly path: string;
  readonly why: string;
}

interface Node {
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  items?: Node;
  anyOf?: Node[];
  [NO_EFFECT]?: string;
  [NO_EFFECT_VALUES]?: Record<string, string>;
}

/**
 * Settings in `value` (a validated config section at `path`) that the schema
 * marks as having no effect, in document order. Absent keys are not reported:
 * defaults filled in by validation are not the user's settings, so call this
 * with the config as written (a copy taken before defaults are filled).
 */
export function noEffectSettings(schema: unknown, value: unknown, path: string): NoEffectSetting[] {
  const out: NoEffectSetting[] = [];
  walk(schema as Node, value, path, out);
  return out;
}

function walk(node: Node | undefined, value: unknown, path: string, out: NoEffectSetting[]): void {
  if (!node || value === undefined) return;
  const why = node[NO_EFFECT];
  if (why !== undefined) {
    out.push({ path, why });
    return;
  }
  const byValue = node[NO_EFFECT_VALUES];
  if (byValue && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
    const w = byValue[String(value)];
    if (w !== undefined) out.push({ path: `${path}: ${JSON.stringify(value)}`, why: w });
  }
  if (Array.isArray(value)) {
    const items = node.items ?? node.anyOf?.find((n) => n.items)?.items;
    value.forEach((v, i) => walk(items, v, `${path}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== 'object') {
    // A scalar that matched one member of a union (e.g. a storage ID string).
    for (const n of node.anyOf ?? []) if (n[NO_EFFECT_VALUES] || n[NO_EFFECT]) walk(n, value, path, out);
    return;
  }
  const obj = node.properties ? node : node.anyOf?.find((n) => n.properties || n.patternProperties);
  if (!obj) return;
  const mapValue = obj.patternProperties
    ? Object.values(obj.patternProperties)[0]
    : typeof obj.additionalProperties === 'object'
      ? obj.additionalProperties
      : undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    walk(obj.properties?.[k] ?? mapValue, v, path ? `${path}.${k}` : k, out);
  }
}
