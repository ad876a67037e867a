import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextEmail } from '../../../src/processors/redaction/email.js';
import { EMAIL_REGEX, compilePatterns, maskText } from '../../../src/processors/redaction/patterns.js';
import { RedactionSchema, validateRedaction, type RedactionConfig } from '../../../src/processors/redaction/config.js';
import { validateAgainst } from '../../../src/config/validate.js';

function redaction(raw: Record<string, unknown>): RedactionConfig {
  const cfg = { ...raw };
  assert.deepEqual(validateAgainst(RedactionSchema, cfg, 'processors.redaction'), []);
  return cfg as RedactionConfig;
}

function scannerMatches(text: string): string[] {
  const out: string[] = [];
  for (let m = nextEmail(text, 0); m; m = nextEmail(text, m[1])) out.push(text.slice(m[0], m[1]));
  return out;
}

test('the e-mail scanner finds exactly what the e-mail regular expression finds', () => {
  const cases = [
    'bob@example.com',
    'write to alice.smith+tag@mail.example.co.uk, then stop.',
    '.bob@x.com',
    'x@a.b1',
    'x@a.bc1',
    'x@a.com-foo',
    'x@a.com_x',
    'a@b@c.com',
    'name@host',
    'foo@bar.c',
    'a@b.cd.e1',
    'a@b.cd.ef',
    '_x@y.zz',
    'x_@y.zz',
    '%x@y.zz',
    '-@a.bc',
    'mail me: j.doe@ex-ample.org; or j@ex..org',
    'é@x.com',
    'aé@x.com',
    'x@x.comé',
    '@',
    'a@',
    '@b.cd',
    'a@.cd',
    'a@b.',
    'a@b.c.',
    'a@b..cd',
    'a@b.cd.',
    'a@-.cd',
  ];
  for (const c of cases) assert.deepEqual(scannerMatches(c), c.match(EMAIL_REGEX) ?? [], c);
  // Random strings over the characters that matter.
  const alphabet = 'ab1_.-%+@é Z';
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) {
    let s = '';
    const n = 1 + Math.floor(rand() * 24);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    assert.deepEqual(scannerMatches(s), s.match(EMAIL_REGEX) ?? [], JSON.stringify(s));
  }
});

test('mask on text the e-mail regular expression takes quadratic time on: the same answer, in one pass', () => {
  // /…/.replace needs seconds on these (benchmarks/hostile.bench.ts); the scanner reads them once.
  const patterns = compilePatterns(['email', 'card', 'phone', 'api_key'], []);
  for (const hostile of ['a.'.repeat(50_000), '1-'.repeat(50_000), 'x@' + 'a.'.repeat(50_000), 'a'.repeat(100_000)]) {
    const r = maskText(hostile, patterns, '[REDACTED:{name}]');
    assert.equal(r.masked, 0);
    assert.equal(r.text, hostile);
  }
  const r = maskText('a.'.repeat(1000) + ' bob@example.com', patterns, '[{name}]');
  assert.equal(r.masked, 1);
  assert.ok(r.text.endsWith(' [email]'));
});

test('custom patterns run in RE2; lookaround and backreferences are refused by validation naming the pattern', () => {
  assert.deepEqual(validateRedaction(redaction({ custom_patterns: [{ name: 'ticket', regex: 'TICKET-\\d+' }] })), []);
  const problems = validateRedaction(
    redaction({
      custom_patterns: [
        { name: 'ok', regex: 'a+' },
        { name: 'lb', regex: '(?<=x)y' },
        { name: 'br', regex: '(a)\\1' },
      ],
    }),
  );
  assert.equal(problems.length, 2);
  assert.match(problems[0] ?? '', /^custom_patterns\[1\]\.regex: not accepted by the linear-time engine \(RE2 syntax; no lookaround or backreferences\): /);
  assert.match(problems[1] ?? '', /^custom_patterns\[2\]\.regex: /);
  // A pattern that backtracks exponentially in a backtracking engine is linear here.
  const p = compilePatterns([], [{ name: 'evil', regex: '(a+)+$' }]);
  const r = maskText('a'.repeat(30_000) + 'b', p, '[{name}]');
  assert.equal(r.masked, 0);
  assert.equal(maskText('xx aaa', p, '[{name}]').text, 'xx [evil]');
  // Empty matches advance by one, as String.replace does.
  assert.equal(maskText('abc', compilePatterns([], [{ name: 'e', regex: 'x*' }]), '.').text, '.a.b.c.');
});
