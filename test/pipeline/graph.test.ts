import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { FACTORIES, factoriesByKind } from '../../src/components.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import {
  CollectExporter,
  PushReceiver,
  collectExporterFactory,
  countConnectorFactory,
  events,
  pushReceiverFactory,
  tagProcessorFactory,
} from '../helpers/testfactories.js';

const factories = factoriesByKind([...FACTORIES, pushReceiverFactory, collectExporterFactory, tagProcessorFactory, countConnectorFactory]);

function service(cfg: Record<string, unknown>) {
  return new Service(cfg, { logger: silentLogger(), factories });
}

const noTelemetry = { telemetry: { metrics: { address: '' } } };

beforeEach(() => {
  events.length = 0;
  PushReceiver.byId.clear();
  CollectExporter.byId.clear();
});

test('start runs downstream first, shutdown upstream first, through a connector', async () => {
  const svc = service({
    receivers: { testpush: null },
    processors: { testtag: null },
    exporters: { testcollect: null },
    connectors: { testcount: null },
    service: {
      ...noTelemetry,
      pipelines: {
        traces: { receivers: ['testpush'], processors: ['testtag'], exporters: ['testcount'] },
        metrics: { receivers: ['testcount'], exporters: ['testcollect'] },
      },
    },
  });
  await svc.start();
  assert.equal(svc.health(), 'ok');
  await PushReceiver.byId.get('testpush')!.push('traces', { resourceSpans: [{}, {}] });
  assert.deepEqual(CollectExporter.byId.get('testcollect/metrics')!.received, [{ resourceMetrics: [], count: 2 }]);
  await svc.shutdown();
  assert.deepEqual(events, [
    'start exporter testcollect/metrics',
    'start connector testcount',
    'start processor testtag',
    'start receiver testpush',
    'shutdown receiver testpush',
    'shutdown processor testtag',
    'shutdown connector testcount',
    'shutdown exporter testcollect/metrics',
  ]);
});

test('fan-out gives each mutating consumer its own copy and readers the original', async () => {
  const svc = service({
    receivers: { testpush: null },
    processors: { 'testtag/a': { tag: 'a' }, 'testtag/b': { tag: 'b' } },
    exporters: { 'testcollect/reader': null },
    service: {
      ...noTelemetry,
      pipelines: {
        'traces/a': { receivers: ['testpush'], processors: ['testtag/a'], exporters: ['testcollect/reader'] },
        'traces/b': { receivers: ['testpush'], processors: ['testtag/b'], exporters: ['testcollect/reader'] },
        'traces/plain': { receivers: ['testpush'], exporters: ['testcollect/reader'] },
      },
    },
  });
  await svc.start();
  const sent = { resourceSpans: [] as unknown[] };
  await PushReceiver.byId.get('testpush')!.push('traces', sent);
  const got = CollectExporter.byId.get('testcollect/reader/traces')!.received as Array<{ tags?: string[] }>;
  assert.equal(got.length, 3);
  const tags = got.map((g) => (g.tags ?? []).join(',')).sort();
  // Each branch saw only its own processor's change; the reader-only branch saw none.
  assert.deepEqual(tags, ['', 'a', 'b']);
  assert.equal((sent as { tags?: string[] }).tags, undefined, 'the original is not mutated when a reader shares it');
  await svc.shutdown();
});
