// Graceful shutdown, in process: everything the gateway accepted (HTTP 200
// from the real OTLP receiver) before shutdown() is in the file afterwards,
// with a batch processor between them that holds data until its timeout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJSON } from '../../../src/pdata/otlpjson.js';
import { countItems } from '../../../src/pdata/count.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-shutdown-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function spans(name: string, n: number) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shutdown-test' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: Array.from({ length: n }, (_, i) => ({
              traceId: (i + 1).toString(16).padStart(32, '0'),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: `${name}-${i}`,
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000500000000',
            })),
          },
        ],
      },
    ],
  };
}

test('graceful shutdown: data accepted before shutdown() is in the file afterwards', async () => {
  const port = await freePort();
  const path = join(dir, 'traces.jsonl');
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors: { batch: { timeout: '1s', send_batch_size: 100000 } },
      exporters: { file: { path } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['file'] } } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const requests = 40;
  const accepted: string[] = [];
  try {
    await Promise.all(
      Array.from({ length: requests }, async (_, r) => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(spans(`r${r}`, 5)),
        });
        await res.arrayBuffer();
        if (res.status === 200) accepted.push(`r${r}`);
      }),
    );
  } finally {
    await svc.shutdown();
  }
  assert.equal(accepted.length, requests, 'every request was accepted');
  const names = new Set<string>();
  let items = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const t = decodeJSON('traces', line);
    items += countItems('traces', t);
    for (const rs of t.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) names.add(s.name!);
  }
  assert.equal(items, requests * 5);
  for (const r of accepted) for (let i = 0; i < 5; i++) assert.ok(names.has(`${r}-${i}`), `${r}-${i} is in the file`);
});
