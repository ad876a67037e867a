import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Component } from '../../../src/component/component.js';
import type { Consumer } from '../../../src/component/consumer.js';
import { GpucostSchema, type GpucostConfig } from '../../../src/processors/gpucost/config.js';
import { gpucostProcessorFactory } from '../../../src/processors/gpucost/factory.js';
import type { Traces } from '../../../src/pdata/proto.js';
import { decodeProto, encodeProto } from '../../../src/pdata/otlpjson.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer } from '../../helpers/sink.js';
import { llmSpan, spansOf, traces } from '../../helpers/genai.js';
import { validConfig } from '../../helpers/validconfig.js';

/** c = k·p/3600 = $0.001/s for one TESTGPU: the DESIGN.md worked example's replica. */
const TEST_PRICES = { gpus: { TESTGPU: { tiers: { on_demand: { usd_per_gpu_hour: 3.6, source: 'test' } } } } };

function config(over: Record<string, unknown> = {}): GpucostConfig {
  const cfg = validConfig(GpucostSchema, { ...over }, 'processors.gpucost');
  assert.deepEqual(gpucostProcessorFactory.validate?.(cfg), []);
  return cfg;
}

interface Rig {
  proc: Component & Consumer<Traces>;
  sink: SinkConsumer<Traces>;
  telemetry: SelfTelemetry;
}

async function rig(cfg: GpucostConfig, telemetry = new SelfTelemetry({ processMetrics: false })): Promise<Rig> {
  const sink = new SinkConsumer<Traces>({ signal: 'traces' });
  const proc = gpucostProcessorFactory.create.traces!({ id: 'gpucost', kind: 'processor', logger: silentLogger(), telemetry }, cfg, sink);
  await proc.start({ health: () => 'ok' });
  return { proc, sink, telemetry };
}

/** Runs spans through and returns name → attributes once every span came out. */
async function price(cfg: GpucostConfig, batch: Traces, total: number): Promise<{ byName: Map<string, Record<string, unknown>>; r: Rig }> {
  const r = await rig(cfg);
  await r.proc.consume(batch, {});
  await r.proc.shutdown(); // releases anything held by the shared model
  await r.sink.waitForItems(total);
  const byName = new Map(spansOf(r.sink.data).map((s) => [s.name, s.attrs]));
  return { byName, r };
}

const close = (actual: unknown, expected: number, rel = 1e-12) => {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= rel * Math.abs(expected), `${actual} is not ${expected}`);
};

async function metric(t: SelfTelemetry, name: string): Promise<string> {
  return (await t.registry.getSingleMetric(name)?.get())?.values.map((v) => `${JSON.stringify(v.labels)} ${v.value}`).join('\n') ?? '';
}

const testReplica = (id: string) => ({ 'service.instance.id': id, 'tollgate.gpu.model': 'TESTGPU', 'tollgate.gpu.count': 1 });
const example = () =>
  traces({
    resource: testReplica('r1'),
    spans: [
      llmSpan({ name: 'A', start: 0, end: 10, input: 400, output: 600 }), // w = 100 tokens/s
      llmSpan({ name: 'B', start: 5, end: 10, input: 200, output: 800 }), // w = 200 tokens/s
    ],
  });

test('cost: the DESIGN.md worked example, shared: A $0.006667, B $0.003333, sum $0.010', async () => {
  const { byName } = await price(config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand' }), example(), 2);
  close(byName.get('A')?.['gen_ai.usage.cost'], 0.02 / 3);
  close(byName.get('B')?.['gen_ai.usage.cost'], 0.01 / 3);
  assert.equal(Number(byName.get('A')?.['gen_ai.usage.cost']).toFixed(6), '0.006667');
  assert.equal(Number(byName.get('B')?.['gen_ai.usage.cost']).toFixed(6), '0.003333');
  close((byName.get('A')?.['gen_ai.usage.cost'] as number) + (byName.get('B')?.['gen_ai.usage.cost'] as number), 0.01);
  assert.equal(byName.get('A')?.['tollgate.cost.method'], 'gpu_shared');
  assert.equal(byName.get('A')?.['tollgate.gpucost.price_per_gpu_hour'], 3.6);
  assert.equal(byName.get('A')?.['tollgate.gpucost.gpu.model'], 'TESTGPU');
  assert.equal(byName.get('A')?.['tollgate.gpucost.gpu.count'], 1);
  assert.equal(byName.get('A')?.['tollgate.gpucost.tier'], 'on_demand');
});

test('cost: the DESIGN.md worked example, exclusive: A $0.010, B $0.005, sum $0.015', async () => {
  const { byName } = await price(config({ cost_model: 'exclusive', prices: TEST_PRICES, tier: 'on_demand' }), example(), 2);
  close(byName.get('A')?.['gen_ai.usage.cost'], 0.01);
  close(byName.get('B')?.['gen_ai.usage.cost'], 0.005);
  assert.equal(byName.get('A')?.['tollgate.cost.method'], 'gpu_exclusive');
});

test('cost: three overlapping requests on one replica of 2 × H100 (capacity block), hand-computed', async () => {
  const c = (2 * 4.916) / 3600;
  // A batch is owned by whoever it is handed to: each run gets its own.
  const batch = () =>
    traces({
      resource: { 'service.instance.id': 'h100-0', 'tollgate.gpu.model': 'NVIDIA H100 80GB HBM3', 'tollgate.gpu.count': 2 },
      spans: [
        llmSpan({ name: 'R1', start: 0, end: 4, input: 100, output: 300 }), // w = 100
        llmSpan({ name: 'R2', start: 1, end: 3, input: 500, output: 100 }), // w = 300
        llmSpan({ name: 'R3', start: 2, end: 6, input: 150, output: 50 }), // w = 50
      ],
    });
  // Segments: [0,1] R1 alone; [1,2] R1:R2 = 100:300; [2,3] R1:R2:R3 = 100:300:50; [3,4] R1:R3 = 100:50; [4,6] R3 alone.
  const shared = await price(config({ cost_model: 'shared' }), batch(), 3);
  close(shared.byName.get('R1')?.['gen_ai.usage.cost'], c * (1 + 1 / 4 + 2 / 9 + 2 / 3));
  close(shared.byName.get('R2')?.['gen_ai.usage.cost'], c * (3 / 4 + 2 / 3));
  close(shared.byName.get('R3')?.['gen_ai.usage.cost'], c * (1 / 9 + 1 / 3 + 2));
  const sum = ['R1', 'R2', 'R3'].reduce((s, n) => s + (shared.byName.get(n)?.['gen_ai.usage.cost'] as number), 0);
  close(sum, c * 6); // busy 0–6 s
  assert.equal(shared.byName.get('R1')?.['tollgate.gpucost.gpu.model'], 'H100');
  assert.equal(shared.byName.get('R1')?.['tollgate.gpucost.price_per_gpu_hour'], 4.916);
  assert.equal(shared.byName.get('R1')?.['tollgate.gpucost.tier'], 'capacity_block');

  const exclusive = await price(config({ cost_model: 'exclusive' }), batch(), 3);
  close(exclusive.byName.get('R1')?.['gen_ai.usage.cost'], c * 4);
  close(exclusive.byName.get('R2')?.['gen_ai.usage.cost'], c * 2);
  close(exclusive.byName.get('R3')?.['gen_ai.usage.cost'], c * 4);
});

test('cost: requests on two GPU types at the same time are priced per replica', async () => {
  const batch = () =>
    traces(
      {
        resource: { 'service.instance.id': 'a', 'tollgate.gpu.model': 'NVIDIA A100-SXM4-40GB', 'tollgate.gpu.count': 1 },
        spans: [llmSpan({ name: 'on-a100', start: 0, end: 3, input: 10, output: 20 })],
      },
      {
        resource: { 'service.instance.id': 'b', 'tollgate.gpu.model': 'NVIDIA H200', 'tollgate.gpu.count': 8 },
        spans: [llmSpan({ name: 'on-h200', start: 1, end: 2, input: 10, output: 20 })],
      },
    );
  for (const model of ['shared', 'exclusive']) {
    const { byName } = await price(config({ cost_model: model }), batch(), 2);
    close(byName.get('on-a100')?.['gen_ai.usage.cost'], (3 * 1.844) / 3600);
    close(byName.get('on-h200')?.['gen_ai.usage.cost'], (8 * 5.408) / 3600);
    assert.equal(byName.get('on-a100')?.['tollgate.gpucost.gpu.model'], 'A100');
    assert.equal(byName.get('on-h200')?.['tollgate.gpucost.gpu.model'], 'H200');
  }
});

test('cost: the spot tier from the resource, and unknown GPU, price and count are unpriced (never $0) and counted', async () => {
  const batch = traces(
    {
      resource: { 'service.instance.id': 's', 'tollgate.gpu.model': 'A100', 'tollgate.gpu.count': 1, 'tollgate.gpu.price_tier': 'spot' },
      spans: [llmSpan({ name: 'spot', start: 0, end: 36 })],
    },
    {
      resource: { 'service.instance.id': 'u', 'tollgate.gpu.model': 'NVIDIA B200', 'tollgate.gpu.count': 8 },
      spans: [llmSpan({ name: 'unknown-gpu', start: 0, end: 1 })],
    },
    {
      resource: { 'service.instance.id': 'p', 'tollgate.gpu.model': 'H100', 'tollgate.gpu.count': 8, 'tollgate.gpu.price_tier': 'spot' },
      spans: [llmSpan({ name: 'no-price', start: 0, end: 1 })],
    },
    { resource: { 'service.instance.id': 'n', 'tollgate.gpu.model': 'H100' }, spans: [llmSpan({ name: 'no-count', start: 0, end: 1 })] },
    { resource: { 'service.instance.id': 'x' }, spans: [llmSpan({ name: 'no-gpu', start: 0, end: 1 })] },
  );
  const { byName, r } = await price(config({ cost_model: 'exclusive' }), batch, 5);
  close(byName.get('spot')?.['gen_ai.usage.cost'], 3.25 / 100);
  const reasons: Record<string, string> = {
    'unknown-gpu': 'unknown_gpu',
    'no-price': 'unknown_price',
    'no-count': 'unknown_gpu_count',
    'no-gpu': 'unknown_gpu',
  };
  for (const [name, reason] of Object.entries(reasons)) {
    const a = byName.get(name)!;
    assert.equal(a['gen_ai.usage.cost'], undefined, `${name} must not carry a cost`);
    assert.equal(a['tollgate.gpucost.unpriced'], true);
    assert.equal(a['tollgate.gpucost.unpriced.reason'], reason);
  }
  assert.equal(byName.get('unknown-gpu')?.['tollgate.gpucost.gpu.model'], 'NVIDIA B200');
  const m = await metric(r.telemetry, 'tollgate_gpucost_unpriced_spans');
  assert.match(m, /"reason":"unknown_gpu"} 2/);
  assert.match(m, /"reason":"unknown_price"} 1/);
  assert.match(m, /"reason":"unknown_gpu_count"} 1/);
});

test('cost: shared costs of 300 random overlapping requests sum to the replica busy-time cost; idle is reported, not charged', async () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const spans = [];
  const ivs: Array<[number, number]> = [];
  for (let i = 0; i < 300; i++) {
    // Bursts with gaps between them, so there is idle time too.
    const start = Math.floor(i / 50) * 100 + rnd() * 40;
    const end = start + 0.2 + rnd() * 20;
    ivs.push([start, end]);
    spans.push(llmSpan({ name: `r${i}`, start, end, input: Math.floor(rnd() * 2000), output: Math.floor(rnd() * 500) }));
  }
  spans[5] = llmSpan({ name: 'r5', start: ivs[5]![0], end: ivs[5]![1], input: 0, output: 0 }); // no tokens: w = 0
  // Decoded as the receiver hands it on: timestamps become unsigned Longs, and spans start before the first one seen.
  const batch = decodeProto(
    'traces',
    encodeProto(
      'traces',
      traces({ resource: { 'service.instance.id': 'busy', 'tollgate.gpu.model': 'H100', 'tollgate.gpu.count': 4 }, spans: spans.reverse() }),
    ),
  );
  const { byName, r } = await price(config({ cost_model: 'shared' }), batch, 300);
  const c = (4 * 4.916) / 3600;
  // Busy time = union of the intervals (by their nanosecond-rounded timestamps).
  const sorted = ivs.map(([s, e]) => [Math.round(s * 1e9) / 1e9, Math.round(e * 1e9) / 1e9] as const).sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let idle = 0;
  let cur = sorted[0]?.[0] ?? 0;
  let curEnd = cur;
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      busy += curEnd - cur;
      idle += s - curEnd;
      cur = s;
    }
    curEnd = Math.max(curEnd, e);
  }
  busy += curEnd - cur;
  let sum = 0;
  for (const a of byName.values()) sum += a['gen_ai.usage.cost'] as number;
  close(sum, c * busy, 1e-9);
  const busyMetric = r.telemetry.registry.getSingleMetric('tollgate_gpucost_busy_seconds');
  const idleMetric = r.telemetry.registry.getSingleMetric('tollgate_gpucost_idle_seconds');
  close((await busyMetric!.get()).values[0]!.value, busy, 1e-9);
  close((await idleMetric!.get()).values[0]!.value, idle, 1e-9);
});

test("cost: shared holds an LLM span until its replica's clock has passed its end plus the longest request, and passes other spans at once", async () => {
  const r = await rig(config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand', shared: { settle_window: '1s', tick: '10ms' } }));
  const first = traces({
    resource: testReplica('r1'),
    spans: [llmSpan({ name: 'llm', start: 100, end: 104, input: 5, output: 5 }), { name: 'GET /', startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: [] }],
  });
  await r.proc.consume(first, {});
  assert.deepEqual(
    spansOf(r.sink.data).map((s) => s.name),
    ['GET /'],
  );
  // A span ending 8 s later on the same replica: its clock is past 104 + 4 (the longest request): 'llm' is final.
  await r.proc.consume(traces({ resource: testReplica('r1'), spans: [llmSpan({ name: 'next', start: 111, end: 112, input: 5, output: 5 })] }), {});
  await r.sink.waitForItems(2);
  const llm = spansOf(r.sink.data).find((s) => s.name === 'llm')!;
  close(llm.attrs['gen_ai.usage.cost'], 0.004);
  assert.equal(llm.attrs['tollgate.cost.method'], 'gpu_shared');
  assert.equal(llm.attrs['tollgate.gpucost.late'], undefined);
  assert.deepEqual(llm.resource, testReplica('r1'));
  assert.equal(
    spansOf(r.sink.data).some((s) => s.name === 'next'),
    false,
    'next waits for its own overlaps',
  );
  await r.proc.shutdown();
  await r.sink.waitForItems(3);
});

test('cost: shared releases a span of a quiet replica once wall time has moved its clock past the bound, and never later than max_hold', async () => {
  const r = await rig(config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand', shared: { settle_window: '50ms', tick: '10ms' } }));
  await r.proc.consume(traces({ resource: testReplica('q'), spans: [llmSpan({ name: 'alone', start: 0, end: 0.05, input: 1, output: 1 })] }), {});
  await r.sink.waitForItems(1); // ~50 ms later: nothing else can overlap it
  close(spansOf(r.sink.data)[0]?.attrs['gen_ai.usage.cost'], 0.00005);
  await r.proc.shutdown();

  const h = await rig(
    config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand', shared: { settle_window: '1h', max_hold: '80ms', tick: '10ms' } }),
  );
  await h.proc.consume(traces({ resource: testReplica('q'), spans: [llmSpan({ name: 'held', start: 0, end: 1, input: 1, output: 1 })] }), {});
  await h.sink.waitForItems(1); // the 1 h bound is not waited for: max_hold caps the delay
  close(spansOf(h.sink.data)[0]?.attrs['gen_ai.usage.cost'], 0.001);
  await h.proc.shutdown();
});

test('cost: held spans are bounded by max_pending_spans; the oldest are priced early and counted', async () => {
  const r = await rig(config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand', shared: { settle_window: '1h', max_pending_spans: 10 } }));
  for (let i = 0; i < 50; i++) {
    await r.proc.consume(traces({ resource: testReplica('r1'), spans: [llmSpan({ name: `s${i}`, start: i, end: i + 0.5, input: 1, output: 1 })] }), {});
  }
  await r.sink.waitForItems(40);
  const held = (await r.telemetry.registry.getSingleMetric('tollgate_gpucost_held_spans')!.get()).values[0]!.value;
  assert.ok(held <= 10, `held ${held} spans`);
  const early = (await r.telemetry.registry.getSingleMetric('tollgate_gpucost_early_released_spans')!.get()).values[0]!.value;
  assert.equal(early, 40);
  assert.equal(spansOf(r.sink.data)[0]?.attrs['tollgate.gpucost.early'], true);
  await r.proc.shutdown();
  await r.sink.waitForItems(50);
  for (const s of spansOf(r.sink.data)) close(s.attrs['gen_ai.usage.cost'], 0.0005);
});

test('cost: a late span corrects the spans priced before it arrived: the late span carries the credit, and costs plus credits equal the full-knowledge price', async () => {
  // The DESIGN.md example arriving in the worst order: A is priced alone (max_hold), then B, which overlaps it, arrives.
  const r = await rig(config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand', shared: { max_hold: '20ms', tick: '5ms' } }));
  await r.proc.consume(
    traces({
      resource: testReplica('r1'),
      spans: [llmSpan({ name: 'A', start: 0, end: 10, input: 400, output: 600, model: 'm-a', attrs: { 'tollgate.showback.tenant': 'acme' } })],
    }),
    {},
  );
  await r.sink.waitForItems(1);
  await r.proc.consume(traces({ resource: testReplica('r1'), spans: [llmSpan({ name: 'B', start: 5, end: 10, input: 200, output: 800, model: 'm-b' })] }), {});
  await r.sink.waitForItems(2);
  const byName = new Map(spansOf(r.sink.data).map((s) => [s.name, s.attrs]));
  close(byName.get('A')?.['gen_ai.usage.cost'], 0.01); // alone, as far as was known
  const b = byName.get('B')!;
  assert.equal(b['tollgate.gpucost.late'], true);
  close(b['gen_ai.usage.cost'], 0.01 / 3); // its share of 5–10 s (200 of 300 tokens/s)
  close(b['tollgate.gpucost.adjustment'], -0.01 / 3); // what A paid too much
  assert.deepEqual(b['tollgate.gpucost.adjustment.groups'], [
    { 'gen_ai.request.model': 'm-a', 'tollgate.showback.tenant': 'acme', amount: b['tollgate.gpucost.adjustment'] },
  ]);
  // A net of its credit, plus B: the worked example's 0.006667 + 0.003333 = c × 10 s busy.
  close((byName.get('A')?.['gen_ai.usage.cost'] as number) + (b['tollgate.gpucost.adjustment'] as number), 0.02 / 3);
  assert.match(await metric(r.telemetry, 'tollgate_gpucost_late_spans'), / 1$/);
  close((await r.telemetry.registry.getSingleMetric('tollgate_gpucost_adjustment_usd')!.get()).values[0]!.value, 0.01 / 3);
  await r.proc.shutdown();
});

test("cost: busy seconds are the union of a replica's requests whatever order they are released in", async () => {
  // The later-starting span is priced first: busy must still be 10 s, not 5.
  const r = await rig(config({ cost_model: 'shared', prices: TEST_PRICES, tier: 'on_demand', shared: { max_hold: '10ms', tick: '5ms' } }));
  await r.proc.consume(traces({ resource: testReplica('r1'), spans: [llmSpan({ name: 'later', start: 5, end: 10, input: 10, output: 10 })] }), {});
  await r.sink.waitForItems(1);
  await r.proc.consume(traces({ resource: testReplica('r1'), spans: [llmSpan({ name: 'earlier', start: 0, end: 6, input: 10, output: 10 })] }), {});
  await r.sink.waitForItems(2);
  await r.proc.shutdown();
  close((await r.telemetry.registry.getSingleMetric('tollgate_gpucost_busy_seconds')!.get()).values[0]!.value, 10, 1e-9);
  const byName = new Map(spansOf(r.sink.data).map((s) => [s.name, s.attrs]));
  const net =
    (byName.get('later')?.['gen_ai.usage.cost'] as number) +
    (byName.get('earlier')?.['gen_ai.usage.cost'] as number) +
    (byName.get('earlier')?.['tollgate.gpucost.adjustment'] as number);
  close(net, 0.01, 1e-9); // c × 10 s
});

test('cost: zero- and negative-duration spans are unpriced with a reason, never $0', async () => {
  const batch = traces({
    resource: testReplica('r1'),
    spans: [llmSpan({ name: 'zero', start: 3, end: 3, input: 10, output: 10 }), llmSpan({ name: 'negative', start: 5, end: 4, input: 10, output: 10 })],
  });
  for (const cost_model of ['exclusive', 'shared']) {
    const { byName, r } = await price(config({ cost_model, prices: TEST_PRICES, tier: 'on_demand' }), batch, 2);
    for (const [name, reason] of [
      ['zero', 'zero_duration'],
      ['negative', 'negative_duration'],
    ] as const) {
      const a = byName.get(name)!;
      assert.equal(a['gen_ai.usage.cost'], undefined, `${cost_model} ${name}`);
      assert.equal(a['tollgate.gpucost.unpriced'], true);
      assert.equal(a['tollgate.gpucost.unpriced.reason'], reason);
    }
    assert.match(await metric(r.telemetry, 'tollgate_gpucost_unpriced_spans'), /"reason":"zero_duration"} 1/);
    assert.equal(await metric(r.telemetry, 'tollgate_gpucost_priced_spans'), '');
  }
});

test('cost: a reported cost is kept (method "reported") unless overwrite_cost; a reported $0 is not a price: priced by a method, else unpriced', async () => {
  const batch = () =>
    traces(
      {
        resource: testReplica('r1'),
        spans: [
          llmSpan({ name: 'reported', start: 0, end: 1, attrs: { 'gen_ai.usage.cost': 0.42 } }),
          llmSpan({ name: 'reported-zero-gpu', start: 0, end: 2, input: 1, output: 1, attrs: { 'gen_ai.usage.cost': 0 } }),
          { name: 'db', startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: [] },
        ],
      },
      {
        // OpenLIT on an API model it has no price for: cost 0, and our token table lacks it too.
        resource: { 'service.name': 'app' },
        spans: [
          llmSpan({
            name: 'reported-zero-unknown',
            kind: 3,
            start: 0,
            end: 1,
            model: 'no-such-model',
            provider: 'openai',
            input: 5,
            output: 5,
            attrs: { 'gen_ai.usage.cost': 0 },
          }),
        ],
      },
    );
  const { byName, r } = await price(config({ prices: TEST_PRICES, tier: 'on_demand' }), batch(), 4);
  assert.equal(byName.get('reported')?.['gen_ai.usage.cost'], 0.42);
  assert.equal(byName.get('reported')?.['tollgate.cost.method'], 'reported');
  close(byName.get('reported-zero-gpu')?.['gen_ai.usage.cost'], 0.002);
  assert.equal(byName.get('reported-zero-gpu')?.['tollgate.cost.method'], 'gpu_exclusive');
  const z = byName.get('reported-zero-unknown')!;
  assert.equal(z['gen_ai.usage.cost'], undefined);
  assert.equal(z['tollgate.gpucost.unpriced.reason'], 'reported_zero_cost');
  assert.deepEqual(byName.get('db'), {});
  assert.match(await metric(r.telemetry, 'tollgate_gpucost_priced_spans'), /"method":"reported"} 1/);

  const over = await price(config({ prices: TEST_PRICES, tier: 'on_demand', overwrite_cost: true }), batch(), 4);
  close(over.byName.get('reported')?.['gen_ai.usage.cost'], 0.001);
  assert.equal(over.byName.get('reported')?.['tollgate.cost.method'], 'gpu_exclusive');
});

test('cost: CLIENT spans are priced by tokens; a server span whose GPU is unknown falls back to tokens; neither is unpriced', async () => {
  const batch = traces(
    {
      resource: { 'service.name': 'app' },
      // 1000 input (400 cached) + 200 output of gpt-4o-mini: 600 × 0.15 + 400 × 0.075 + 200 × 0.60 per 1M.
      spans: [
        llmSpan({
          name: 'api',
          kind: 3,
          start: 0,
          end: 1,
          model: 'gpt-4o-mini-2024-07-18',
          provider: 'openai',
          input: 1000,
          output: 200,
          attrs: { 'gen_ai.usage.cache_read.input_tokens': 400 },
        }),
      ],
    },
    {
      resource: { 'service.instance.id': 'proxy' },
      spans: [
        llmSpan({ name: 'proxy', kind: 2, start: 0, end: 1, model: 'gpt-4o', provider: 'azure.ai.openai', input: 100, output: 10 }),
        llmSpan({ name: 'self-hosted', kind: 2, start: 0, end: 1, model: 'my-finetune', input: 100, output: 10 }),
      ],
    },
  );
  const { byName, r } = await price(config({ cost_model: 'shared' }), batch, 3);
  close(byName.get('api')?.['gen_ai.usage.cost'], (600 * 0.15 + 400 * 0.075 + 200 * 0.6) / 1e6);
  assert.equal(byName.get('api')?.['tollgate.cost.method'], 'token_price');
  assert.equal(byName.get('api')?.['tollgate.cost.token_price.entry'], 'openai/gpt-4o-mini');
  close(byName.get('proxy')?.['gen_ai.usage.cost'], (100 * 2.5 + 10 * 10) / 1e6);
  assert.equal(byName.get('proxy')?.['tollgate.cost.token_price.entry'], 'openai/gpt-4o');
  assert.equal(byName.get('self-hosted')?.['tollgate.gpucost.unpriced.reason'], 'unknown_gpu');
  const m = await metric(r.telemetry, 'tollgate_gpucost_unpriced_spans');
  assert.match(m, /"reason":"unknown_gpu"} 1/);
  assert.doesNotMatch(m, /unknown_model_price/);
});
