// Attribute actions with the OpenTelemetry Collector's semantics (its
// attraction package, shared by the attributes and resource processors).
// Each action is compiled once into a closure; applying them walks the
// attribute list with no allocation beyond the values it writes.
import type { RequestContext } from '../../component/context.js';
import type { IAnyValue, IKeyValue } from '../../pdata/proto.js';
import { compilePattern, type ActionConfig, type ActionName } from './config.js';
import { convertValue, copyValue, hashValue, kindOf, valueMaker, type ConvertedType } from './value.js';

/** Anything with an attribute list: span, log record, data point, resource. */
export interface AttrHolder {
  attributes?: IKeyValue[] | null;
}

/** All configured actions, in order, on one holder. */
export type ApplyActions = (h: AttrHolder, ctx: RequestContext) => void;

type Action = (h: AttrHolder, ctx: RequestContext) => void;

function indexOf(attrs: IKeyValue[] | null | undefined, key: string): number {
  if (!attrs) return -1;
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.key === key) return i;
  return -1;
}

/**
 * The holder's own, writable attribute list. Decoded messages whose list was
 * empty read a shared frozen array from their prototype; it is replaced.
 */
function writable(h: AttrHolder): IKeyValue[] {
  let a = h.attributes;
  if (!a || Object.isFrozen(a)) h.attributes = a = [];
  return a;
}

function set(h: AttrHolder, i: number, key: string, value: IAnyValue): void {
  if (i >= 0) h.attributes![i]!.value = value;
  else writable(h).push({ key, value });
}

/** Where insert/update/upsert take their value from. Undefined: nothing to write. */
type Source = (h: AttrHolder, ctx: RequestContext) => IAnyValue | undefined;

function sourceOf(a: ActionConfig): Source {
  if (a.value !== undefined && a.value !== null) {
    const make = valueMaker(a.value);
    return () => make();
  }
  if (a.from_attribute !== undefined) {
    const from = a.from_attribute;
    return (h) => {
      const i = indexOf(h.attributes, from);
      return i < 0 ? undefined : copyValue(h.attributes![i]!.value);
    };
  }
  return contextSource(a.from_context!);
}

/**
 * Client metadata as the collector reads it for from_context: `metadata.<key>`
 * (or a bare key, for older configs); one value gives a string, several a list.
 * `auth.*` and `client.address` name data Tollgate does not carry: nothing is set.
 */
function contextSource(name: string): Source {
  if (name.startsWith('auth.') || name === 'client.address') return () => undefined;
  const key = (name.startsWith('metadata.') ? name.slice('metadata.'.length) : name).toLowerCase();
  return (_h, ctx) => {
    const vals = ctx.metadata?.[key];
    if (!vals || vals.length === 0) return undefined;
    if (vals.length === 1) return { stringValue: vals[0] };
    return { arrayValue: { values: vals.map((v) => ({ stringValue: v })) } };
  };
}

/** Applies `f` to the value of `key` and of every key matching `re`. */
function eachTarget(key: string | undefined, re: RegExp | undefined, f: (kv: IKeyValue) => void): Action {
  if (!re) {
    return (h) => {
      const i = indexOf(h.attributes, key!);
      if (i >= 0) f(h.attributes![i]!);
    };
  }
  return (h) => {
    const a = h.attributes;
    if (!a) return;
    for (const kv of a) if (kv.key === key || re.test(kv.key ?? '')) f(kv);
  };
}

function compileOne(a: ActionConfig): Action {
  const act = a.action.toLowerCase() as ActionName;
  const key = a.key === '' ? undefined : a.key;
  const re = a.pattern !== undefined ? compilePattern(a.pattern) : undefined;
  switch (act) {
    case 'insert': {
      const src = sourceOf(a);
      return (h, ctx) => {
        if (indexOf(h.attributes, key!) >= 0) return;
        const v = src(h, ctx);
        if (v) writable(h).push({ key: key!, value: v });
      };
    }
    case 'update': {
      const src = sourceOf(a);
      return (h, ctx) => {
        const i = indexOf(h.attributes, key!);
        if (i < 0) return;
        const v = src(h, ctx);
        if (v) h.attributes![i]!.value = v;
      };
    }
    case 'upsert': {
      const src = sourceOf(a);
      return (h, ctx) => {
        const v = src(h, ctx);
        if (v) set(h, indexOf(h.attributes, key!), key!, v);
      };
    }
    case 'delete':
      return (h) => {
        const attrs = h.attributes;
        if (!attrs || attrs.length === 0) return;
        // Compacts in place: one pass, no new array.
        let w = 0;
        for (let r = 0; r < attrs.length; r++) {
          const k = attrs[r]!.key ?? '';
          if (k === key || (re !== undefined && re.test(k))) continue;
          if (w !== r) attrs[w] = attrs[r]!;
          w++;
        }
        if (w !== attrs.length) attrs.length = w;
      };
    case 'hash':
      return eachTarget(key, re, (kv) => {
        kv.value = hashValue(kv.value);
      });
    case 'extract': {
      const rx = re!;
      return (h) => {
        const i = indexOf(h.attributes, key!);
        if (i < 0) return;
        const v = h.attributes![i]!.value;
        if (kindOf(v) !== 'string') return;
        const m = rx.exec(v!.stringValue!);
        if (!m || !m.groups) return;
        // Named groups only; a group that took no part in the match gives "" (Go's FindStringSubmatch).
        for (const [name, got] of Object.entries(m.groups)) {
          set(h, indexOf(h.attributes, name), name, { stringValue: got ?? '' });
        }
      };
    }
    case 'convert': {
      const to = a.converted_type as ConvertedType;
      return eachTarget(key, undefined, (kv) => {
        const v = convertValue(kv.value, to);
        if (v) kv.value = v;
      });
    }
  }
}

/** Compiles a validated action list into one function (a no-op for an empty list). */
export function compileActions(actions: readonly ActionConfig[]): ApplyActions {
  const fs = actions.map(compileOne);
  if (fs.length === 0) return () => {};
  if (fs.length === 1) return fs[0]!;
  return (h, ctx) => {
    for (let i = 0; i < fs.length; i++) fs[i]!(h, ctx);
  };
}
