// A scrape config turned into what the loops need: durations, compiled rules,
// discoverers. Also the config checks `tollgate validate` reports.
import type { CompiledRule } from './relabel.js';
import { compileRules } from './relabel.js';
import type { PrometheusReceiverConfig, ScrapeConfig } from './config.js';
import { parseByteSize, parsePromDuration } from './duration.js';
import type { JobSettings } from './targets.js';

export interface Job {
  sc: ScrapeConfig;
  settings: JobSettings;
  metricRelabel: CompiledRule[];
  bodyLimit: number;
}

const DEFAULT_INTERVAL = '1m';
const DEFAULT_TIMEOUT = '10s';

/** Every job of the config; throws listing every problem as `config.scrape_configs[i].key: problem`. */
export function buildJobs(cfg: PrometheusReceiverConfig): Job[] {
  const problems: string[] = [];
  const jobs: Job[] = [];
  const g = cfg.config.global ?? {};
  const names = new Set<string>();
  const at = (i: number) => `config.scrape_configs[${i}]`;
  const dur = (v: string, where: string): number => {
    try {
      return parsePromDuration(v);
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
      return 0;
    }
  };
  const gInterval = dur(g.scrape_interval ?? DEFAULT_INTERVAL, 'config.global.scrape_interval');
  const gTimeout = dur(g.scrape_timeout ?? DEFAULT_TIMEOUT, 'config.global.scrape_timeout');
  if (gTimeout > gInterval && g.scrape_timeout !== undefined) problems.push('config.global.scrape_timeout: greater than scrape_interval');
  let defaultBody = 0;
  try {
    defaultBody = parseByteSize(cfg.body_size_limit);
  } catch (e) {
    problems.push(`body_size_limit: ${(e as Error).message}`);
  }
  cfg.config.scrape_configs.forEach((sc, i) => {
    if (names.has(sc.job_name)) problems.push(`${at(i)}.job_name: "${sc.job_name}" is used by another scrape config`);
    names.add(sc.job_name);
    const intervalMs = sc.scrape_interval !== undefined ? dur(sc.scrape_interval, `${at(i)}.scrape_interval`) : gInterval;
    let timeoutMs: number;
    if (sc.scrape_timeout !== undefined) {
      timeoutMs = dur(sc.scrape_timeout, `${at(i)}.scrape_timeout`);
      if (timeoutMs > intervalMs) problems.push(`${at(i)}.scrape_timeout: greater than scrape_interval`);
    } else {
      // As Prometheus: the global timeout, but never longer than this job's interval.
      timeoutMs = Math.min(gTimeout, intervalMs);
    }
    if (intervalMs === 0) problems.push(`${at(i)}.scrape_interval: must be above 0`);
    let relabel: CompiledRule[] = [];
    let metricRelabel: CompiledRule[] = [];
    try {
      relabel = compileRules(sc.relabel_configs as never, `${at(i)}.relabel_configs`);
    } catch (e) {
      problems.push((e as Error).message);
    }
    try {
      metricRelabel = compileRules(sc.metric_relabel_configs as never, `${at(i)}.metric_relabel_configs`);
    } catch (e) {
      problems.push((e as Error).message);
    }
    for (const [k, d] of (sc.dns_sd_configs ?? []).entries()) {
      if ((d.type === 'A' || d.type === 'AAAA') && d.port === undefined) problems.push(`${at(i)}.dns_sd_configs[${k}].port: required for type ${d.type}`);
      if (d.refresh_interval !== undefined) dur(d.refresh_interval, `${at(i)}.dns_sd_configs[${k}].refresh_interval`);
    }
    for (const [k, f] of (sc.file_sd_configs ?? []).entries()) {
      if (f.refresh_interval !== undefined) dur(f.refresh_interval, `${at(i)}.file_sd_configs[${k}].refresh_interval`);
      for (const p of f.files) if (!/\.(json|ya?ml)$/i.test(p)) problems.push(`${at(i)}.file_sd_configs[${k}].files: "${p}" must end in .json, .yml or .yaml`);
    }
    const auths = [sc.basic_auth, sc.authorization, sc.bearer_token ?? sc.bearer_token_file].filter((x) => x !== undefined).length;
    if (auths > 1) problems.push(`${at(i)}: at most one of basic_auth, authorization and bearer_token(_file)`);
    if (sc.basic_auth?.password !== undefined && sc.basic_auth.password_file !== undefined) problems.push(`${at(i)}.basic_auth: password and password_file are mutually exclusive`);
    let bodyLimit = defaultBody;
    if (sc.body_size_limit !== undefined) {
      try {
        const b = parseByteSize(sc.body_size_limit);
        if (b > 0) bodyLimit = b;
      } catch (e) {
        problems.push(`${at(i)}.body_size_limit: ${(e as Error).message}`);
      }
    }
    jobs.push({
      sc,
      metricRelabel,
      bodyLimit,
      settings: {
        job: sc.job_name,
        intervalMs,
        timeoutMs,
        metricsPath: sc.metrics_path ?? '/metrics',
        scheme: sc.scheme ?? 'http',
        params: sc.params ?? {},
        relabel,
      },
    });
  });
  if (problems.length > 0) throw new JobConfigError(problems);
  return jobs;
}

export class JobConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

export function durationOr(v: string | undefined, def: string): number {
  return parsePromDuration(v ?? def);
}
