#!/usr/bin/env node
// Regenerates the generated regions of README.md and docs/**/*.md (component
// reference tables, component list, error codes) from the compiled code, and
// creates a page for a component that has none. `--check` only reports stale
// files and exits 1 if there are any. Run through `npm run docs` (builds first).
import { join } from 'node:path';
import { staleDocs, writeDocs } from '../dist/src/docs/generate.js';

const root = join(import.meta.dirname, '..');
if (process.argv.includes('--check')) {
  const stale = [...staleDocs(root).keys()];
  for (const f of stale) console.error(`stale: ${f}`);
  if (stale.length) console.error('run `npm run docs` to regenerate');
  process.exit(stale.length ? 1 : 0);
}
const written = writeDocs(root);
for (const f of written) console.log(`wrote ${f}`);
if (!written.length) console.log('docs are current');
