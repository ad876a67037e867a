import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { decodeJSON } from '../../../src/pdata/otlpjson.js';
import type { ILogRecord, ISpan, Logs } from '../../../src/pdata/proto.js';
import { attrsToObject } from '../../../src/genai/attrs.js';
import { luhn } from '../../../src/processors/redaction/patterns.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';
import { exportOk, logExporter, recordingLogger, recordingTracer, shutdownAll, traceExporter } from '../../helpers/otlp-sdk.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-redaction-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PROMPT =
  'Contact me at jane.doe@example.com or +1 415-555-0132, card 4111 1111 1111 1111, key sk-proj-abcdefghijklmnopqrstuvwxyz123456, ticket TICKET-9921. ' +
  'Order 12345678 shipped in 2024; ref 1234 5678 9012 3456.';
const MASKED =
  'Contact me at [REDACTED:email] or [REDACTED:phone], card [REDACTED:card], key [REDACTED:api_key], ticket [REDACTED:ticket]. ' +
  'Order 12345678 shipped in 2024; ref 1234 5678 9012 3456.';
const INPUT_MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
const OUTPUT_MESSAGES = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Sure, I will mail bob@corp.io.' }] }]);
const SYSTEM = 'You are a support agent for ACME. Secret code 7781.';
const EVENT_CONTENT = 'My phone is (020) 7946 0958 and email amy@example.org';
const LOG_BODY = 'Hello, my card is 5500 0055 5555 5559';

/** Every content string that must never reach an exporter unredacted in drop and hash modes. */
const SECRETS = [PROMPT, 'jane.doe@example.com', '4111 1111 1111 1111', 'sk-proj-abcdefghijklmnopqrstuvwxyz123456', 'bob@corp.io', 'Secret code 7781', 'amy@example.org', '5500 0055 5555 5559', 'legacy prompt text', 'legacy completion text', 'OpenInference input'];

async function runThroughGateway(redaction: Record<string, unknown>): Promise<{ spans: ISpan[]; logs: ILogRecord[]; raw: string }> {
  const path = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  const httpPort = await freePort();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${httpPort}` } } } },
      processors: { redaction },
      exporters: { file: { path } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['redaction'], exporters: ['file'] },
          logs: { receivers: ['otlp'], processors: ['redaction'], exporters: ['file'] },
        },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const resource = resourceFromAttributes({ 'service.name': 'support-bot' });
  const t = recordingTracer(resource);
  const l = recordingLogger(resource);
  const target = { grpcPort: 0, httpPort };
  const te = traceExporter('http/protobuf', target);
  const le = logExporter('http/protobuf', target);
  try {
    const span = t.tracer('app').startSpan('chat gpt-4o', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.input.messages': INPUT_MESSAGES,
        'gen_ai.output.messages': OUTPUT_MESSAGES,
        'gen_ai.system_instructions': SYSTEM,
        'gen_ai.prompt': 'legacy prompt text',
        'gen_ai.completion': 'legacy completion text',
        'input.value': 'OpenInference input',
      },
    });
    span.addEvent('gen_ai.user.message', { 'gen_ai.system': 'openai', content: EVENT_CONTENT, role: 'user' });
    span.addEvent('exception', { 'exception.message': 'timeout talking to upstream' });
    span.end();
    l.logger('app').emit({ eventName: 'gen_ai.user.message', body: LOG_BODY, attributes: { 'gen_ai.provider.name': 'openai', role: 'user' } });
    await exportOk(te, t.finished());
    await exportOk(le, l.finished());
  } finally {
    await shutdownAll(te, le);
    await t.shutdown();
    await l.shutdown();
    await svc.shutdown();
  }
  const raw = readFileSync(path, 'utf8');
  const spans: ISpan[] = [];
  const logs: ILogRecord[] = [];
  for (const line of raw.split('\n').filter(Boolean)) {
    const obj = JSON.parse(line);
    if (obj.resourceSpans) for (const rs of decodeJSON('traces', line).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
    if (obj.resourceLogs) for (const rl of (decodeJSON('logs', line) as Logs).resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) logs.push(...(sl.logRecords ?? []));
  }
  assert.equal(spans.length, 1);
  assert.equal(logs.length, 1);
  return { spans, logs, raw };
}

test('redaction (default, drop): no content value reaches the file exporter; lengths remain', async () => {
  const { spans, logs, raw } = await runThroughGateway({});
  for (const s of SECRETS) assert.ok(!raw.includes(s) && !raw.includes(JSON.stringify(s).slice(1, -1)), `"${s}" reached the file`);
  const a = attrsToObject(spans[0]!.attributes);
  assert.deepEqual(a, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 42,
    'gen_ai.input.messages.length': INPUT_MESSAGES.length,
    'gen_ai.output.messages.length': OUTPUT_MESSAGES.length,
    'gen_ai.system_instructions.length': SYSTEM.length,
    'gen_ai.prompt.length': 'legacy prompt text'.length,
    'gen_ai.completion.length': 'legacy completion text'.length,
    'input.value.length': 'OpenInference input'.length,
  });
  const events = spans[0]!.events!;
  assert.deepEqual(attrsToObject(events.find((e) => e.name === 'gen_ai.user.message')!.attributes), { 'gen_ai.system': 'openai', role: 'user', 'content.length': EVENT_CONTENT.length });
  assert.deepEqual(attrsToObject(events.find((e) => e.name === 'exception')!.attributes), { 'exception.message': 'timeout talking to upstream' });
  assert.equal(logs[0]!.body ?? null, null);
  assert.equal(attrsToObject(logs[0]!.attributes)['tollgate.redaction.body.length'], LOG_BODY.length);
  assert.equal(attrsToObject(logs[0]!.attributes)['gen_ai.provider.name'], 'openai');
});

test('redaction (hash): values become keyed SHA-256 digests; lengths remain', async () => {
  const key = 'k3y';
  const { spans, logs, raw } = await runThroughGateway({ action: 'hash', hash_key: key });
  for (const s of SECRETS) assert.ok(!raw.includes(s) && !raw.includes(JSON.stringify(s).slice(1, -1)), `"${s}" reached the file`);
  const hmac = (s: string) => `hmac-sha256:${createHmac('sha256', key).update(s).digest('hex')}`;
  const a = attrsToObject(spans[0]!.attributes);
  assert.equal(a['gen_ai.input.messages'], hmac(INPUT_MESSAGES));
  assert.equal(a['gen_ai.system_instructions'], hmac(SYSTEM));
  assert.equal(a['gen_ai.input.messages.length'], INPUT_MESSAGES.length);
  assert.equal(attrsToObject(logs[0]!.body ? [{ key: 'b', value: logs[0]!.body }] : [])['b'], hmac(LOG_BODY));
});

test('redaction (mask): patterns replace only what they match, including custom ones', async () => {
  assert.equal(luhn('1234567890123456'), false, 'the reference number in the prompt is not a card number');
  const { spans, logs } = await runThroughGateway({ action: 'mask', custom_patterns: [{ name: 'ticket', regex: 'TICKET-\\d+' }] });
  const a = attrsToObject(spans[0]!.attributes);
  assert.deepEqual(JSON.parse(a['gen_ai.input.messages'] as string), [{ role: 'user', parts: [{ type: 'text', content: MASKED }] }]);
  assert.equal(a['gen_ai.input.messages.length'], INPUT_MESSAGES.length);
  assert.deepEqual(JSON.parse(a['gen_ai.output.messages'] as string), [{ role: 'assistant', parts: [{ type: 'text', content: 'Sure, I will mail [REDACTED:email].' }] }]);
  assert.equal(a['gen_ai.system_instructions'], SYSTEM, 'nothing in it matches a pattern');
  const ev = attrsToObject(spans[0]!.events!.find((e) => e.name === 'gen_ai.user.message')!.attributes);
  assert.equal(ev.content, 'My phone is [REDACTED:phone] and email [REDACTED:email]');
  assert.equal(logs[0]!.body?.stringValue, 'Hello, my card is [REDACTED:card]');
});
