import { Type } from '@sinclair/typebox';
import type { Component } from '../../src/component/component.js';
import type { RequestContext } from '../../src/component/context.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { ConnectorFactory, ExporterFactory, ProcessorFactory, ReceiverFactory } from '../../src/component/factory.js';
import type { Signal } from '../../src/component/signal.js';

/** Records lifecycle calls of every test component, in order, to check start/shutdown ordering. */
export const events: string[] = [];

class Recording implements Component {
  constructor(readonly name: string) {}
  async start(): Promise<void> {
    events.push(`start ${this.name}`);
  }
  async shutdown(): Promise<void> {
    events.push(`shutdown ${this.name}`);
  }
}

/** A receiver whose `push` hands data to its pipeline, as a network receiver would. */
export class PushReceiver extends Recording {
  static byId = new Map<string, PushReceiver>();
  next: Partial<Record<Signal, Consumer<any>>> = {};
  push(signal: Signal, data: unknown, ctx: RequestContext = {}): Promise<void> {
    return this.next[signal]!.consume(data, ctx);
  }
}

const EmptySchema = Type.Object({}, { additionalProperties: false });

export const pushReceiverFactory: ReceiverFactory = {
  kind: 'receiver',
  type: 'testpush',
  schema: EmptySchema,
  create: Object.fromEntries(
    (['traces', 'metrics', 'logs'] as Signal[]).map((s) => [
      s,
      (set: any, _cfg: any, next: Consumer<any>) => {
        let r = PushReceiver.byId.get(set.id);
        if (!r) PushReceiver.byId.set(set.id, (r = new PushReceiver(`receiver ${set.id}`)));
        r.next[s] = next;
        return r;
      },
    ]),
  ),
};

/** Collects what reaches it, keyed by exporter ID. */
export class CollectExporter extends Recording implements Consumer<any> {
  static byId = new Map<string, CollectExporter>();
  readonly capabilities: { mutatesData: boolean };
  received: unknown[] = [];
  constructor(name: string, mutates: boolean) {
    super(name);
    this.capabilities = { mutatesData: mutates };
  }
  async consume(data: unknown): Promise<void> {
    this.received.push(data);
  }
}

export const collectExporterFactory: ExporterFactory = {
  kind: 'exporter',
  type: 'testcollect',
  schema: Type.Object({ mutates: Type.Boolean({ default: false }) }, { additionalProperties: false }),
  create: Object.fromEntries(
    (['traces', 'metrics', 'logs'] as Signal[]).map((s) => [
      s,
      (set: any, cfg: { mutates: boolean }) => {
        const e = new CollectExporter(`exporter ${set.id}/${s}`, cfg.mutates);
        CollectExporter.byId.set(`${set.id}/${s}`, e);
        return e;
      },
    ]),
  ),
};

/** Appends a tag to a `tags` array on the data: a mutating processor. */
export const tagProcessorFactory: ProcessorFactory = {
  kind: 'processor',
  type: 'testtag',
  schema: Type.Object({ tag: Type.String({ default: 'x' }) }, { additionalProperties: false }),
  create: Object.fromEntries(
    (['traces', 'metrics', 'logs'] as Signal[]).map((s) => [
      s,
      (set: any, cfg: { tag: string }, next: Consumer<any>) => {
        const p = new (class extends Recording implements Consumer<any> {
          readonly capabilities = { mutatesData: true };
          consume(data: any, ctx: RequestContext) {
            (data.tags ??= []).push(cfg.tag);
            return next.consume(data, ctx);
          }
        })(`processor ${set.id}`);
        return p;
      },
    ]),
  ),
};

/** traces → metrics connector that emits one `{count}` per batch. */
export const countConnectorFactory: ConnectorFactory = {
  kind: 'connector',
  type: 'testcount',
  schema: EmptySchema,
  create: {
    traces_to_metrics: (set: any, _cfg: any, next: Consumer<any>) =>
      new (class extends Recording implements Consumer<any> {
        readonly capabilities = { mutatesData: false };
        consume(data: any, ctx: RequestContext) {
          return next.consume({ resourceMetrics: [], count: data.resourceSpans?.length ?? 0 }, ctx);
        }
      })(`connector ${set.id}`),
  },
};
