// TLS towards a real Tollgate receiver: the otlp and otlphttp exporters
// verify the server against `tls.ca_file`, and `tls.insecure_skip_verify`
// skips that check. The certificate is self-signed, made with openssl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Signal } from '../../../src/component/signal.js';
import { otlpExporterFactory } from '../../../src/exporters/otlp/factory.js';
import { otlpHttpExporterFactory } from '../../../src/exporters/otlphttp/factory.js';
import { validateAgainst } from '../../../src/config/validate.js';
import type { ConsumerError } from '../../../src/errors/consumererror.js';
import { decodeJSON, encodeJSON } from '../../../src/pdata/otlpjson.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { freePort } from '../../helpers/ports.js';
import { selfSignedCert } from '../../helpers/tlscerts.js';

const HOST = { health: () => 'ok' as const };
const tls = selfSignedCert();
after(() => rmSync(tls.dir, { recursive: true, force: true }));
const traces = () => decodeJSON('traces', readFileSync(new URL('../../../../test/fixtures/otlp/traces.json', import.meta.url), 'utf8'));

async function receiverB(path: string) {
  const [grpc, http] = await Promise.all([freePort(), freePort()]);
  const svc = new Service(
    {
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `127.0.0.1:${grpc}`, tls: { cert_file: tls.cert, key_file: tls.key } },
            http: { endpoint: `127.0.0.1:${http}`, tls: { cert_file: tls.cert, key_file: tls.key } },
          },
        },
      },
      exporters: { file: { path } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['file'] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  return { svc, grpc, http };
}

function exporter(type: 'otlp' | 'otlphttp', raw: Record<string, unknown>) {
  const f = type === 'otlp' ? otlpExporterFactory : otlpHttpExporterFactory;
  const cfg: any = { sending_queue: { enabled: false }, retry_on_failure: { enabled: false }, ...raw };
  assert.deepEqual(validateAgainst(f.schema, cfg, `exporters.${type}`), []);
  return f.create.traces!({ id: type, kind: 'exporter', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) }, cfg);
}

async function sendOnce(exp: ReturnType<typeof exporter>) {
  await exp.start(HOST);
  try {
    await exp.consume(traces(), {});
  } finally {
    await exp.shutdown();
  }
}

test('otlp and otlphttp over TLS: trusted via ca_file, or with insecure_skip_verify; untrusted is refused', async () => {
  const path = join(tls.dir, 'out.jsonl');
  const b = await receiverB(path);
  try {
    const targets = {
      otlp: { endpoint: `127.0.0.1:${b.grpc}` },
      otlphttp: { endpoint: `https://127.0.0.1:${b.http}` },
    } as const;
    for (const type of ['otlp', 'otlphttp'] as const) {
      await sendOnce(exporter(type, { ...targets[type], tls: { ca_file: tls.cert } }));
      await sendOnce(exporter(type, { ...targets[type], tls: { insecure_skip_verify: true } }));
      await assert.rejects(sendOnce(exporter(type, targets[type])), (e: ConsumerError) => e instanceof Error, `${type} without trust fails`);
    }
  } finally {
    await b.svc.shutdown();
  }
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 4);
  for (const l of lines) assert.equal(encodeJSON('traces', decodeJSON('traces' as Signal as 'traces', l)), encodeJSON('traces', traces()));
});
