import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ILabel, PromWrite } from '../../src/pdata/proto.js';
import { hashLabels } from '../../src/prw/labels.js';
import { validateWriteRequest } from '../../src/prw/validate.js';
import { Gen } from '../helpers/prwgen.js';

const req = (...series: ILabel[][]): PromWrite => ({ timeseries: series.map((labels) => ({ labels, samples: [{ value: 1, timestamp: 1 }] })) });
const ok: ILabel[] = [
  { name: '__name__', value: 'up' },
  { name: 'job', value: 'api' },
];

test('valid generated requests pass', () => {
  for (let seed = 1; seed <= 200; seed++) assert.equal(validateWriteRequest(new Gen(seed).request()), undefined, `seed ${seed}`);
});

const cases: Array<[string, ILabel[], RegExp]> = [
  ['unsorted', [{ name: '__name__', value: 'up' }, { name: 'z', value: '1' }, { name: 'a', value: '2' }], /invalid series #1 up\{z="1", a="2"\}: labels not sorted by name \("a" after "z"\)/],
  ['duplicate', [{ name: '__name__', value: 'up' }, { name: 'a', value: '1' }, { name: 'a', value: '2' }], /invalid series #1 up\{a="1", a="2"\}: duplicate label name "a"/],
  ['empty value', [{ name: '__name__', value: 'up' }, { name: 'a', value: '' }], /invalid series #1 up\{a=""\}: empty label value for "a"/],
  ['empty name', [{ name: '', value: 'x' }, { name: '__name__', value: 'up' }], /invalid series #1 .*: empty label name/],
  ['invalid metric name', [{ name: '__name__', value: '1up' }], /invalid series #1 1up\{\}: invalid metric name "1up"/],
  ['invalid label name', [{ name: '__name__', value: 'up' }, { name: 'a-b', value: '1' }], /invalid label name "a-b"/],
  ['missing name', [{ name: 'job', value: 'x' }], /invalid series #1 \{job="x"\}: missing metric name/],
  ['no labels', [], /invalid series #1 \{\}: no labels/],
];

for (const [what, labels, msg] of cases) {
  test(`refuses ${what}, naming the first offending series`, () => {
    const bad = validateWriteRequest(req(ok, labels, [{ name: '__name__', value: '' }]));
    assert.ok(bad, 'expected a refusal');
    assert.equal(bad.index, 1);
    assert.match(bad.message, msg);
  });
}

test('a series hashes the same however often it is seen, and series spread over shards', () => {
  const g = new Gen(7);
  const counts = new Array(8).fill(0);
  for (let i = 0; i < 8000; i++) {
    const labels = g.labels(3);
    const h = hashLabels(labels);
    assert.equal(hashLabels(labels.map((l) => ({ ...l }))), h);
    counts[h % 8]++;
  }
  for (const c of counts) assert.ok(c > 800 && c < 1200, `shard sizes ${counts}`);
});
