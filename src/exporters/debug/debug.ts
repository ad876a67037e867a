import type { Logger } from 'pino';
import { loggerTo } from '../../telemetry/logger.js';
import type { Exporter, CreateSettings } from '../../component/factory.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import { countItems } from '../../pdata/count.js';
import type { DebugConfig } from './config.js';
import { itemLines, summary } from './format.js';
import { createSampler } from './sampler.js';

/**
 * Logs what reaches it: counts (basic), one line per item (normal), or each
 * item as OTLP JSON (detailed). Sampled per second as the collector's debug
 * exporter. Never fails, so it never slows a pipeline down with retries.
 */
export function createDebugExporter<S extends Signal>(set: CreateSettings, signal: S, cfg: DebugConfig): Exporter<S> {
  let out: Logger = set.logger;
  let own: Logger | undefined;
  const sample = createSampler(cfg.sampling_initial, cfg.sampling_thereafter);
  const perItem = cfg.verbosity !== 'basic';
  const detailed = cfg.verbosity === 'detailed';

  return createExporter(
    set,
    signal,
    cfg.sending_queue ? { sending_queue: cfg.sending_queue } : {},
    async (data: SignalData[S]) => {
      if (!sample()) return;
      const [fields, msg] = summary(signal, data, countItems(signal, data));
      out.info(fields, msg);
      if (perItem) for (const [f, m] of itemLines(signal, data, detailed)) out.info(f, m);
    },
    {
      async start() {
        if (!cfg.use_internal_logger) {
          own = loggerTo(cfg.output_paths ?? ['stdout'], 'info', { exporter: set.id });
          out = own;
        }
      },
      async shutdown() {
        const l = own ?? out;
        await new Promise<void>((r) => l.flush(() => r()));
      },
    },
  );
}
