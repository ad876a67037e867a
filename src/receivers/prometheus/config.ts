import { Type, type Static } from '@sinclair/typebox';

// The collector's prometheus receiver takes a Prometheus configuration under
// `config`; this is the subset Tollgate implements, with Prometheus's key
// names and defaults. Anything else is refused by validation (unknown keys).

const Str = (description: string) => Type.String({ description });

const RelabelSchema = Type.Object(
  {
    source_labels: Type.Optional(Type.Array(Type.String(), { description: 'Labels whose values are joined with `separator` to form the source value.' })),
    separator: Type.Optional(Type.String({ description: 'Joins the source values. Default `;`.' })),
    regex: Type.Optional(Type.String({ description: 'RE2 regex, fully anchored. Default `(.*)`.' })),
    modulus: Type.Optional(Type.Integer({ minimum: 1, description: 'For `hashmod`.' })),
    target_label: Type.Optional(Type.String({ description: 'Label written by replace, hashmod, lowercase, uppercase; compared by keepequal/dropequal.' })),
    replacement: Type.Optional(Type.String({ description: 'Template with `$1`, `${name}`. Default `$1`.' })),
    action: Type.Optional(Type.String({ description: 'replace (default), keep, drop, hashmod, labelmap, labeldrop, labelkeep, keepequal, dropequal, lowercase, uppercase.' })),
  },
  { additionalProperties: false },
);

const StaticConfig = Type.Object(
  {
    targets: Type.Array(Type.String(), { description: 'host:port addresses.' }),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

const FileSd = Type.Object(
  {
    files: Type.Array(Type.String(), { minItems: 1, description: 'JSON or YAML target files; the last path element may be a glob (`*.json`).' }),
    refresh_interval: Type.Optional(Type.String({ description: 'Re-read period besides change notification. Default 5m.' })),
  },
  { additionalProperties: false },
);

const DnsSd = Type.Object(
  {
    names: Type.Array(Type.String(), { minItems: 1 }),
    type: Type.Optional(Type.Union([Type.Literal('SRV'), Type.Literal('A'), Type.Literal('AAAA')], { description: 'Default SRV.' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Port for A/AAAA records (required for them).' })),
    refresh_interval: Type.Optional(Type.String({ description: 'Default 30s.' })),
  },
  { additionalProperties: false },
);

const TlsConfig = Type.Object(
  {
    ca_file: Type.Optional(Type.String()),
    cert_file: Type.Optional(Type.String()),
    key_file: Type.Optional(Type.String()),
    server_name: Type.Optional(Type.String()),
    insecure_skip_verify: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ScrapeConfig = Type.Object(
  {
    job_name: Type.String({ minLength: 1, description: 'The `job` label of every target of this config.' }),
    scrape_interval: Type.Optional(Str('Default: global.scrape_interval.')),
    scrape_timeout: Type.Optional(Str('Default: global.scrape_timeout (capped at the interval).')),
    metrics_path: Type.Optional(Str('Default /metrics.')),
    scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')], { description: 'Default http.' })),
    params: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()), { description: 'URL query parameters.' })),
    honor_labels: Type.Optional(Type.Boolean({ description: 'Keep scraped labels that clash with target labels (default false: scraped ones become exported_<name>).' })),
    honor_timestamps: Type.Optional(Type.Boolean({ description: 'Keep timestamps the target exposes (default true).' })),
    body_size_limit: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String()], { description: 'Largest uncompressed body, e.g. "10MB" (base 2). 0: the receiver\'s body_size_limit.' })),
    sample_limit: Type.Optional(Type.Integer({ minimum: 0, description: 'A scrape with more samples after metric relabelling fails (0: no limit).' })),
    label_limit: Type.Optional(Type.Integer({ minimum: 0, description: 'A scrape with a series of more labels fails (0: no limit).' })),
    static_configs: Type.Optional(Type.Array(StaticConfig)),
    file_sd_configs: Type.Optional(Type.Array(FileSd)),
    dns_sd_configs: Type.Optional(Type.Array(DnsSd)),
    relabel_configs: Type.Optional(Type.Array(RelabelSchema)),
    metric_relabel_configs: Type.Optional(Type.Array(RelabelSchema)),
    basic_auth: Type.Optional(
      Type.Object(
        { username: Type.String(), password: Type.Optional(Type.String()), password_file: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    authorization: Type.Optional(
      Type.Object(
        { type: Type.Optional(Type.String({ description: 'Default Bearer.' })), credentials: Type.Optional(Type.String()), credentials_file: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    bearer_token: Type.Optional(Str('Deprecated Prometheus spelling of authorization.credentials.')),
    bearer_token_file: Type.Optional(Str('Deprecated Prometheus spelling of authorization.credentials_file.')),
    tls_config: Type.Optional(TlsConfig),
    follow_redirects: Type.Optional(Type.Boolean({ description: 'Default true.' })),
  },
  { additionalProperties: false },
);
export type ScrapeConfig = Static<typeof ScrapeConfig>;

export const PrometheusReceiverSchema = Type.Object(
  {
    config: Type.Object(
      {
        global: Type.Optional(
          Type.Object(
            {
              scrape_interval: Type.Optional(Str('Default 1m.')),
              scrape_timeout: Type.Optional(Str('Default 10s.')),
              external_labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Added to every series that lacks them.' })),
            },
            { additionalProperties: false },
          ),
        ),
        scrape_configs: Type.Array(ScrapeConfig, { default: [] }),
      },
      { additionalProperties: false, default: {}, description: 'Prometheus configuration (the subset listed in docs/receivers/prometheus.md).' },
    ),
    max_concurrent_scrapes: Type.Integer({ default: 16, minimum: 1, description: 'Scrapes in flight at once across all jobs; the others wait their turn.' }),
    body_size_limit: Type.Union([Type.Integer({ minimum: 1 }), Type.String()], {
      default: '64MiB',
      description: 'Largest uncompressed scrape body when a job sets none; a larger one fails the scrape (up=0).',
    }),
    dns_servers: Type.Optional(Type.Array(Type.String(), { description: 'DNS servers for dns_sd_configs (ip or ip:port); default: the system resolver\'s.' })),
  },
  {
    additionalProperties: false,
    description: 'Scrapes Prometheus targets (a Prometheus-compatible subset of scrape_configs) as Prometheus does: same labels, report series and staleness; output in the remote-write shape.',
  },
);

export type PrometheusReceiverConfig = Static<typeof PrometheusReceiverSchema>;
