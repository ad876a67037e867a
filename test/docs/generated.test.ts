import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { FACTORIES } from '../../src/components.js';
import { componentPagePath, fillRegions, staleDocs } from '../../src/docs/generate.js';
import { renderDefault, renderTable, schemaRows } from '../../src/docs/reference.js';
import { Type } from '@sinclair/typebox';
import { Duration, Section } from '../../src/config/types.js';

const repo = join(import.meta.dirname, '..', '..', '..');

test('the generated parts of README.md and docs/ are current (run `npm run docs` after changing a schema, a component or an error code)', () => {
  const stale = [...staleDocs(repo).keys()];
  assert.deepEqual(stale, [], `stale: ${stale.join(', ')}`);
});

test('every component has a page with its reference table, and the README lists it', () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  for (const f of FACTORIES) {
    const page = readFileSync(join(repo, componentPagePath(f)), 'utf8');
    assert.match(page, new RegExp(`<!-- generated: reference ${f.kind}/${f.type} -->`), componentPagePath(f));
    assert.ok(readme.includes(`](${componentPagePath(f)})`), `README links ${componentPagePath(f)}`);
  }
});

test('a reference table names every key with its type, default, and description', () => {
  const schema = Type.Object(
    {
      endpoint: Type.String({ minLength: 1, description: 'Where to send.' }),
      timeout: Duration('5s', 'Deadline.'),
      mode: Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a', description: 'a or b | c.' }),
      max_body_size: Type.Integer({ default: 20 * 1024 * 1024, minimum: 1 }),
      nested: Section({ on: Type.Boolean({ default: true, description: 'Switch.' }) }),
      list: Type.Array(Type.Object({ name: Type.String({ description: 'Name.' }) }), { default: [] }),
      headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra headers.' })),
    },
    { additionalProperties: false },
  );
  assert.equal(
    renderTable(schemaRows(schema)),
    [
      '| key | type | default | description |',
      '|---|---|---|---|',
      '| `endpoint` | string | *required* | Where to send. |',
      '| `timeout` | duration | `5s` | Deadline. |',
      '| `mode` | `"a"` \\| `"b"` | `a` | a or b \\| c. |',
      '| `max_body_size` | integer ≥ 1 | `20971520` (20 MiB) |  |',
      '| `nested.on` | boolean | `true` | Switch. |',
      '| `list` | list of object | `[]` |  |',
      '| `list[].name` | string | *required* | Name. |',
      '| `headers` | map of string |  | Extra headers. |',
    ].join('\n'),
  );
  assert.equal(renderDefault(''), '`""`');
  assert.equal(renderDefault(['x']), '`["x"]`');
});

test('a region is rewritten in place and the prose around it is kept', () => {
  const f = FACTORIES.find((x) => x.kind === 'extension' && x.type === 'health_check');
  assert.ok(f);
  const text = 'before\n<!-- generated: reference extension/health_check -->\nold table\n<!-- end generated -->\nafter\n';
  const out = fillRegions(text, 'docs/x.md');
  assert.ok(out.startsWith('before\n<!-- generated: reference extension/health_check -->\nSignals: —.'));
  assert.ok(out.endsWith('\n<!-- end generated -->\nafter\n'));
  assert.ok(out.includes('| `endpoint` | string | `127.0.0.1:13133` | Listener for the health check. |'));
  assert.ok(!out.includes('old table'));
  assert.throws(() => fillRegions('<!-- generated: reference receiver/nope -->\n<!-- end generated -->', 'docs/x.md'), /no receiver "nope"/);
});

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

test('every relative link in README.md and docs/ points at a file (and heading) that exists', () => {
  const files = ['README.md'];
  const walk = (dir: string): string[] =>
    readdirSync(join(repo, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.md') ? [`${dir}/${e.name}`] : [],
    );
  files.push(...walk('docs'));
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(repo, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] ?? '';
      if (/^[a-z]+:/.test(target)) continue;
      const [path = '', anchor] = target.split('#', 2);
      const resolved = path ? join(dirname(file), path) : file;
      if (!existsSync(join(repo, resolved))) {
        broken.push(`${file}: ${target}`);
        continue;
      }
      if (anchor && resolved.endsWith('.md')) {
        const headings = readFileSync(join(repo, resolved), 'utf8')
          .replace(/```[\s\S]*?```/g, '')
          .split('\n')
          .filter((l) => /^#{1,6} /.test(l))
          .map((l) => slug(l.replace(/^#+ /, '')));
        if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
