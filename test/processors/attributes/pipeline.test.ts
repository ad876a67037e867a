import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FACTORIES, factoriesByKind } from '../../../src/components.js';
import type { Traces } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { sinkExporterFactory } from '../../helpers/sink.js';
import { PushReceiver, pushReceiverFactory } from '../../helpers/testfactories.js';
import { attr, traces } from '../batch/build.js';

// A mutating processor behind a read-only one (memory_limiter) must still get
// its own copy when a receiver feeds several pipelines.
test('attributes in one pipeline do not leak into another pipeline fed by the same receiver', async () => {
  const sinks = sinkExporterFactory();
  const svc = new Service(
    {
      receivers: { testpush: null },
      processors: { memory_limiter: { limit_mib: 1_000_000 }, attributes: { actions: [{ key: 'x', value: 'A', action: 'insert' }] } },
      exporters: { 'testsink/a': null, 'testsink/b': null },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          'traces/a': { receivers: ['testpush'], processors: ['memory_limiter', 'attributes'], exporters: ['testsink/a'] },
          'traces/b': { receivers: ['testpush'], exporters: ['testsink/b'] },
        },
      },
    },
    { logger: silentLogger(), factories: factoriesByKind([...FACTORIES, sinks, pushReceiverFactory]) },
  );
  await svc.start();
  try {
    await PushReceiver.byId.get('testpush')!.push('traces', traces({ scopes: [{ items: 1 }] }));
    const span = (t: Traces) => t.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
    assert.equal(attr(span(sinks.sinks.get('testsink/a/traces')!.calls[0]!.data as Traces).attributes, 'x'), 'A');
    assert.equal(attr(span(sinks.sinks.get('testsink/b/traces')!.calls[0]!.data as Traces).attributes, 'x'), undefined);
  } finally {
    await svc.shutdown();
  }
});
