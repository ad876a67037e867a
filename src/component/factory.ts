import type { TSchema } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Component } from './component.js';
import type { SignalConsumer } from './consumer.js';
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

// Configs are typed from the schema: a factory of config type C must carry a
// schema whose static type is C (TypeBox's Static), and `validate` and every
// constructor receive C. The framework validates a component's config against
// that schema before it calls `validate` or a constructor, so the list of all
// factories can hold them with C erased to `unknown` (the constructors and
// `validate` are declared with method syntax, whose parameters TypeScript
// compares bivariantly, which is what lets a factory of C stand in that list).

interface FactoryBase<K extends ComponentKind, C> {
  readonly kind: K;
  /** Type name as used in component IDs. */
  readonly type: string;
  /**
   * Further type names that select this factory: the OpenTelemetry Collector's
   * current names where they differ (`otlp_grpc` for `otlp`), so a collector
   * config works whichever name it uses.
   */
  readonly aliases?: readonly string[];
  /**
   * The config schema (TypeBox, which is JSON Schema). Defaults come from it, so
   * the documented defaults, validation and the shipped JSON Schema agree.
   */
  readonly schema: TSchema & { static: C };
  /** Cross-field checks beyond the schema: `["key: problem", ...]` relative to the component. */
  validate?(cfg: C): string[];
}

type ReceiverCreate<C, S extends Signal> = { m(set: CreateSettings, cfg: C, next: SignalConsumer<S>): Component }['m'];
type ProcessorCreate<C, S extends Signal> = { m(set: CreateSettings, cfg: C, next: SignalConsumer<S>): Processor<S> }['m'];
type ExporterCreate<C, S extends Signal> = { m(set: CreateSettings, cfg: C): Exporter<S> }['m'];
type ConnectorCreate<C, F extends Signal, T extends Signal> = {
  m(set: CreateSettings, cfg: C, next: SignalConsumer<T>): ConnectorComponent<F>;
}['m'];

/** The signals a factory supports are the keys of its `create`; a constructor absent there is a signal it does not support. */
export interface ReceiverFactory<C = unknown> extends FactoryBase<'receiver', C> {
  readonly create: { readonly [S in Signal]?: ReceiverCreate<C, S> };
}

export interface ProcessorFactory<C = unknown> extends FactoryBase<'processor', C> {
  readonly create: { readonly [S in Signal]?: ProcessorCreate<C, S> };
}

export interface ExporterFactory<C = unknown> extends FactoryBase<'exporter', C> {
  readonly create: { readonly [S in Signal]?: ExporterCreate<C, S> };
}

/** Key of a connector constructor: `<from>_to_<to>`, e.g. `traces_to_metrics`. */
export type ConnectorRoute = `${Signal}_to_${Signal}`;
type RouteFrom<R> = R extends `${infer F extends Signal}_to_${string}` ? F : never;
type RouteTo<R> = R extends `${string}_to_${infer T extends Signal}` ? T : never;

/** A connector consumes the `from` signal (as an exporter of one pipeline) and feeds `next` of the `to` signal. */
export interface ConnectorFactory<C = unknown> extends FactoryBase<'connector', C> {
  readonly create: { readonly [R in ConnectorRoute]?: ConnectorCreate<C, RouteFrom<R>, RouteTo<R>> };
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<'extension', C> {
  create(set: CreateSettings, cfg: C): Component;
}

/** Any factory, told apart by `kind`. */
export type Factory = ReceiverFactory | ProcessorFactory | ExporterFactory | ConnectorFactory | ExtensionFactory;

export function connectorRoute(from: Signal, to: Signal): ConnectorRoute {
  return `${from}_to_${to}`;
}

export type { SignalData };
