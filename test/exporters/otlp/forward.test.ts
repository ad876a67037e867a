// Forwarding, end to end with the real receiver on both sides:
//   client ──OTLP/HTTP JSON──► Tollgate A (otlp | otlphttp exporter) ──► Tollgate B (otlp receiver) ──► file
// B's file must hold exactly what the client sent to A. Then B is stopped,
// more data goes to A (accepted into A's sending queue), A's exporter fails
// and retries, B comes back on the same ports, and A's retries deliver
// everything. Run for both exporters.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signal } from '../../../src/component/signal.js';
import { decodeJSON, encodeJSON } from '../../../src/pdata/otlpjson.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { captureLogger } from '../../helpers/capturelogger.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/waitfor.js';

const SIGNALS: Signal[] = ['traces', 'metrics', 'logs'];
const dir = mkdtempSync(join(tmpdir(), 'tollgate-forward-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixtureText = (s: Signal) => readFileSync(new URL(`../../../../test/fixtures/otlp/${s}.json`, import.meta.url), 'utf8');
/** Canonical OTLP JSON of a request, for comparing what was sent with what arrived. */
const canonical = (s: Signal, text: string) => encodeJSON(s, decodeJSON(s, text));
const TOP: Record<string, Signal> = { resourceSpans: 'traces', resourceMetrics: 'metrics', resourceLogs: 'logs' };

function pipelines(receiver: string, exporter: string) {
  return Object.fromEntries(SIGNALS.map((s) => [s, { receivers: [receiver], exporters: [exporter] }]));
}

function configB(grpcPort: number, httpPort: number, path: string) {
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}` }, http: { endpoint: `127.0.0.1:${httpPort}` } } } },
    exporters: { file: { path, append: true } },
    service: { telemetry: { metrics: { address: '' } }, pipelines: pipelines('otlp', 'file') },
  };
}

const RETRY = { initial_interval: '50ms', randomization_factor: 0, multiplier: 2, max_interval: '400ms', max_elapsed_time: '2m' };

function configA(kind: 'otlp' | 'otlphttp', inPort: number, bGrpc: number, bHttp: number) {
  const exporter =
    kind === 'otlp'
      ? { endpoint: `127.0.0.1:${bGrpc}`, tls: { insecure: true }, retry_on_failure: RETRY }
      : { endpoint: `http://127.0.0.1:${bHttp}`, retry_on_failure: RETRY };
  return {
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${inPort}` } } } },
    exporters: { [`${kind}/b`]: exporter },
    service: { telemetry: { metrics: { address: '' } }, pipelines: pipelines('otlp', `${kind}/b`) },
  };
}

async function post(port: number, signal: Signal, body: string): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(r.status, 200, `A accepted ${signal}: ${await r.text()}`);
}

/** Lines of B's file, by signal, canonicalized. */
function received(path: string): Record<Signal, string[]> {
  const out: Record<Signal, string[]> = { traces: [], metrics: [], logs: [] };
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const key = Object.keys(JSON.parse(line))[0]!;
    const s = TOP[key];
    assert.ok(s, `unexpected line in B's file: ${line.slice(0, 80)}`);
    out[s].push(canonical(s, line));
  }
  return out;
}
const total = (r: Record<Signal, string[]>) => r.traces.length + r.metrics.length + r.logs.length;

for (const kind of ['otlp', 'otlphttp'] as const) {
  test(`forwarding through the ${kind} exporter: B's file equals what A was sent, also across a B outage`, async () => {
    const [bGrpc, bHttp, aIn] = await Promise.all([freePort(), freePort(), freePort()]);
    const path = join(dir, `${kind}.jsonl`);
    const capture = captureLogger('warn');
    const a = new Service(configA(kind, aIn, bGrpc, bHttp), { logger: capture.logger });
    let b = new Service(configB(bGrpc, bHttp, path), { logger: silentLogger() });
    try {
      await b.start();
      await a.start();

      // 1. Live forwarding.
      for (const s of SIGNALS) await post(aIn, s, fixtureText(s));
      await waitFor(() => total(received(path)) === 3, "B's file to hold the three requests");
      const live = received(path);
      for (const s of SIGNALS) assert.deepEqual(live[s], [canonical(s, fixtureText(s))], `${s} arrived unchanged`);

      // 2. B is down: A still accepts (its queue holds the data) and retries.
      await b.shutdown();
      const rounds = 3;
      for (let i = 0; i < rounds; i++) for (const s of SIGNALS) await post(aIn, s, fixtureText(s));
      await waitFor(
        () => capture.lines.some((l) => l.msg === 'exporting failed; will retry the request after the delay'),
        "A's exporter to fail and schedule a retry",
      );
      assert.equal(total(received(path)), 3, 'nothing reached the file while B was down');

      // 3. B is back on the same ports: A's retries deliver everything, once.
      b = new Service(configB(bGrpc, bHttp, path), { logger: silentLogger() });
      await b.start();
      await waitFor(() => total(received(path)) >= 3 + 3 * rounds, "A's retries to reach B", 60_000);
      await a.shutdown();
      await b.shutdown();
      const all = received(path);
      for (const s of SIGNALS) {
        assert.equal(all[s].length, 1 + rounds, `${s}: every request delivered exactly once`);
        for (const line of all[s]) assert.equal(line, canonical(s, fixtureText(s)));
      }
    } finally {
      await a.shutdown();
      await b.shutdown();
    }
  });
}
