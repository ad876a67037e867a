import type { ITimeSeries, PromWrite } from '../pdata/proto.js';
import { METRIC_NAME_LABEL, describeSeries, isValidLabelName, isValidMetricName } from './labels.js';

/** Why a series is refused, in the words of the remote-write specification. */
export type InvalidReason =
  | 'no labels'
  | 'empty label name'
  | 'empty label value'
  | 'invalid label name'
  | 'labels not sorted by name'
  | 'duplicate label name'
  | 'missing metric name'
  | 'invalid metric name';

export interface InvalidSeries {
  /** Index of the first offending series in the request. */
  readonly index: number;
  readonly reason: InvalidReason;
  /** Full message naming the series, for the 400 body and the log. */
  readonly message: string;
}

/** Checks one series' labels; returns why it is invalid, or undefined. */
export function checkSeries(ts: ITimeSeries): { reason: InvalidReason; detail: string } | undefined {
  const labels = ts.labels;
  if (!labels || labels.length === 0) return { reason: 'no labels', detail: '' };
  let prev = '';
  let metric: string | undefined;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const name = l.name ?? '';
    const value = l.value ?? '';
    if (name === '') return { reason: 'empty label name', detail: ` (value ${JSON.stringify(value)})` };
    if (i > 0 && name <= prev) {
      return name === prev
        ? { reason: 'duplicate label name', detail: ` ${JSON.stringify(name)}` }
        : { reason: 'labels not sorted by name', detail: ` (${JSON.stringify(name)} after ${JSON.stringify(prev)})` };
    }
    prev = name;
    if (value === '') return { reason: 'empty label value', detail: ` for ${JSON.stringify(name)}` };
    if (name === METRIC_NAME_LABEL) metric = value;
    else if (!isValidLabelName(name)) return { reason: 'invalid label name', detail: ` ${JSON.stringify(name)}` };
  }
  if (metric === undefined) return { reason: 'missing metric name', detail: ` (no ${METRIC_NAME_LABEL} label)` };
  if (!isValidMetricName(metric)) return { reason: 'invalid metric name', detail: ` ${JSON.stringify(metric)}` };
  return undefined;
}

/**
 * Validates a remote-write request as the specification requires of a
 * receiver: labels sorted by name, no duplicates, no empty names or values,
 * valid label and metric names. Returns the first offending series, or
 * undefined when the whole request is valid.
 */
export function validateWriteRequest(req: PromWrite): InvalidSeries | undefined {
  const series = req.timeseries;
  if (!series) return undefined;
  for (let i = 0; i < series.length; i++) {
    const bad = checkSeries(series[i]!);
    if (bad) return describeInvalid(i, series[i]!, bad);
  }
  return undefined;
}

/** The report of series #i, refused for `why`. */
export function describeInvalid(i: number, ts: ITimeSeries, why: { reason: InvalidReason; detail: string }): InvalidSeries {
  return { index: i, reason: why.reason, message: `invalid series #${i} ${describeSeries(ts.labels)}: ${why.reason}${why.detail}` };
}
