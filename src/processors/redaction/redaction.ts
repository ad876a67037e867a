import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, type LogsConsumer, type TracesConsumer } from '../../component/consumer.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import type { SignalData } from '../../component/signal.js';
import { ownOtlp } from '../../pdata/batch.js';
import { redactLogs, redactTraces } from './apply.js';
import type { RedactionConfig } from './config.js';
import { Redactor } from './redactor.js';

abstract class RedactionBase implements Component {
  readonly capabilities = MUTATES;
  protected readonly r: Redactor;

  constructor(
    protected readonly set: CreateSettings,
    protected readonly cfg: RedactionConfig,
  ) {
    this.r = new Redactor(cfg);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  protected report(): void {
    const s = this.r.stats;
    if (s.values > 0) {
      this.set.telemetry
        .counter('tollgate_redaction_values', 'Content values redacted, by action.', ['processor', 'action'])
        .inc({ processor: this.set.id, action: this.cfg.action }, s.values);
    }
    if (s.matches > 0) {
      this.set.telemetry.counter('tollgate_redaction_pattern_matches', 'Pattern matches masked.', ['processor']).inc({ processor: this.set.id }, s.matches);
    }
    s.values = s.matches = 0;
  }
}

/**
 * The `redaction` processor on traces: prompt and completion content in span
 * attributes and in message events is dropped, hashed or masked before any
 * exporter sees it; the original length is kept as `<key>.length`.
 */
export class RedactionTraces extends RedactionBase implements Processor<'traces'> {
  constructor(set: CreateSettings, cfg: RedactionConfig, private readonly next: TracesConsumer) {
    super(set, cfg);
  }

  consume(batch: SignalData['traces'], ctx: RequestContext): Promise<void> {
    const data = ownOtlp('traces', batch);
    redactTraces(this.r, data);
    this.report();
    return this.next.consume(data, ctx);
  }
}

/** The `redaction` processor on logs: GenAI events sent as log records (body and attributes). */
export class RedactionLogs extends RedactionBase implements Processor<'logs'> {
  constructor(set: CreateSettings, cfg: RedactionConfig, private readonly next: LogsConsumer) {
    super(set, cfg);
  }

  consume(batch: SignalData['logs'], ctx: RequestContext): Promise<void> {
    const data = ownOtlp('logs', batch);
    redactLogs(this.r, this.cfg.keep_length, data);
    this.report();
    return this.next.consume(data, ctx);
  }
}
