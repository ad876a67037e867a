import type { ComponentKind, Factory } from '../component/factory.js';
import { ServiceSchema } from './service.js';
import { SECTIONS } from './validate.js';

/**
 * JSON Schema of the whole config, built from the same component schemas the
 * validator uses, so editors complete and check exactly what the gateway accepts.
 */
export function configJsonSchema(factories: ReadonlyMap<ComponentKind, ReadonlyMap<string, Factory>>): object {
  const properties: Record<string, unknown> = {};
  for (const [section, kind] of SECTIONS) {
    const patternProperties: Record<string, unknown> = {};
    for (const [type, f] of [...(factories.get(kind) ?? new Map<string, Factory>())].sort(([a], [b]) => a.localeCompare(b))) {
      patternProperties[`^${type}(/.+)?$`] = { anyOf: [{ type: 'null' }, strip(f.schema)] };
    }
    properties[section] = { type: 'object', additionalProperties: false, patternProperties };
  }
  properties.service = strip(ServiceSchema);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://tollgate.dev/schema/config.json',
    title: 'Tollgate configuration',
    type: 'object',
    additionalProperties: false,
    required: ['service'],
    properties,
  };
}

/**
 * Plain JSON (TypeBox keeps symbols on schema objects; JSON.stringify drops
 * them). A key with a default is not required of the user (the validator fills
 * it in), so it leaves `required` here; editors would otherwise demand it.
 */
function strip(s: unknown): unknown {
  return optionalDefaults(JSON.parse(JSON.stringify(s)));
}

function optionalDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(optionalDefaults);
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) o[k] = optionalDefaults(v);
  const props = o.properties as Record<string, { default?: unknown }> | undefined;
  if (Array.isArray(o.required) && props) {
    const req = (o.required as string[]).filter((k) => props[k]?.default === undefined);
    if (req.length) o.required = req;
    else delete o.required;
  }
  return o;
}
