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

/** Plain JSON (TypeBox keeps symbols on schema objects; JSON.stringify drops them). */
function strip(s: unknown): unknown {
  return JSON.parse(JSON.stringify(s));
}
