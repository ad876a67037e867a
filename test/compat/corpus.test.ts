// Every file of the collector config corpus (test/compat/corpus) is a config
// Tollgate accepts as it is, with no component missing. The integration test
// beside it has the real collector 0.165 validate the same files and runs them.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { factoriesByKind } from '../../src/components.js';
import { collectorCompat } from '../../src/config/compat.js';
import { loadConfigFiles } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', 'test', 'compat', 'corpus');
const ENV = {
  OTLP_GRPC: '127.0.0.1:4317',
  OTLP_HTTP: '127.0.0.1:4318',
  PROM_PULL: '127.0.0.1:8889',
  HEALTH: '127.0.0.1:13133',
  SELF_METRICS: '8888',
  OUT_DIR: '/tmp',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.yaml'))) {
  test(`corpus ${file}: valid for Tollgate, nothing missing`, () => {
    const raw = loadConfigFiles([join(CORPUS, file)], ENV);
    assert.deepEqual(validateConfig(raw, factoriesByKind()).problems, []);
    const r = collectorCompat(loadConfigFiles([join(CORPUS, file)], ENV), factoriesByKind());
    assert.deepEqual([r.missing, r.problems], [[], []]);
    assert.ok(r.implemented.length > 0);
  });
}
