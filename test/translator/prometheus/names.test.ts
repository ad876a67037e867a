import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFloat, labelName, metricName, promUnit, sanitizeMetricName } from '../../../src/translator/prometheus/index.js';

test('metric names follow the OpenTelemetry → Prometheus suffix rules', () => {
  const cases: [string, string, Parameters<typeof metricName>[2], string][] = [
    ['system.filesystem.usage', 'By', 'gauge', 'system_filesystem_usage_bytes'],
    ['system.io', 'By', 'counter', 'system_io_bytes_total'],
    ['http.server.duration', 'ms', 'histogram', 'http_server_duration_milliseconds'],
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['process.cpu.time', 's', 'counter', 'process_cpu_time_seconds_total'],
    ['system.memory.utilization', '1', 'gauge', 'system_memory_utilization_ratio'],
    ['system.cpu.utilization', '1', 'counter', 'system_cpu_utilization_total'],
    ['http.requests', '{request}', 'counter', 'http_requests_total'],
    ['queue.depth', '{item}', 'updowncounter', 'queue_depth'],
    ['network.io', 'By/s', 'gauge', 'network_io_bytes_per_second'],
    ['request.rate', '{req}/s', 'gauge', 'request_rate_per_second'],
    ['requests.total', '', 'counter', 'requests_total'],
    ['latency_seconds', 's', 'gauge', 'latency_seconds'],
    ['gen_ai.client.token.usage', '{token}', 'histogram', 'gen_ai_client_token_usage'],
    ['1st.metric', '', 'gauge', '_1st_metric'],
    ['temp', 'Cel', 'gauge', 'temp_celsius'],
    ['odd..name--x', 'widgets', 'gauge', 'odd_name_x_widgets'],
  ];
  for (const [name, unit, shape, want] of cases) assert.equal(metricName(name, unit, shape, '', true), want, `${name} [${unit}] ${shape}`);
});

test('namespace prefixes, and suffixes can be turned off', () => {
  assert.equal(metricName('http.requests', '{request}', 'counter', 'tg', true), 'tg_http_requests_total');
  assert.equal(metricName('http.server.duration', 'ms', 'histogram', '', false), 'http_server_duration');
  assert.equal(metricName('vllm:num_requests_running', '', 'gauge', '', false), 'vllm:num_requests_running');
  assert.equal(metricName('2xx.count', '', 'counter', '', false), '_2xx_count');
  assert.equal(sanitizeMetricName('a/b c'), 'a_b_c');
});

test('units as Prometheus metadata words', () => {
  assert.equal(promUnit('s'), 'seconds');
  assert.equal(promUnit('By/s'), 'bytes_per_second');
  assert.equal(promUnit('{token}'), '');
  assert.equal(promUnit('1'), '');
});

test('label names are sanitized', () => {
  assert.equal(labelName('http.method'), 'http_method');
  assert.equal(labelName('0abc'), 'key_0abc');
  assert.equal(labelName('_private'), 'key_private');
  assert.equal(labelName('__reserved'), '__reserved');
  assert.equal(labelName('gen_ai.request.model'), 'gen_ai_request_model');
  assert.equal(labelName('ünï'), 'key_n_');
});

test('floats are written without exponents, as le labels need', () => {
  assert.equal(formatFloat(0.005), '0.005');
  assert.equal(formatFloat(1e-7), '0.0000001');
  assert.equal(formatFloat(2.5e-10), '0.00000000025');
  assert.equal(formatFloat(67108864), '67108864');
  assert.equal(formatFloat(1e21), '1000000000000000000000');
  assert.equal(formatFloat(-1.5e-7), '-0.00000015');
  assert.equal(formatFloat(Infinity), '+Inf');
});
