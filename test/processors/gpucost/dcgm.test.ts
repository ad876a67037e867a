import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FACTORIES, factoriesByKind } from '../../../src/components.js';
import type { PromMetrics } from '../../../src/component/signal.js';
import { ExportMetricsServiceRequest, WriteRequest, type Metrics } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { PushReceiver, pushReceiverFactory } from '../../helpers/testfactories.js';
import { sinkExporterFactory } from '../../helpers/sink.js';
import { kvs, llmSpan, spansOf, traces } from '../../helpers/genai.js';

/** DCGM exporter series as a Prometheus scrape forwards them by remote-write (capital-H Hostname). */
function dcgmRemoteWrite(host: string, model: string, gpus: number): PromMetrics {
  const timeseries = [];
  for (let g = 0; g < gpus; g++) {
    for (const name of ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED']) {
      const labels = { __name__: name, Hostname: host, UUID: `GPU-${host}-${g}`, gpu: String(g), modelName: model, instance: 'dcgm:9400', job: 'dcgm' };
      timeseries.push({
        labels: Object.entries(labels)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([n, value]) => ({ name: n, value })),
        samples: [{ value: 42, timestamp: Date.now() }],
      });
    }
  }
  return { format: 'prw', request: { timeseries } };
}

/** DCGM series in OTLP (a newer exporter, lower-case hostname, Kubernetes pod labels renamed by a scrape). */
function dcgmOtlp(host: string, pod: string, ns: string, model: string, gpus: number): Metrics {
  const dataPoints = [];
  for (let g = 0; g < gpus; g++) {
    dataPoints.push({
      attributes: kvs({ hostname: host, gpu: String(g), UUID: `GPU-${pod}-${g}`, modelName: model, exported_pod: pod, exported_namespace: ns, pod: 'dcgm-exporter-x1', namespace: 'gpu-operator' }),
      timeUnixNano: Date.now() * 1e6,
      asDouble: 10,
    });
  }
  return { resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'DCGM_FI_DEV_GPU_UTIL', gauge: { dataPoints } }] }] }] };
}

test('gpucost learns GPU model and count per host and pod from DCGM metrics (both shapes) and passes them through unchanged', async () => {
  const sinks = sinkExporterFactory();
  const factories = factoriesByKind([...FACTORIES, pushReceiverFactory, sinks]);
  const svc = new Service(
    {
      receivers: { 'testpush/dcgm': {} },
      processors: { gpucost: { cost_model: 'exclusive' } },
      exporters: { testsink: {} },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          traces: { receivers: ['testpush/dcgm'], processors: ['gpucost'], exporters: ['testsink'] },
          metrics: { receivers: ['testpush/dcgm'], processors: ['gpucost'], exporters: ['testsink'] },
        },
      },
    },
    { logger: silentLogger(), factories },
  );
  await svc.start();
  try {
    const recv = PushReceiver.byId.get('testpush/dcgm')!;
    const prw = dcgmRemoteWrite('node-1', 'NVIDIA H100 80GB HBM3', 4);
    const prwBytes = WriteRequest.encode(prw.request).finish().slice();
    await recv.push('metrics', prw);
    const otlp = dcgmOtlp('node-2', 'vllm-0', 'llm', 'NVIDIA A100-SXM4-80GB', 2);
    const otlpBytes = ExportMetricsServiceRequest.encode(otlp).finish().slice();
    await recv.push('metrics', otlp);

    const metricsOut = sinks.sinks.get('testsink/metrics')!;
    assert.equal(metricsOut.calls.length, 2);
    assert.deepEqual(WriteRequest.encode((metricsOut.data[0] as PromMetrics).request).finish(), prwBytes);
    assert.deepEqual(ExportMetricsServiceRequest.encode(metricsOut.data[1] as Metrics).finish(), otlpBytes);

    await recv.push(
      'traces',
      traces(
        { resource: { 'host.name': 'node-1', 'service.instance.id': 'a' }, spans: [llmSpan({ name: 'on-node-1', start: 0, end: 10 })] },
        { resource: { 'k8s.pod.name': 'vllm-0', 'k8s.namespace.name': 'llm', 'k8s.node.name': 'node-2' }, spans: [llmSpan({ name: 'in-pod', start: 0, end: 10 })] },
        { resource: { 'host.name': 'node-9' }, spans: [llmSpan({ name: 'unknown-host', start: 0, end: 10 })] },
      ),
    );
    const byName = new Map(spansOf(sinks.sinks.get('testsink/traces')!.data).map((s) => [s.name, s.attrs]));
    assert.equal(byName.get('on-node-1')!['tollgate.gpucost.gpu.model'], 'H100');
    assert.equal(byName.get('on-node-1')!['tollgate.gpucost.gpu.count'], 4);
    assert.ok(Math.abs((byName.get('on-node-1')!['gen_ai.usage.cost'] as number) - (10 * 4 * 4.916) / 3600) < 1e-15);
    assert.equal(byName.get('in-pod')!['tollgate.gpucost.gpu.model'], 'A100');
    assert.equal(byName.get('in-pod')!['tollgate.gpucost.gpu.count'], 2);
    assert.ok(Math.abs((byName.get('in-pod')!['gen_ai.usage.cost'] as number) - (10 * 2 * 1.844) / 3600) < 1e-15);
    assert.equal(byName.get('unknown-host')!['tollgate.gpucost.unpriced.reason'], 'unknown_gpu');
  } finally {
    await svc.shutdown();
  }
});
