// Showback dimensions: who a request's cost belongs to (tenant, user, app,
// feature ...), resolved on the span as `tollgate.showback.<name>` from span
// or resource attributes, the request's client metadata (an HTTP header or
// gRPC metadata key; the receiver needs include_metadata) or its context
// tenant. Resolved here, before gpucost may hold the span and lose the
// request's metadata, and written on the span so trace stores see it too.
//
// Cardinality is bounded per dimension: the first `max_values` distinct
// values are kept; spans with further values get `overflow_value`, so a
// flood of user ids lands in one overflow series instead of exhausting the
// metric series limit for everyone else.
import type { RequestContext } from '../../component/context.js';
import { anyToString, findAttr, setAttr, type Attrs } from '../../genai/attrs.js';
import { SHOWBACK_PREFIX } from '../../genai/conventions.js';

export type ShowbackSource = { span_attribute: string } | { resource_attribute: string } | { metadata: string } | { context: 'tenant' };

export interface ShowbackDimension {
  name: string;
  from: readonly ShowbackSource[];
  default?: string;
}

export interface ShowbackOptions {
  dimensions: readonly ShowbackDimension[];
  maxValues: number;
  overflowValue: string;
}

interface Dim {
  key: string;
  from: readonly ShowbackSource[];
  def: string | undefined;
  seen: Set<string>;
}

export class Showback {
  private readonly dims: Dim[];

  constructor(
    private readonly o: ShowbackOptions,
    private readonly onOverflow: (dimension: string) => void,
  ) {
    this.dims = o.dimensions.map((d) => ({ key: `${SHOWBACK_PREFIX}${d.name}`, from: d.from, def: d.default, seen: new Set() }));
  }

  get enabled(): boolean {
    return this.dims.length > 0;
  }

  /** Writes every dimension that has a value (or a default) on the span. */
  apply(attrs: Attrs, resource: Attrs | null | undefined, ctx: RequestContext): void {
    for (const d of this.dims) {
      let v = this.valueOf(d, attrs, resource, ctx) ?? d.def;
      if (v === undefined) continue;
      if (!d.seen.has(v)) {
        if (d.seen.size < this.o.maxValues) d.seen.add(v);
        else if (v !== this.o.overflowValue && v !== d.def) {
          v = this.o.overflowValue;
          this.onOverflow(d.key);
        }
      }
      setAttr(attrs, d.key, { stringValue: v });
    }
  }

  private valueOf(d: Dim, attrs: Attrs, resource: Attrs | null | undefined, ctx: RequestContext): string | undefined {
    for (const s of d.from) {
      let v: string | undefined;
      if ('span_attribute' in s) v = anyToString(findAttr(attrs, s.span_attribute)?.value);
      else if ('resource_attribute' in s) v = anyToString(findAttr(resource, s.resource_attribute)?.value);
      else if ('metadata' in s) v = ctx.metadata?.[s.metadata.toLowerCase()]?.[0];
      else v = ctx.tenant;
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  }
}
