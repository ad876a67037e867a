import type { TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Component } from './component.js';
import type { Consumer, SignalConsumer } from './consumer.js';
import type { Signal, SignalData } from './signal.js';
import type { SelfTelemetry } from '../telemetry/selftelemetry.js';

export type ComponentKind = 'receiver' | 'processor' | 'exporter' | 'connector' | 'extension';

/** Handed to every constructor: who the component is and where it reports. */
export interface CreateSettings {
  /** Component ID as written in the config: `type[/name]`. */
  readonly id: string;
  readonly kind: ComponentKind;
  readonly logger: Logger;
  readonly telemetry: SelfTelemetry;
}

export type Processor<S extends Signal> = Component & SignalConsumer<S>;
export type Exporter<S extends Signal> = Component & SignalConsumer<S>;
export type ConnectorComponent<S extends Signal> = Component & SignalConsumer<S>;

interface FactoryBase<K extends ComponentKind> {
  readonly kind: K;
  /** Type name as used in component IDs. */
  readonly type: string;
  /**
   * The config schema (TypeBox, which is JSON Schema). Defaults come from it, so
   * the documented defaults, validation and the shipped JSON Schema agree.
   */
  readonly schema: TSchema;
  /** Cross-field checks beyond the schema: `["key: problem", ...]` relative to the component. */
  validate?(cfg: unknown): string[];
}

export interface ReceiverFactory<C = any> extends FactoryBase<'receiver'> {
  readonly create: { [S in Signal]?: (set: CreateSettings, cfg: C, next: SignalConsumer<S>) => Component };
}

export interface ProcessorFactory<C = any> extends FactoryBase<'processor'> {
  readonly create: { [S in Signal]?: (set: CreateSettings, cfg: C, next: SignalConsumer<S>) => Processor<S> };
}

export interface ExporterFactory<C = any> extends FactoryBase<'exporter'> {
  readonly create: { [S in Signal]?: (set: CreateSettings, cfg: C) => Exporter<S> };
}

/** Key of a connector constructor: `<from>_to_<to>`, e.g. `traces_to_metrics`. */
export type ConnectorRoute = `${Signal}_to_${Signal}`;

export interface ConnectorFactory<C = any> extends FactoryBase<'connector'> {
  readonly create: {
    [R in ConnectorRoute]?: (set: CreateSettings, cfg: C, next: Consumer<any>) => Component & Consumer<any>;
  };
}

export interface ExtensionFactory<C = any> extends FactoryBase<'extension'> {
  create(set: CreateSettings, cfg: C): Component;
}

export type Factory = ReceiverFactory | ProcessorFactory | ExporterFactory | ConnectorFactory | ExtensionFactory;

export function connectorRoute(from: Signal, to: Signal): ConnectorRoute {
  return `${from}_to_${to}`;
}

export type { SignalData };
