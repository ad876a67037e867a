// The one lifecycle check every registered factory must pass: create with a
// minimal config, start, shutdown twice; and shutdown without start.
// lifecycle.test.ts runs it for every factory that needs no server;
// lifecycle-kafka.integration.test.ts for the Kafka ones, against the run's broker.
import assert from 'node:assert/strict';
import type { Component } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { CreateSettings, Factory } from '../../src/component/factory.js';
import type { Host } from '../../src/component/host.js';
import { validateAgainst } from '../../src/config/validate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../src/telemetry/selftelemetry.js';

/** Factories whose lifecycle needs a real Kafka broker (their start connects to it). */
export const NEEDS_KAFKA: ReadonlySet<string> = new Set(['receiver/kafka', 'exporter/kafka']);

export const factoryKey = (f: Factory): string => `${f.kind}/${f.type}`;

const host: Host = { health: () => 'ok' };
const nop: Consumer<any> = { capabilities: { mutatesData: false }, consume: async () => {} };

function settings(f: Factory): CreateSettings {
  return { id: f.type, kind: f.kind, logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) };
}

function instances(f: Factory, cfg: unknown): Array<() => Component> {
  const set = settings(f);
  if (f.kind === 'extension') return [() => f.create(set, cfg)];
  const out: Array<() => Component> = [];
  for (const [route, make] of Object.entries(f.create as Record<string, Function>)) {
    if (f.kind === 'exporter') out.push(() => make(set, cfg));
    else out.push(() => make({ ...set, id: `${f.type}/${route}` }, cfg, nop));
  }
  return out;
}

/** Validates `cfg`, then creates, starts and shuts down every signal's instance of `f` (twice), and one never started. */
export async function checkLifecycle(f: Factory, cfg: Record<string, unknown>): Promise<void> {
  assert.deepEqual(validateAgainst(f.schema, cfg, `${f.kind}s.${f.type}`), [], 'minimal config is valid');
  if (f.validate) assert.deepEqual(f.validate(cfg), []);
  const made = instances(f, cfg);
  assert.ok(made.length > 0, 'supports at least one signal');
  for (const make of made) {
    const c = make();
    await c.start(host);
    await c.shutdown();
    await c.shutdown();
    const unstarted = make();
    await unstarted.shutdown();
  }
}
