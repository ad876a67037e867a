import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { CaptureSchema } from '../capture/config.js';
import type { Factory } from '../component/factory.js';
import { FACTORIES } from '../components.js';
import { ServiceSchema } from '../config/service.js';
import { ErrorCode } from '../errors/codes.js';
import { ERROR_CODE_DOCS } from '../errors/descriptions.js';
import { QueueSchema, RetrySchema } from '../exporterhelper/config.js';
import { SloFileSpec } from '../slo/spec.js';
import { renderTable, schemaRows } from './reference.js';

/**
 * The generated parts of the documentation. Hand-written Markdown pages (and the
 * README) hold regions
 *
 *     <!-- generated: DIRECTIVE -->
 *     ...
 *     <!-- end generated -->
 *
 * whose content `npm run docs` rewrites from the code; everything outside a
 * region is prose and stays as written. Directives:
 *
 * - `reference <kind>/<type>`: the key table of a component's config schema;
 * - `reference shared/<name>`: the key table of a shared section (`retry_on_failure`, ...);
 * - `components`: the component list, one line each (summary = the schema's description);
 * - `error-codes`: the table of stable error codes (`src/errors/descriptions.ts`).
 *
 * Every component has a page `docs/components/<kind>s/<type>.md`; a missing one
 * is created with an empty reference region.
 */

const REGION = /(<!-- generated: ([^>]*?) -->\n)([\s\S]*?)(<!-- end generated -->)/g;

/** Shared config sections documented once, by name. */
export const SHARED_SCHEMAS: ReadonlyMap<string, TSchema> = new Map<string, TSchema>([
  ['retry_on_failure', RetrySchema],
  ['sending_queue', QueueSchema],
  ['capture', CaptureSchema],
  ['service', ServiceSchema],
  ['slo', SloFileSpec],
]);

export function componentPagePath(f: Pick<Factory, 'kind' | 'type'>): string {
  return `docs/components/${f.kind}s/${f.type}.md`;
}

/** Signals a factory supports, as `tollgate components` names them (`traces → metrics` for a connector route). */
export function signalsOf(f: Factory): string {
  if (typeof f.create !== 'object') return '—';
  return Object.keys(f.create)
    .map((k) => k.replace('_to_', ' → '))
    .join(', ');
}

/** The one-line summary of a component: its schema's top-level description. */
export function summaryOf(f: Factory): string {
  const d = (f.schema as { description?: string }).description;
  if (!d) throw new Error(`${f.kind} ${f.type}: its config schema has no top-level description (the one-line summary in the docs)`);
  return d;
}

function render(directive: string, file: string, factories: readonly Factory[]): string {
  const [verb, arg] = directive.trim().split(/\s+/, 2);
  if (verb === 'reference' && arg) {
    const [kind, name] = arg.split('/', 2);
    if (kind === 'shared' && name) {
      const s = SHARED_SCHEMAS.get(name);
      if (!s) throw new Error(`${file}: unknown shared section "${name}"`);
      return renderTable(schemaRows(s));
    }
    const f = factories.find((x) => x.kind === kind && x.type === name);
    if (!f) throw new Error(`${file}: no ${kind} "${name}"`);
    return `Signals: ${signalsOf(f)}. Generated from the component's schema (\`tollgate schema\`); every key is optional unless *required*.\n\n${renderTable(schemaRows(f.schema))}`;
  }
  if (verb === 'components') return renderComponentList(file, factories);
  if (verb === 'error-codes') return renderErrorCodes();
  throw new Error(`${file}: unknown generated region "${directive}"`);
}

function renderComponentList(file: string, factories: readonly Factory[]): string {
  const lines = ['| component | kind | signals | what it does |', '|---|---|---|---|'];
  for (const f of factories) {
    const link = relative(dirname(file), componentPagePath(f)).split('\\').join('/');
    lines.push(`| [\`${f.type}\`](${link}) | ${f.kind} | ${signalsOf(f)} | ${summaryOf(f).replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

function renderErrorCodes(): string {
  const lines = ['| code | meaning | where it appears |', '|---|---|---|'];
  for (const code of Object.values(ErrorCode)) {
    const d = ERROR_CODE_DOCS[code];
    lines.push(`| \`${code}\` | ${d.meaning.replace(/\|/g, '\\|')} | ${d.where.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

/** `text` with every generated region rendered afresh. */
export function fillRegions(text: string, file: string, factories: readonly Factory[] = FACTORIES): string {
  return text.replace(REGION, (_m, open: string, directive: string, _old: string, close: string) => `${open}${render(directive, file, factories)}\n${close}`);
}

function skeleton(f: Factory): string {
  return [
    `# \`${f.type}\` ${f.kind}`,
    '',
    summaryOf(f),
    '',
    '## Configuration',
    '',
    `<!-- generated: reference ${f.kind}/${f.type} -->`,
    '<!-- end generated -->',
    '',
  ].join('\n');
}

function markdownFiles(root: string): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    if (!existsSync(join(root, dir))) return;
    for (const name of readdirSync(join(root, dir)).sort()) {
      const rel = `${dir}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out;
}

/**
 * Every file whose generated content differs from what the code gives now,
 * with that content (a missing component page included). Empty: docs are current.
 */
export function staleDocs(root: string, factories: readonly Factory[] = FACTORIES): Map<string, string> {
  const out = new Map<string, string>();
  const files = new Set(markdownFiles(root));
  for (const f of factories) {
    const p = componentPagePath(f);
    if (!files.has(p)) out.set(p, fillRegions(skeleton(f), p, factories));
  }
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const next = fillRegions(text, file, factories);
    if (next !== text) out.set(file, next);
  }
  return out;
}

/** Writes what `staleDocs` found; returns the files written. */
export function writeDocs(root: string, factories: readonly Factory[] = FACTORIES): string[] {
  const stale = staleDocs(root, factories);
  for (const [file, text] of stale) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return [...stale.keys()];
}
