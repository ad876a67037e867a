import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cloneData, clonePromWrite } from '../../src/pdata/clone.js';
import { decodeJSON, logsToJSON, metricsToJSON, tracesToJSON } from '../../src/pdata/otlpjson.js';
import type { Logs } from '../../src/pdata/proto.js';
import type { PromWrite, Traces } from '../../src/pdata/proto.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = <S extends 'traces' | 'metrics' | 'logs'>(s: S) =>
  decodeJSON(s, readFileSync(`${ROOT}test/fixtures/otlp/${s}.json`, 'utf8'));

describe('cloneData', () => {
  it('copies every field of each signal', () => {
    assert.deepEqual(tracesToJSON(cloneData('traces', fixture('traces')) as Traces), tracesToJSON(fixture('traces')));
    const m = fixture('metrics');
    assert.deepEqual(metricsToJSON(cloneData('metrics', m) as typeof m), metricsToJSON(m));
    assert.deepEqual(logsToJSON(cloneData('logs', fixture('logs')) as Logs), logsToJSON(fixture('logs')));
  });

  it('shares nothing with the original', () => {
    const original: Traces = fixture('traces');
    const copy = cloneData('traces', original) as Traces;
    const span = copy.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
    span.name = 'changed';
    span.attributes!.push({ key: 'new', value: { boolValue: true } });
    span.traceId![0] = 0xff;
    const before = tracesToJSON(fixture('traces'));
    assert.deepEqual(tracesToJSON(original), before);
  });

  it('copies a remote-write batch in its own shape', () => {
    const request: PromWrite = { timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 2 }] }] };
    const copy = cloneData('metrics', { format: 'prw', request });
    assert.ok('format' in copy && copy.format === 'prw');
    assert.equal(copy.request.timeseries![0]!.labels![0]!.value, 'up');
    assert.notEqual(copy.request, request);
  });
});

describe('clonePromWrite', () => {
  it('keeps the stale-marker NaN bit pattern and 64-bit values', () => {
    const stale = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
    const w: PromWrite = {
      timeseries: [{ labels: [{ name: '__name__', value: 'x' }], samples: [{ value: stale, timestamp: 1700000000000 }] }],
      metadata: [{ type: 1, metricFamilyName: 'x', help: 'help' }],
    };
    const copy = clonePromWrite(w);
    const bits = Buffer.alloc(8);
    bits.writeDoubleBE(copy.timeseries![0]!.samples![0]!.value!, 0);
    assert.equal(bits.toString('hex'), '7ff0000000000002');
    assert.equal(copy.timeseries![0]!.samples![0]!.timestamp!.toString(), '1700000000000');
    assert.equal(copy.metadata![0]!.help, 'help');
    copy.timeseries![0]!.labels![0]!.value = 'y';
    assert.equal(w.timeseries![0]!.labels![0]!.value, 'x');
  });
});
