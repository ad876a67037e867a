// Every refusal is logged with its stable error code — but a client sending
// garbage in a loop cannot flood the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateSettings } from '../../../src/component/factory.js';
import { permanentError } from '../../../src/errors/consumererror.js';
import { encodeProto } from '../../../src/pdata/otlpjson.js';
import { otlpReceiverFactory } from '../../../src/receivers/otlp/factory.js';
import type { OtlpReceiver } from '../../../src/receivers/otlp/receiver.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { captureLogger } from '../../helpers/capturelogger.js';
import { GRPC_PATHS, grpcCall, httpRequest } from './rawclient.js';

test('refusals are logged with their code, at most a burst per window per code, the rest counted', async () => {
  const { logger, lines } = captureLogger('warn');
  const set: CreateSettings = { id: 'otlp/logs', kind: 'receiver', logger, telemetry: new SelfTelemetry({ processMetrics: false }) };
  const refuse = {
    capabilities: { mutatesData: false },
    consume: async () => {
      throw permanentError('TG_INVALID_DATA', 'no service.name');
    },
  };
  const cfg = { protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } };
  const r = otlpReceiverFactory.create.traces!(set, cfg as never, refuse as never) as OtlpReceiver;
  await r.start({ health: () => 'ok' });
  try {
    const url = `http://127.0.0.1:${r.httpPort}/v1/traces`;
    for (let i = 0; i < 25; i++) {
      const a = await httpRequest(url, { headers: { 'Content-Type': 'application/json' }, body: '{"resourceSpans": nope' });
      assert.equal(a.status, 400);
    }
    const span = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 's' }] }] }] };
    const g = await grpcCall(r.grpcPort, GRPC_PATHS.traces, encodeProto('traces', span));
    assert.equal(g.error?.code, 3);
  } finally {
    await r.shutdown();
  }
  const decode = lines.filter((l) => l.code === 'TG_DECODE');
  assert.equal(decode.length, 10, 'a burst of 10 per window for one code');
  assert.equal(decode[0]!.transport, 'http');
  assert.equal(decode[0]!.status, '400');
  assert.match(decode[0]!.err.message, /invalid JSON/);
  const refused = lines.filter((l) => l.code === 'TG_INVALID_DATA');
  assert.equal(refused.length, 1, 'another code has its own budget');
  assert.equal(refused[0]!.transport, 'grpc');
  assert.equal(refused[0]!.items, 1);
  assert.equal(refused[0]!.grpc_code, 3);
});
