#!/usr/bin/env node
// `npm run bench`: runs every benchmark (compiled TypeScript ones from
// dist/benchmarks, plain ones ending in .bench.mjs here) one after another, so
// they do not compete for the machine's cores. Arguments filter by name.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const compiled = join(here, '..', 'dist', 'benchmarks');
const filters = process.argv.slice(2);
const list = [
  ...(existsSync(compiled) ? readdirSync(compiled).filter((f) => f.endsWith('.bench.js')).map((f) => join(compiled, f)) : []),
  ...readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).map((f) => join(here, f)),
].filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (list.length === 0) {
  console.error('no benchmarks matched');
  process.exit(1);
}
let failed = 0;
for (const f of list.sort()) {
  console.log(`\n## ${f.split('/').pop()}`);
  const r = spawnSync(process.execPath, ['--expose-gc', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
