// Every shipped alert links its runbook: a runbook_url annotation naming a section of docs/runbooks.md
// that exists, one section per alert, and no section for an alert that is gone.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..');
const ruleFiles = ['alerts.yaml', 'slo.yaml'].map((f) => join(root, 'config', 'prometheus', f));
const RUNBOOKS = 'docs/runbooks.md';

interface Rule { alert?: string; annotations?: Record<string, string> }
const alerts: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(f, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.alert),
);

/** GitHub's heading anchors: lower case, punctuation other than - and _ removed, spaces to -. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function headings(md: string): { level: number; text: string }[] {
  return [...md.matchAll(/^(#{1,6}) (.+)$/gm)].map((m) => ({ level: m[1]!.length, text: m[2]! }));
}

test('every alert has a runbook_url that resolves to its own section of docs/runbooks.md', () => {
  const md = readFileSync(join(root, RUNBOOKS), 'utf8');
  const anchors = new Set(headings(md).map((h) => slug(h.text)));
  assert.ok(alerts.length >= 19, `${alerts.length} alerts`);
  for (const a of alerts) {
    const url = a.annotations?.runbook_url;
    assert.ok(url, `${a.alert} has no runbook_url annotation`);
    const [path, anchor] = url.split('#');
    assert.equal(path, RUNBOOKS, `${a.alert}: runbook_url ${url}`);
    assert.equal(anchor, slug(a.alert!), `${a.alert}: the anchor is the alert's own section`);
    assert.ok(anchors.has(anchor!), `${a.alert}: ${RUNBOOKS} has no section #${anchor}`);
  }
});

test('docs/runbooks.md has no section for an alert that is not shipped, and its links resolve', () => {
  const md = readFileSync(join(root, RUNBOOKS), 'utf8');
  const names = new Set(alerts.map((a) => a.alert!));
  const sections = headings(md).filter((h) => h.level === 3).map((h) => h.text);
  assert.deepEqual(sections.filter((s) => !names.has(s)), [], 'sections without a shipped alert');
  assert.equal(new Set(sections).size, sections.length, 'one section per alert');
  // Each section says what the alert means, how to check, what to do.
  for (const part of md.split(/^### /m).slice(1)) {
    const name = part.split('\n')[0]!;
    assert.match(part, /\*\*Means\.\*\*/, `${name}: what it means`);
    assert.match(part, /\*\*Check/, `${name}: how to check`);
    assert.match(part, /\*\*(Act\.|Check and act)/, `${name}: what to do`);
  }
  const anchors = new Set(headings(md).map((h) => slug(h.text)));
  for (const [, target] of md.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^https?:/.test(target!)) continue;
    const [file, anchor] = target!.split('#');
    if (file) assert.ok(existsSync(join(dirname(join(root, RUNBOOKS)), file)), `link ${target}: no such file`);
    else assert.ok(anchors.has(anchor!), `link ${target}: no such section`);
  }
});
