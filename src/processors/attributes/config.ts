import { Type, type Static } from '@sinclair/typebox';

export const ACTIONS = ['insert', 'update', 'upsert', 'delete', 'hash', 'extract', 'convert'] as const;
export type ActionName = (typeof ACTIONS)[number];
export const CONVERTED_TYPES = ['int', 'double', 'string'] as const;

/** One attribute action, with the collector's keys (shared with the resource processor). */
export const ActionSchema = Type.Object(
  {
    key: Type.Optional(Type.String({ description: 'Attribute the action works on.' })),
    action: Type.String({ description: `One of ${ACTIONS.join(', ')} (case-insensitive).` }),
    value: Type.Optional(
      Type.Unknown({
        description: 'Literal to set (insert, update, upsert): string, number (whole numbers become ints), bool, list or map. Exactly one of value, from_attribute, from_context.',
      }),
    ),
    from_attribute: Type.Optional(Type.String({ description: 'Attribute whose value is set (insert, update, upsert).' })),
    from_context: Type.Optional(
      Type.String({
        description:
          'Client metadata whose value is set: `metadata.<key>` or a bare key (needs include_metadata on the receiver); one value gives a string, several a list. auth.* and client.address are not available.',
      }),
    ),
    pattern: Type.Optional(
      Type.String({ description: 'Regular expression: keys to delete or hash, or (extract) named groups to pull from the value, `(?P<name>…)` or `(?<name>…)`.' }),
    ),
    converted_type: Type.Optional(Type.String({ description: `Type for convert: ${CONVERTED_TYPES.join(', ')}; values that do not convert stay as they are.` })),
  },
  { additionalProperties: false },
);
export type ActionConfig = Static<typeof ActionSchema>;

const KeyValueMatch = Type.Object(
  {
    key: Type.String({ minLength: 1, description: 'Attribute key.' }),
    value: Type.Optional(Type.Unknown({ description: 'Value to match (a regular expression with match_type regexp); absent: the key must be present.' })),
  },
  { additionalProperties: false },
);

const LibraryMatch = Type.Object(
  { name: Type.String({ description: 'Scope name.' }), version: Type.Optional(Type.String({ description: 'Scope version.' })) },
  { additionalProperties: false },
);

/** Which items the actions apply to (the collector's filterconfig.MatchProperties, strict and regexp). */
export const MatchSchema = Type.Object(
  {
    match_type: Type.Union([Type.Literal('strict'), Type.Literal('regexp')], {
      description: 'strict: equal strings; regexp: unanchored regular expressions (as Go matches them).',
    }),
    regexp: Type.Optional(
      Type.Object(
        { cacheenabled: Type.Optional(Type.Boolean()), cachemaxnumentries: Type.Optional(Type.Integer()) },
        { additionalProperties: false, description: 'Accepted for compatibility; patterns are always compiled once.' },
      ),
    ),
    services: Type.Optional(Type.Array(Type.String(), { description: 'Resource service.name (spans).' })),
    span_names: Type.Optional(Type.Array(Type.String(), { description: 'Span names (spans).' })),
    metric_names: Type.Optional(Type.Array(Type.String(), { description: 'Metric names (metrics).' })),
    log_bodies: Type.Optional(Type.Array(Type.String(), { description: 'Log bodies, as strings (logs).' })),
    log_severity_texts: Type.Optional(Type.Array(Type.String(), { description: 'Log severity texts (logs).' })),
    attributes: Type.Optional(Type.Array(KeyValueMatch, { description: 'Item attributes that must all match (spans, logs).' })),
    resources: Type.Optional(Type.Array(KeyValueMatch, { description: 'Resource attributes that must all match.' })),
    libraries: Type.Optional(Type.Array(LibraryMatch, { description: 'Instrumentation scopes, one of which must match (spans, logs).' })),
  },
  {
    additionalProperties: false,
    description:
      'Which items the actions apply to (include) or skip (exclude). Spans match on services, span_names, attributes, resources, libraries; logs on attributes, resources, libraries, log_bodies, log_severity_texts; metrics on metric_names, resources. Another key in a pipeline of that signal is a start-up error.',
  },
);
export type MatchConfig = Static<typeof MatchSchema>;

export const AttributesSchema = Type.Object(
  {
    actions: Type.Array(ActionSchema, {
      default: [],
      description: 'Applied in order to each matching span, log record and metric data point; empty is accepted with a warning.',
    }),
    include: Type.Optional(MatchSchema),
    exclude: Type.Optional(MatchSchema),
  },
  { additionalProperties: false, description: "Inserts, updates, deletes, hashes, extracts and converts attributes of spans, log records and metric points (the collector's actions)." },
);
export type AttributesConfig = Static<typeof AttributesSchema>;

/** Go's RE2 spells named groups `(?P<name>...)`; JavaScript only `(?<name>...)`. */
export function compilePattern(p: string): RegExp {
  return new RegExp(p.replace(/\(\?P</g, '(?<'));
}

function patternProblem(p: string): string | undefined {
  try {
    compilePattern(p);
    return undefined;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
}

/** The collector's checks on an action list, as `path: problem` lines. */
export function validateActions(actions: readonly ActionConfig[], base: string): string[] {
  const out: string[] = [];
  actions.forEach((a, i) => {
    const at = `${base}.${i}`;
    const act = a.action.toLowerCase() as ActionName;
    if (!ACTIONS.includes(act)) {
      out.push(`${at}.action: unsupported action "${a.action}" (known: ${ACTIONS.join(', ')})`);
      return;
    }
    const hasValue = a.value !== undefined && a.value !== null;
    const sources = [hasValue, a.from_attribute !== undefined, a.from_context !== undefined].filter(Boolean).length;
    const noKey = a.key === undefined || a.key === '';
    switch (act) {
      case 'insert':
      case 'update':
      case 'upsert':
        if (noKey) out.push(`${at}.key: required for action ${act}`);
        if (sources === 0) out.push(`${at}: action ${act} needs one of value, from_attribute or from_context`);
        if (sources > 1) out.push(`${at}: only one of value, from_attribute or from_context may be set`);
        if (a.pattern !== undefined) out.push(`${at}.pattern: not used by action ${act}`);
        if (a.converted_type !== undefined) out.push(`${at}.converted_type: not used by action ${act}`);
        break;
      case 'delete':
      case 'hash':
        if (noKey && a.pattern === undefined) out.push(`${at}: action ${act} needs key or pattern (or both)`);
        if (sources > 0) out.push(`${at}: action ${act} does not use value, from_attribute or from_context`);
        if (a.converted_type !== undefined) out.push(`${at}.converted_type: not used by action ${act}`);
        if (a.pattern !== undefined) {
          const p = patternProblem(a.pattern);
          if (p) out.push(`${at}.pattern: ${p}`);
        }
        break;
      case 'extract': {
        if (noKey) out.push(`${at}.key: required for action extract`);
        if (sources > 0) out.push(`${at}: action extract does not use value, from_attribute or from_context`);
        if (a.converted_type !== undefined) out.push(`${at}.converted_type: not used by action extract`);
        if (a.pattern === undefined) out.push(`${at}.pattern: required for action extract`);
        else {
          const p = patternProblem(a.pattern);
          if (p) out.push(`${at}.pattern: ${p}`);
          else if (!/\(\?P?<[A-Za-z_]/.test(a.pattern)) out.push(`${at}.pattern: needs at least one named group, e.g. (?P<name>...)`);
        }
        break;
      }
      case 'convert':
        if (noKey) out.push(`${at}.key: required for action convert`);
        if (sources > 0 || a.pattern !== undefined) out.push(`${at}: action convert uses only key and converted_type`);
        if (!CONVERTED_TYPES.includes(a.converted_type as any)) {
          out.push(`${at}.converted_type: must be one of ${CONVERTED_TYPES.join(', ')}`);
        }
        break;
    }
  });
  return out;
}

function validateMatch(m: MatchConfig | undefined, at: string): string[] {
  if (!m) return [];
  const out: string[] = [];
  const lists = ['services', 'span_names', 'metric_names', 'log_bodies', 'log_severity_texts', 'attributes', 'resources', 'libraries'] as const;
  if (!lists.some((k) => (m[k]?.length ?? 0) > 0)) out.push(`${at}: at least one of ${lists.join(', ')} must be set`);
  if (m.match_type === 'regexp') {
    const check = (p: string, where: string) => {
      const prob = patternProblem(p);
      if (prob) out.push(`${at}.${where}: ${prob}`);
    };
    for (const k of ['services', 'span_names', 'metric_names', 'log_bodies', 'log_severity_texts'] as const) {
      m[k]?.forEach((p, i) => check(p, `${k}.${i}`));
    }
    for (const k of ['attributes', 'resources'] as const) {
      m[k]?.forEach((kv, i) => {
        if (kv.value === undefined) return;
        if (typeof kv.value !== 'string') out.push(`${at}.${k}.${i}.value: must be a string with match_type regexp`);
        else check(kv.value, `${k}.${i}.value`);
      });
    }
    m.libraries?.forEach((l, i) => {
      check(l.name, `libraries.${i}.name`);
      if (l.version !== undefined) check(l.version, `libraries.${i}.version`);
    });
  }
  return out;
}

export function validateAttributes(c: AttributesConfig): string[] {
  return [...validateActions(c.actions, 'actions'), ...validateMatch(c.include, 'include'), ...validateMatch(c.exclude, 'exclude')];
}
