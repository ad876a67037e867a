#!/usr/bin/env node
// The lint ratchet: counts of the rules in lint-ratchet.json (explicit `any`, non-null assertions)
// may fall but never rise. Biome reports them as warnings (biome.json); this script counts them
// per rule and compares with the checked-in numbers.
//
//   node scripts/lint-ratchet.mjs            check (CI: .ci/run, npm run lint)
//   node scripts/lint-ratchet.mjs --update   write the current counts (after lowering them)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const repo = join(import.meta.dirname, '..');
const file = join(repo, 'lint-ratchet.json');
const ratchet = JSON.parse(readFileSync(file, 'utf8'));
const biome = join(repo, 'node_modules', '.bin', 'biome');

const r = spawnSync(biome, ['lint', '--reporter=json', '--max-diagnostics=none', '--diagnostic-level=warn', '.'], {
  cwd: repo,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
if (r.error) throw r.error;
let report;
try {
  report = JSON.parse(r.stdout);
} catch {
  console.error(`lint-ratchet: could not read biome's JSON report:\n${r.stdout.slice(0, 2000)}${r.stderr}`);
  process.exit(1);
}

// category "lint/suspicious/noExplicitAny" → rule "noExplicitAny"; counted per rule and top folder.
const counts = {};
for (const d of report.diagnostics ?? []) {
  const rule = String(d.category ?? '')
    .split('/')
    .pop();
  if (!(rule in ratchet.rules)) continue;
  const path = relative(repo, resolve(repo, String(d.location?.path ?? '')));
  const top = path.split(sep)[0] || '.';
  counts[rule] ??= {};
  counts[rule][top] = (counts[rule][top] ?? 0) + 1;
}

if (process.argv.includes('--update')) {
  for (const rule of Object.keys(ratchet.rules)) ratchet.rules[rule] = Object.fromEntries(Object.entries(counts[rule] ?? {}).sort());
  writeFileSync(file, `${JSON.stringify(ratchet, null, 2)}\n`);
  console.log(`lint-ratchet: wrote ${file}`);
  process.exit(0);
}

const rose = [];
const fell = [];
for (const [rule, allowed] of Object.entries(ratchet.rules)) {
  const now = counts[rule] ?? {};
  for (const top of new Set([...Object.keys(allowed), ...Object.keys(now)])) {
    const a = allowed[top] ?? 0;
    const n = now[top] ?? 0;
    if (n > a) rose.push(`${rule} in ${top}/: ${n} (allowed ${a})`);
    else if (n < a) fell.push(`${rule} in ${top}/: ${n} (was ${a})`);
  }
}
if (fell.length) console.log(`lint-ratchet: fewer than allowed, lower the numbers with \`node scripts/lint-ratchet.mjs --update\`:\n  ${fell.join('\n  ')}\n`);
if (rose.length) {
  console.error(`lint-ratchet: counts rose (see them with \`npx biome lint <path>\`; handle the case instead of asserting it away):\n  ${rose.join('\n  ')}`);
  process.exit(1);
}
console.log('lint-ratchet: ok');
