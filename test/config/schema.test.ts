import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { factoriesByKind } from '../../src/components.js';
import { configJsonSchema } from '../../src/config/schema.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const shipped = JSON.parse(readFileSync(join(repo, 'config', 'tollgate.schema.json'), 'utf8'));

test('the shipped JSON Schema is what the component schemas generate (run `npm run schema` after a change)', () => {
  assert.deepEqual(shipped, configJsonSchema(factoriesByKind()));
});

test('an editor using the shipped schema accepts the default config and flags an unknown key', () => {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(shipped);
  const def = parse(readFileSync(join(repo, 'config', 'default.yaml'), 'utf8'));
  assert.equal(validate(def), true, JSON.stringify(validate.errors));
  def.exporters['file/traces'].pathh = 'x';
  assert.equal(validate(def), false);
});
