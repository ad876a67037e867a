import type { ConnectorFactory } from '../../component/factory.js';
import { GenaiMetricsSchema, type GenaiMetricsConfig } from './config.js';
import { GenaiMetricsConnector } from './genaimetrics.js';

export const genaiMetricsConnectorFactory: ConnectorFactory<GenaiMetricsConfig> = {
  kind: 'connector',
  type: 'genaimetrics',
  schema: GenaiMetricsSchema,
  validate(cfg: GenaiMetricsConfig): string[] {
    const names = cfg.dimensions.map((d) => d.name);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    const out = dup.length ? [`dimensions: "${dup[0]}" is listed twice`] : [];
    for (const reserved of ['gen_ai.token.type', 'otel.metric.overflow', 'tollgate.cost.method', 'tollgate.unpriced.reason']) {
      if (names.includes(reserved)) out.push(`dimensions: "${reserved}" is set by the connector itself`);
    }
    return out;
  },
  create: {
    traces_to_metrics: (set, cfg, next) => new GenaiMetricsConnector(set, cfg, next),
  },
};
