import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Component } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { CreateSettings, Factory } from '../../src/component/factory.js';
import type { Host } from '../../src/component/host.js';
import type { Signal } from '../../src/component/signal.js';
import { FACTORIES } from '../../src/components.js';
import { validateAgainst } from '../../src/config/validate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../src/telemetry/selftelemetry.js';

// The one lifecycle test every registered factory must pass: create with a
// minimal config, start, shutdown twice; and shutdown without start.
// A factory whose defaults alone are not a valid config needs an entry here,
// so a new component cannot skip this test.
const tmp = mkdtempSync(join(tmpdir(), 'tollgate-lifecycle-'));
const kafka = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const MINIMAL: Record<string, () => Record<string, unknown>> = {
  'receiver/otlp': () => ({ protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } }),
  'receiver/prometheusremotewrite': () => ({ endpoint: '127.0.0.1:0' }),
  'receiver/kafka': () => ({ brokers: [kafka], group_id: `lifecycle-${process.pid}` }),
  'exporter/file': () => ({ path: join(tmp, `out-${Math.random()}.jsonl`) }),
  'exporter/otlp': () => ({ endpoint: '127.0.0.1:1', tls: { insecure: true } }),
  'exporter/otlphttp': () => ({ endpoint: 'http://127.0.0.1:1' }),
  'exporter/prometheusremotewrite': () => ({ endpoint: 'http://127.0.0.1:1/api/v1/receive' }),
  'exporter/prometheus': () => ({ endpoint: '127.0.0.1:0' }),
  'exporter/kafka': () => ({ brokers: [kafka] }),
  'extension/health_check': () => ({ endpoint: '127.0.0.1:0' }),
  'processor/memory_limiter': () => ({ limit_mib: 4096 }),
};

const host: Host = { health: () => 'ok' };
const nop: Consumer<any> = { capabilities: { mutatesData: false }, consume: async () => {} };

function settings(f: Factory): CreateSettings {
  return { id: f.type, kind: f.kind, logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) };
}

function instances(f: Factory, cfg: unknown): Array<[string, () => Component]> {
  const set = settings(f);
  if (f.kind === 'extension') return [['extension', () => f.create(set, cfg)]];
  const out: Array<[string, () => Component]> = [];
  for (const [route, make] of Object.entries(f.create as Record<string, Function>)) {
    if (f.kind === 'exporter') out.push([route, () => make(set, cfg)]);
    else out.push([route, () => make({ ...set, id: `${f.type}/${route}` }, cfg, nop)]);
  }
  return out;
}

for (const f of FACTORIES) {
  test(`${f.kind} ${f.type}: create, start, shutdown twice; shutdown without start`, async () => {
    const cfg = MINIMAL[`${f.kind}/${f.type}`]?.() ?? {};
    assert.deepEqual(validateAgainst(f.schema, cfg, `${f.kind}s.${f.type}`), [], 'minimal config is valid');
    if (f.validate) assert.deepEqual(f.validate(cfg), []);
    const made = instances(f, cfg);
    assert.ok(made.length > 0, 'supports at least one signal');
    for (const [route, make] of made) {
      const c = make();
      await c.start(host);
      await c.shutdown();
      await c.shutdown();
      const unstarted = make();
      await unstarted.shutdown();
      void (route as Signal | string);
    }
  });
}
