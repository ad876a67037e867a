import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { validateAgainst } from '../../src/config/validate.js';

/**
 * `raw` after schema validation (defaults filled in place), typed as the
 * schema's config: what the framework hands a factory's `validate` and
 * constructors. Fails the test when the schema refuses it.
 */
export function validConfig<C>(schema: TSchema & { static: C }, raw: unknown, path = 'component'): C {
  assert.deepEqual(validateAgainst(schema, raw, path), [], `${path}: schema-valid config`);
  return raw as C;
}
