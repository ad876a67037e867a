import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandEnv } from '../../src/config/env.js';
import { mergeConfig, parseConfigText } from '../../src/config/load.js';

test('${env:VAR} and ${env:VAR:-default} expand; a whole reference keeps its type', () => {
  const env = { HOST: 'gw', PORT: '4317', ON: 'true' };
  assert.deepEqual(
    expandEnv({ a: '${env:HOST}:${env:PORT}', b: '${env:PORT}', c: '${env:MISSING:-x}', d: ['${env:ON}'], e: 'cost $$5' }, env),
    { a: 'gw:4317', b: 4317, c: 'x', d: [true], e: 'cost $5' },
  );
});

test('later files win; maps merge and lists are replaced', () => {
  const a = parseConfigText('service: {pipelines: {traces: {receivers: [a], exporters: [x]}}}\nexporters: {x: {p: 1}}', 'a');
  const b = parseConfigText('service: {pipelines: {traces: {receivers: [b]}}}\nexporters: {x: {q: 2}}', 'b');
  assert.deepEqual(mergeConfig(a, b), {
    service: { pipelines: { traces: { receivers: ['b'], exporters: ['x'] } } },
    exporters: { x: { p: 1, q: 2 } },
  });
});
