import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FACTORIES, factoriesByKind } from '../../src/components.js';
import { EMITTED_CONVENTIONS } from '../../src/genai/conventions.js';
import { idHex } from '../../src/genai/time.js';
import { attrsToObject } from '../../src/genai/attrs.js';
import { runLoadgen } from '../../src/loadgen/run.js';
import { simulate } from '../../src/loadgen/simulate.js';
import { fleetFrom } from '../../src/loadgen/spec.js';
import type { Traces } from '../../src/pdata/proto.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { sinkExporterFactory } from '../helpers/sink.js';
import { staticModels } from '../helpers/genai.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-loadgen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** otlp (HTTP) → genai → a recording sink. */
async function gateway(genai: Record<string, unknown> = {}) {
  const port = await freePort();
  const sinks = sinkExporterFactory();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors: { genai },
      exporters: { testsink: {} },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], processors: ['genai'], exporters: ['testsink'] } } },
    },
    { logger: silentLogger(), factories: factoriesByKind([...FACTORIES, sinks]) },
  );
  await svc.start();
  return { svc, port, sink: () => sinks.sinks.get('testsink/traces')! };
}

test('simulation: the same seed gives the same run; arrivals are Poisson at the configured rate; errors at the configured rate', () => {
  const fleet = fleetFrom({ seed: 9, requests: 20_000, rate: 50, error_rate: 0.05 });
  const a = simulate(fleet);
  const b = simulate(fleetFrom({ seed: 9, requests: 20_000, rate: 50, error_rate: 0.05 }));
  assert.deepEqual(a, b);
  assert.notDeepEqual(simulate(fleetFrom({ seed: 10, requests: 100 })), simulate(fleetFrom({ seed: 9, requests: 100 })));
  const span = (a[a.length - 1]!.startNs - a[0]!.startNs) / 1e9;
  const rate = (a.length - 1) / span;
  assert.ok(Math.abs(rate - 50) / 50 < 0.03, `arrival rate ${rate}`);
  const gaps = a.slice(1).map((r, i) => (r.startNs - a[i]!.startNs) / 1e9);
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
  assert.ok(Math.abs(sd / mean - 1) < 0.05, `exponential gaps have CV 1, got ${sd / mean}`);
  const errors = a.filter((r) => r.error).length / a.length;
  assert.ok(Math.abs(errors - 0.05) < 0.01, `error share ${errors}`);
  // Traffic split by weight (3:1:1 in the default fleet).
  const small = a.filter((r) => r.model.name === 'llama-3.1-8b-instruct').length / a.length;
  assert.ok(Math.abs(small - 0.6) < 0.02, `share of the 3-weight model ${small}`);
  for (const r of a) {
    assert.equal(r.endNs, r.startNs + r.queueNs + r.prefillNs + r.decodeNs);
    assert.ok(Number.isInteger(r.startNs) && Number.isInteger(r.decodeNs));
  }
});

for (const convention of EMITTED_CONVENTIONS) {
  test(`loadgen emits the ${convention} convention; after genai every request carries its ground-truth tokens and timings`, async () => {
    const fleet = fleetFrom({ seed: 3, requests: 300, rate: 40, error_rate: 0.1, convention });
    const gw = await gateway(convention === 'vllm' ? { model_identity: { static: staticModels(fleet) } } : {});
    try {
      const r = await runLoadgen({ fleet, endpoint: `http://127.0.0.1:${gw.port}`, protocol: 'http/protobuf', speed: 0 });
      assert.equal(r.failed, 0, r.lastError);
      const bySpan = new Map<string, { attrs: Record<string, unknown>; resource: Record<string, unknown>; status: number }>();
      for (const t of gw.sink().data as Traces[])
        for (const rs of t.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              bySpan.set(idHex(s.spanId), {
                attrs: attrsToObject(s.attributes),
                resource: attrsToObject(rs.resource?.attributes),
                status: s.status?.code ?? 0,
              });
      const spansPerRequest = convention === 'genai' ? undefined : 1;
      if (spansPerRequest) assert.equal(bySpan.size, 300);
      for (const t of r.truths) {
        const s = bySpan.get(t.span_id);
        assert.ok(s, `span of request ${t.index} arrived`);
        const a = s.attrs;
        assert.equal(a['tollgate.genai.convention'], convention);
        assert.equal(a['gen_ai.request.model'], t.model);
        assert.equal(a['gen_ai.usage.input_tokens'], t.input_tokens);
        assert.equal(a['gen_ai.usage.output_tokens'], t.output_tokens);
        assert.equal(a['tollgate.genai.time_to_first_token'], t.ttft_s ?? undefined, `ttft of ${t.index}`);
        assert.equal(a['tollgate.genai.time_per_output_token'], t.time_per_output_token_s ?? undefined, `tpot of ${t.index}`);
        assert.equal(a['tollgate.genai.request.duration'], t.duration_s);
        if (convention === 'vllm') {
          // vLLM sets no status: a failure is its finish reason "error", which genai turns into error.type.
          assert.equal(a['error.type'], t.error !== null ? 'error' : undefined);
          assert.equal(a['tollgate.genai.model.source'], 'static');
          assert.equal(s.resource['k8s.pod.name'], t.replica);
          assert.equal(s.resource['vllm.instrumenting_module_name'], 'vllm.llm_engine');
        } else {
          assert.equal(s.status === 2, t.error !== null);
          assert.equal(s.resource['service.instance.id'], t.replica);
        }
        assert.equal(s.resource['tollgate.gpu.model'], t.gpu_model);
        assert.equal(s.resource['tollgate.gpu.count'], t.gpu_count);
        if (convention !== 'vllm') assert.equal(a['gen_ai.provider.name'], t.provider);
      }
      assert.equal(r.summary.requests, 300);
      assert.equal(
        r.summary.input_tokens,
        r.truths.reduce((s, t) => s + t.input_tokens, 0),
      );
    } finally {
      await gw.svc.shutdown();
    }
  });
}

test('ground truth: shared costs of each replica sum to its busy-time cost; exclusive is duration × GPUs × price', async () => {
  const fleet = fleetFrom({ seed: 5, requests: 2000, rate: 80 });
  const gw = await gateway();
  let r;
  try {
    const progress: string[] = [];
    r = await runLoadgen({ fleet, endpoint: `http://127.0.0.1:${gw.port}`, protocol: 'http/protobuf', speed: 0, progress: (l) => progress.push(l) });
    assert.match(progress.at(-1)!, /^loadgen: 2000\/2000 requests \(100\.0%\)/);
  } finally {
    await gw.svc.shutdown();
  }
  for (const rep of r.summary.replicas) {
    const costs = r.truths.filter((t) => t.replica === rep.replica);
    const sum = costs.reduce((s, t) => s + t.cost_shared_usd!, 0);
    assert.ok(Math.abs(sum - rep.cost_busy_usd!) <= 1e-9 * rep.cost_busy_usd!, `${rep.replica}: ${sum} vs ${rep.cost_busy_usd}`);
  }
  for (const t of r.truths) {
    assert.ok(Math.abs(t.cost_exclusive_usd! - (t.duration_s * t.gpu_count! * t.usd_per_gpu_hour!) / 3600) < 1e-15);
    assert.equal(t.ttft_s === null, t.output_tokens === 0);
  }
  assert.ok(r.summary.cost_shared_usd < r.summary.cost_exclusive_usd);
});

test('tollgate loadgen (CLI): sends the fleet, prints a summary, writes the ground truth; a GPU missing from the price table is unpriced', async () => {
  const gw = await gateway();
  const fleetFile = join(dir, 'fleet.yaml');
  writeFileSync(
    fleetFile,
    [
      'seed: 11',
      'rate: 30',
      'convention: vllm',
      'models:',
      '  - name: small',
      '    gpu: {model: NVIDIA L4, count: 1}',
      '  - name: big',
      '    gpu: {model: NVIDIA H100 80GB HBM3, count: 8}',
      '    replicas: 2',
    ].join('\n'),
  );
  const truthFile = join(dir, 'truth.jsonl');
  try {
    const run = runCli([
      'loadgen',
      '--fleet',
      fleetFile,
      '--requests',
      '150',
      '--speed',
      '0',
      '--endpoint',
      `http://127.0.0.1:${gw.port}`,
      '--ground-truth',
      truthFile,
    ]);
    let out = '';
    run.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    assert.equal(await run.exited, 0, run.stderr());
    const printed = JSON.parse(out);
    assert.equal(printed.requests, 150);
    assert.equal(printed.spans_exported, 150);
    assert.equal(printed.spans_failed, 0);
    const lines = readFileSync(truthFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 151);
    const summary = lines.at(-1);
    assert.equal(summary.type, 'summary');
    assert.equal(summary.input_tokens, printed.input_tokens);
    const small = lines.filter((l) => l.model === 'small');
    assert.ok(small.length > 0);
    for (const l of small) assert.equal(l.cost_exclusive_usd, null, 'L4 has no price in the table: unpriced, not $0');
    assert.equal(summary.unpriced, small.length);
    assert.equal(new Set(lines.filter((l) => l.model === 'big').map((l) => l.replica)).size, 2);
  } finally {
    await gw.svc.shutdown();
  }
});

test('tollgate loadgen (CLI): an unreachable endpoint fails with exit code 1 and says so', async () => {
  const port = await freePort();
  const run = runCli(['loadgen', '--requests', '5', '--speed', '0', '--export-timeout', '1500', '--endpoint', `http://127.0.0.1:${port}`]);
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /spans were not accepted by http:\/\/127\.0\.0\.1:\d+/);
});

test('tollgate loadgen (CLI): a bad fleet file is named with the problem', async () => {
  const fleetFile = join(dir, 'bad.yaml');
  writeFileSync(fleetFile, 'models:\n  - name: x\n    gpu: {count: 2}\n    weight: -1\n');
  const run = runCli(['loadgen', '--fleet', fleetFile]);
  assert.equal(await run.exited, 1);
  assert.match(run.stderr(), /invalid fleet: .*models\.0\.gpu\.model: required/);
  assert.match(run.stderr(), /models\.0\.weight/);
});
