import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FACTORIES } from '../../src/components.js';
import { useKafka } from '../helpers/kafka.js';
import { NEEDS_KAFKA, checkLifecycle, factoryKey } from './lifecycle.js';

// The lifecycle check (lifecycle.ts) for the factories that connect to Kafka, against the run's broker.
const kafka = FACTORIES.filter((f) => NEEDS_KAFKA.has(factoryKey(f)));

test('every factory listed as needing Kafka is registered', () => {
  assert.deepEqual(kafka.map(factoryKey).sort(), [...NEEDS_KAFKA].sort());
});

for (const f of kafka) {
  test(`${f.kind} ${f.type}: create, start, shutdown twice; shutdown without start`, async () => {
    const { brokers } = await useKafka();
    const cfg: Record<string, unknown> = f.kind === 'receiver' ? { brokers, group_id: `lifecycle-${process.pid}` } : { brokers };
    await checkLifecycle(f, cfg);
  });
}
