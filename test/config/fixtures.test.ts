import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { factoriesByKind } from '../../src/components.js';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';

// Broken configs are kept as fixtures; each names the exact problems expected
// in `# expect: ...` lines at its top.
const dir = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'config', 'bad');

for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  test(`broken config ${name} is refused with its exact problems`, () => {
    const text = readFileSync(join(dir, name), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!);
    assert.ok(expected.length > 0, 'fixture names its expected problems');
    let problems: string[];
    try {
      problems = validateConfig(parseConfigText(text, name, {}), factoriesByKind()).problems;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    assert.deepEqual(problems, expected);
  });
}

test('the embedded default config and the example configs are valid', () => {
  const cfgDir = join(dir, '..', '..', '..', '..', 'config');
  for (const f of readdirSync(cfgDir).filter((n) => n.endsWith('.yaml') && !n.endsWith('-prices.yaml'))) {
    const { problems } = validateConfig(parseConfigText(readFileSync(join(cfgDir, f), 'utf8'), f, {}), factoriesByKind());
    assert.deepEqual(problems, [], f);
  }
});
