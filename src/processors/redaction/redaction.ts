import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, type LogsConsumer, type TracesConsumer } from '../../component/consumer.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import type { ILogRecord, Logs, Traces } from '../../pdata/proto.js';
import { getString, ownAttrs } from '../../genai/attrs.js';
import type { RedactionConfig } from './config.js';
import { Redactor } from './redactor.js';

const BODY_LENGTH = 'tollgate.redaction.body.length';

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

  consume(data: Traces, ctx: RequestContext): Promise<void> {
    for (const rs of data.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          if ((span.attributes?.length ?? 0) > 0) this.r.redactAttrs(ownAttrs(span), false);
          for (const ev of span.events ?? []) {
            if ((ev.attributes?.length ?? 0) === 0) continue;
            this.r.redactAttrs(ownAttrs(ev), this.r.isContentEvent(ev.name));
          }
        }
      }
    }
    this.report();
    return this.next.consume(data, ctx);
  }
}

/** The `redaction` processor on logs: GenAI events sent as log records (body and attributes). */
export class RedactionLogs extends RedactionBase implements Processor<'logs'> {
  constructor(set: CreateSettings, cfg: RedactionConfig, private readonly next: LogsConsumer) {
    super(set, cfg);
  }

  consume(data: Logs, ctx: RequestContext): Promise<void> {
    for (const rl of data.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const rec of sl.logRecords ?? []) this.redactRecord(rec);
      }
    }
    this.report();
    return this.next.consume(data, ctx);
  }

  private redactRecord(rec: ILogRecord): void {
    const event = rec.eventName || getString(rec.attributes, 'event.name');
    const content = this.r.isContentEvent(event);
    if ((rec.attributes?.length ?? 0) > 0) this.r.redactAttrs(ownAttrs(rec), content);
    if (content && rec.body) {
      const red = this.r.redactValue(rec.body);
      if (red !== undefined) {
        rec.body = red.value;
        if (this.cfg.keep_length) ownAttrs(rec).push({ key: BODY_LENGTH, value: { intValue: red.length } });
      }
    }
  }
}
