/**
 * Reference tables rendered from a TypeBox (JSON Schema) config schema: one row
 * per key, with its type, default and description, so the documentation says
 * exactly what validation accepts and fills in. Used by `npm run docs`.
 */

/** The parts of a JSON Schema node the tables read. */
interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Node[];
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  patternProperties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  pattern?: string;
  'x-kind'?: string;
}

export interface Row {
  /** Dotted path: `protocols.http.endpoint`, `actions[].key`, `headers.<name>`. */
  readonly path: string;
  readonly type: string;
  /** Rendered default: a value, `required`, or empty. */
  readonly default: string;
  readonly description: string;
}

/** Rows of every documented key under `schema`, depth first in schema order. */
export function schemaRows(schema: unknown): Row[] {
  const out: Row[] = [];
  walkProperties(schema as Node, '', out);
  return out;
}

function walkProperties(node: Node, prefix: string, out: Row[]): void {
  const props = objectBranch(node)?.properties;
  if (!props) return;
  const required = new Set(objectBranch(node)?.required ?? []);
  for (const [key, child] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${key}` : key;
    walkNode(child, path, required.has(key) && child.default === undefined, out);
  }
}

function walkNode(node: Node, path: string, required: boolean, out: Row[]): void {
  const obj = objectBranch(node);
  const hasChildren = obj?.properties !== undefined && Object.keys(obj.properties).length > 0;
  // A plain container (an object whose keys follow) gets a row only when it says something.
  if (!hasChildren || node.description || required) {
    out.push({ path, type: typeName(node), default: required ? '*required*' : renderDefault(node.default, path), description: node.description ?? '' });
  }
  if (hasChildren && obj) walkProperties(obj, path, out);
  const items = node.items;
  if (items && objectBranch(items)?.properties) walkProperties(items, `${path}[]`, out);
  const map = mapValue(node);
  if (map && objectBranch(map)?.properties) walkProperties(map, `${path}.<name>`, out);
}

/** The object schema of a node: itself, or the object member of a nullable/anyOf. */
function objectBranch(node: Node): Node | undefined {
  if (node.properties) return node;
  return node.anyOf?.find((n) => n.properties);
}

function mapValue(node: Node): Node | undefined {
  const pp = node.patternProperties ? Object.values(node.patternProperties)[0] : undefined;
  if (pp) return pp;
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
}

/** A short human type: `duration`, `integer ≥ 0`, `list of string`, `` `"a"` | `"b"` ``. */
export function typeName(node: Node): string {
  if (node['x-kind'] === 'duration') return 'duration';
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' | ');
  if (node.anyOf) {
    const parts = node.anyOf.map(typeName);
    return [...new Set(parts)].join(' | ');
  }
  const types = (Array.isArray(node.type) ? node.type : node.type ? [node.type] : []).filter((t) => t !== 'null');
  if (types.length === 0) return 'any';
  if (types.length > 1) return types.join(' | ');
  const t = types[0] ?? 'any';
  switch (t) {
    case 'array':
      return node.items ? `list of ${typeName(node.items)}` : 'list';
    case 'object': {
      const v = mapValue(node);
      if (v && !node.properties) return `map of ${typeName(v)}`;
      return 'object';
    }
    case 'integer':
    case 'number':
      return t + bounds(node);
    default:
      return t;
  }
}

function bounds(node: Node): string {
  const parts: string[] = [];
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${node.exclusiveMinimum}`);
  else if (node.minimum !== undefined) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) parts.push(`≤ ${node.maximum}`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function code(v: unknown): string {
  return `\`${JSON.stringify(v)}\``;
}

const BINARY_UNITS: readonly [number, string][] = [
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

/** A default as written in YAML; sizes in bytes also in KiB/MiB/GiB when exact. */
export function renderDefault(v: unknown, path = ''): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v === '' ? '`""`' : `\`${v}\``;
  if (typeof v === 'number' && Number.isInteger(v) && /bytes|size/.test(path)) {
    for (const [n, unit] of BINARY_UNITS) {
      if (v >= n && v % n === 0) return `\`${v}\` (${v / n} ${unit})`;
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return '';
  return code(v);
}

/** A Markdown table of rows; `|` in any cell is escaped (GitHub renders `\|` as `|`, in code spans too). */
export function renderTable(rows: readonly Row[]): string {
  const cell = (s: string) => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const lines = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${cell(`\`${r.path}\``)} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
  return lines.join('\n');
}
