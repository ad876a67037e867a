import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FACTORIES } from '../../src/components.js';
import { NEEDS_KAFKA, checkLifecycle, factoryKey } from './lifecycle.js';

// Every registered factory passes the lifecycle check (lifecycle.ts); the ones
// in NEEDS_KAFKA do so in the integration tier. A factory whose defaults alone
// are not a valid config needs an entry here, so a new component cannot skip it.
const tmp = mkdtempSync(join(tmpdir(), 'tollgate-lifecycle-'));
const MINIMAL: Record<string, () => Record<string, unknown>> = {
  'receiver/otlp': () => ({ protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } }),
  'receiver/prometheusremotewrite': () => ({ endpoint: '127.0.0.1:0' }),
  'exporter/file': () => ({ path: join(tmp, `out-${Math.random()}.jsonl`) }),
  'exporter/otlp': () => ({ endpoint: '127.0.0.1:1', tls: { insecure: true } }),
  'exporter/otlphttp': () => ({ endpoint: 'http://127.0.0.1:1' }),
  'exporter/prometheusremotewrite': () => ({ endpoint: 'http://127.0.0.1:1/api/v1/receive' }),
  'exporter/prometheus': () => ({ endpoint: '127.0.0.1:0' }),
  'extension/health_check': () => ({ endpoint: '127.0.0.1:0' }),
  'extension/file_storage': () => ({ directory: join(tmp, 'storage'), create_directory: true }),
  'extension/bearertokenauth': () => ({ token: 't' }),
  'extension/basicauth': () => ({ htpasswd: { inline: 'u:p' } }),
  'processor/memory_limiter': () => ({ limit_mib: 4096 }),
};

for (const f of FACTORIES) {
  if (NEEDS_KAFKA.has(factoryKey(f))) continue;
  test(`${f.kind} ${f.type}: create, start, shutdown twice; shutdown without start`, async () => {
    await checkLifecycle(f, MINIMAL[factoryKey(f)]?.() ?? {});
  });
}
