import type { ComponentKind, Factory } from './component/factory.js';
import { healthCheckFactory } from './extensions/health_check/factory.js';
import { fileStorageFactory } from './extensions/file_storage/factory.js';
import { bearerTokenAuthFactory } from './extensions/bearertokenauth/factory.js';
import { basicAuthFactory } from './extensions/basicauth/factory.js';
import { batchFactory } from './processors/batch/factory.js';
import { memoryLimiterFactory } from './processors/memory_limiter/factory.js';
import { attributesFactory } from './processors/attributes/factory.js';
import { resourceFactory } from './processors/resource/factory.js';
import { debugExporterFactory } from './exporters/debug/factory.js';
import { fileExporterFactory } from './exporters/file/factory.js';
import { otlpExporterFactory } from './exporters/otlp/factory.js';
import { otlpHttpExporterFactory } from './exporters/otlphttp/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { prometheusRemoteWriteReceiverFactory } from './receivers/prometheusremotewrite/factory.js';
import { prometheusRemoteWriteExporterFactory } from './exporters/prometheusremotewrite/factory.js';
import { prometheusExporterFactory } from './exporters/prometheus/factory.js';
import { kafkaExporterFactory } from './exporters/kafka/factory.js';
import { kafkaReceiverFactory } from './receivers/kafka/factory.js';
import { prometheusReceiverFactory } from './receivers/prometheus/factory.js';
import { genaiProcessorFactory } from './processors/genai/factory.js';
import { gpucostProcessorFactory } from './processors/gpucost/factory.js';
import { redactionProcessorFactory } from './processors/redaction/factory.js';
import { inferenceMetricsProcessorFactory } from './processors/inferencemetrics/factory.js';
import { genaiMetricsConnectorFactory } from './connectors/genaimetrics/factory.js';

/**
 * Every component type the gateway knows. Add a factory here and it is
 * configurable, listed by `tollgate components`, covered by the shared
 * lifecycle test and described in the shipped JSON Schema.
 */
export const FACTORIES: readonly Factory[] = [
  // receivers
  otlpReceiverFactory,
  prometheusRemoteWriteReceiverFactory,
  kafkaReceiverFactory,
  prometheusReceiverFactory,
  // processors
  memoryLimiterFactory,
  batchFactory,
  attributesFactory,
  resourceFactory,
  genaiProcessorFactory,
  gpucostProcessorFactory,
  redactionProcessorFactory,
  inferenceMetricsProcessorFactory,
  // exporters
  debugExporterFactory,
  fileExporterFactory,
  otlpExporterFactory,
  otlpHttpExporterFactory,
  prometheusRemoteWriteExporterFactory,
  prometheusExporterFactory,
  kafkaExporterFactory,
  // connectors
  genaiMetricsConnectorFactory,
  // extensions
  healthCheckFactory,
  fileStorageFactory,
  bearerTokenAuthFactory,
  basicAuthFactory,
];

export function factoriesByKind(list: readonly Factory[] = FACTORIES): Map<ComponentKind, Map<string, Factory>> {
  const out = new Map<ComponentKind, Map<string, Factory>>();
  for (const f of list) {
    let m = out.get(f.kind);
    if (!m) out.set(f.kind, (m = new Map()));
    for (const t of [f.type, ...(f.aliases ?? [])]) {
      if (m.has(t)) throw new Error(`duplicate ${f.kind} type "${t}"`);
      m.set(t, f);
    }
  }
  return out;
}
