import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { countDataPoints, countItems, countLogRecords, countPromWritePoints, countSpans } from '../../src/pdata/count.js';
import { decodeJSON, decodeProto, encodeProto } from '../../src/pdata/otlpjson.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = <S extends 'traces' | 'metrics' | 'logs'>(s: S) =>
  decodeJSON(s, readFileSync(`${ROOT}test/fixtures/otlp/${s}.json`, 'utf8'));

describe('countItems', () => {
  it('counts spans, data points and log records in the golden files', () => {
    assert.equal(countItems('traces', fixture('traces')), 2);
    // gauge 3 + sum 1 + histogram 2 + exponential 1 + summary 1; metrics without points add 0.
    assert.equal(countItems('metrics', fixture('metrics')), 8);
    assert.equal(countItems('logs', fixture('logs')), 5);
  });

  it('counts decoded messages (defaults on the prototype) the same way', () => {
    for (const s of ['traces', 'metrics', 'logs'] as const) {
      const decoded = decodeProto(s, encodeProto(s, fixture(s)));
      assert.equal(countItems(s, decoded), countItems(s, fixture(s)));
    }
  });

  it('counts empty and sparse batches as zero', () => {
    assert.equal(countSpans({}), 0);
    assert.equal(countSpans({ resourceSpans: [{}, { scopeSpans: [{}] }] }), 0);
    assert.equal(countDataPoints({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x' }, { sum: {} }] }] }] }), 0);
    assert.equal(countLogRecords({ resourceLogs: [] }), 0);
  });

  it('counts remote-write samples and histogram samples', () => {
    const request = {
      timeseries: [
        { samples: [{ value: 1 }, { value: 2 }] },
        { histograms: [{ countInt: 1 }], exemplars: [{ value: 1 }] },
        {},
      ],
    };
    assert.equal(countPromWritePoints(request), 3);
    assert.equal(countItems('metrics', { format: 'prw', request }), 3);
  });
});
