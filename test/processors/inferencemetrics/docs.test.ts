import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CANONICAL } from '../../../src/processors/inferencemetrics/schema.js';

test('docs/inference-metrics.md lists every canonical metric with each of its sources', () => {
  const page = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'inference-metrics.md'), 'utf8');
  for (const c of CANONICAL) {
    const row = page.split('\n').find((l) => l.startsWith(`| \`inference_${c.name}\` |`));
    assert.ok(row, `a row for inference_${c.name}`);
    for (const s of c.sources) assert.ok(row.includes(`\`${s.name.replace(/^vllm:/, '')}`), `${c.name}: ${s.engine} source ${s.name}`);
  }
});
