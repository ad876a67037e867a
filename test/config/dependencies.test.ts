import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { test } from 'node:test';

// What the gateway imports at run time is a dependency; what only tests, benchmarks and scripts use
// (the OpenTelemetry SDK logs/metrics exporters, protobufjs-cli, ...) is a devDependency.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(n) ? [p] : [];
  });
}

/** Packages imported by src (bare specifiers, reduced to the package name). */
function srcImports(): Set<string> {
  const out = new Set<string>();
  const builtins = new Set(builtinModules);
  for (const f of files(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    const specs = [
      ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/g),
      ...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g),
      ...text.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1] ?? '');
    for (const spec of specs) {
      if (/^[./#]/.test(spec)) continue;
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      const parts = spec.split('/');
      out.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
    }
  }
  return out;
}

test('src imports only dependencies, and every dependency is imported by src', () => {
  const used = srcImports();
  const deps = new Set(Object.keys(pkg.dependencies));
  assert.deepEqual([...used].filter((p) => !deps.has(p)).sort(), [], 'imported by src but not a dependency');
  assert.deepEqual([...deps].filter((p) => !used.has(p)).sort(), [], 'a dependency src does not import (a devDependency?)');
});
