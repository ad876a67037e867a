import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileExporterFactory } from '../../../src/exporters/file/factory.js';
import type { FileConfig } from '../../../src/exporters/file/config.js';
import { validateAgainst } from '../../../src/config/validate.js';
import type { ConsumerError } from '../../../src/errors/consumererror.js';
import { decodeJSON } from '../../../src/pdata/otlpjson.js';
import type { Traces } from '../../../src/pdata/proto.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { mountSmallDisk } from '../../helpers/fulldisk.js';

const HOST = { health: () => 'ok' as const };

function traces(name: string, pad: number): Traces {
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [{ name, traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(pad) } }] }],
          },
        ],
      },
    ],
  };
}

for (const append of [false, true]) {
  test(`a write that fills the disk is cut off: no partial line, later records start on a line of their own (append: ${append})`, async () => {
    const disk = mountSmallDisk(64 * 1024);
    try {
      const path = join(disk.dir, 'traces.jsonl');
      const cfg: Record<string, unknown> = { path, append };
      assert.deepEqual(validateAgainst(fileExporterFactory.schema, cfg, 'exporters.file'), []);
      const create = fileExporterFactory.create.traces;
      assert.ok(create);
      const exp = create({ id: 'file', kind: 'exporter', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) }, cfg as FileConfig);
      await exp.start(HOST);
      await exp.consume(traces('first', 1000), {});
      // Fill the disk so the next record fits only in part.
      const filler = join(disk.dir, 'filler');
      const used = readFileSync(path).length;
      writeFileSync(filler, Buffer.alloc(64 * 1024 - used - 8 * 1024 > 0 ? 64 * 1024 - used - 8 * 1024 : 1));
      const err = await exp.consume(traces('too-big', 30_000), {}).then(
        () => undefined,
        (e: ConsumerError) => e,
      );
      assert.ok(err, 'the write that did not fit failed');
      assert.equal(readFileSync(path).length, used, 'the partial write was cut off');
      // Room again: the next record is a whole line of its own.
      unlinkSync(filler);
      await exp.consume(traces('after', 100), {});
      await exp.shutdown();
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      assert.deepEqual(
        lines.map((l) => (decodeJSON('traces', l) as Traces).resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.name),
        ['first', 'after'],
      );
    } finally {
      disk.remove();
    }
  });
}
