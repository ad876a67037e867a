import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, type SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import { isPromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { editResources } from '../../pdata/batch.js';
import type { IResource } from '../../pdata/proto.js';
import { compileActions, type ApplyActions, type AttrHolder } from '../attributes/actions.js';
import type { ResourceConfig } from './config.js';

/**
 * The resource processor: runs the configured actions on the resource of
 * every resource group (a missing resource is created when an action writes).
 * Remote-write metrics pass through untouched: they have no resource (their
 * labels are per series); use OTLP metrics, or relabel at the source.
 * An encoded batch stays encoded: only its Resource messages are decoded
 * and re-encoded (batch.ts editResources), never its spans or points.
 */
export class ResourceProcessor<S extends Signal> implements Component, SignalConsumer<S> {
  readonly capabilities = MUTATES;
  private readonly apply: ApplyActions;

  constructor(
    set: CreateSettings,
    cfg: ResourceConfig,
    private readonly signal: S,
    private readonly next: SignalConsumer<S>,
  ) {
    if (cfg.attributes.length === 0) set.logger.warn({ processor: set.id }, 'resource processor has no attributes actions: it changes nothing');
    this.apply = compileActions(cfg.attributes);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
    if (!(this.signal === 'metrics' && isPromMetrics(data))) {
      try {
        data = editResources(this.signal, data, (r) => {
          // Unset resources read a shared null from the prototype: give the group its own before writing.
          if (!r) {
            const fresh: IResource = { attributes: [] };
            this.apply(fresh as AttrHolder, ctx);
            return (fresh.attributes?.length ?? 0) > 0 ? fresh : undefined;
          }
          this.apply(r as AttrHolder, ctx);
          return r;
        });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.next.consume(data, ctx);
  }
}
