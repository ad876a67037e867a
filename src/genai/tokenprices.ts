// The token price table: what an API model (OpenAI, Anthropic, Gemini, ...)
// charges per million tokens of each kind.
//
// Prices are configuration with a cited source and date
// (config/token-prices.yaml), never constants in code; the user's own
// entries are merged over the shipped ones. A model is found by the name the
// span reports, which is often a dated or aliased version of the table's
// name ("gpt-4o-2024-08-06", "us.anthropic.claude-sonnet-4-20250514-v1:0",
// "models/gemini-2.5-flash"): see `candidates` for the rules.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The embedded default table shipped with the package. */
export const DEFAULT_TOKEN_PRICES_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'config', 'token-prices.yaml');

/** USD per 1M tokens. */
export interface TokenPriceEntry {
  /** Other names of the model, matched exactly after normalization. */
  aliases?: string[];
  /** Uncached input tokens. */
  input: number;
  /** Input tokens read from the provider's cache (default: `input`). */
  cached_input?: number;
  /** Input tokens written to the provider's cache (default: `input`). */
  cache_creation?: number;
  output: number;
  /** Reasoning output tokens, when the provider prices them apart from other output (default: `output`). */
  reasoning?: number;
  source?: string;
  /** Date the price was published or read (YYYY-MM-DD). */
  as_of?: string;
}

export interface TokenProviderEntry {
  /** Other `gen_ai.provider.name` values that use these prices (e.g. azure.ai.openai for openai). */
  aliases?: string[];
  models: Record<string, TokenPriceEntry>;
}

export interface TokenPriceTableSpec {
  currency?: string;
  providers: Record<string, TokenProviderEntry>;
}

/** Token counts of one request, as the genai processor normalized them. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  reasoning: number;
}

export type TokenPriceLookup = { ok: true; provider: string; model: string; price: TokenPriceEntry } | { ok: false; reason: 'unknown_model_price' };

const PRICE_KEYS = ['input', 'cached_input', 'cache_creation', 'output', 'reasoning'] as const;

/** Problems with a table, as `path: problem` lines. `strict` also asks every entry for its source and date. */
export function checkTokenPriceTable(spec: unknown, where: string, strict = false): string[] {
  const out: string[] = [];
  if (!spec || typeof spec !== 'object') return [`${where}: must be a map with a "providers" key`];
  const s = spec as Record<string, unknown>;
  if (s.currency !== undefined && s.currency !== 'USD') out.push(`${where}.currency: only USD is supported`);
  const providers = s.providers;
  if (!providers || typeof providers !== 'object' || Array.isArray(providers)) return [...out, `${where}.providers: required, a map of provider → {models}`];
  for (const [pname, pv] of Object.entries(providers as Record<string, unknown>)) {
    const p = `${where}.providers.${pname}`;
    if (!pv || typeof pv !== 'object') {
      out.push(`${p}: must be a map with "models"`);
      continue;
    }
    const pe = pv as Record<string, unknown>;
    if (pe.aliases !== undefined && !stringList(pe.aliases)) out.push(`${p}.aliases: must be a list of non-empty strings`);
    const models = pe.models;
    if (!models || typeof models !== 'object' || Array.isArray(models)) {
      out.push(`${p}.models: required, a map of model → prices`);
      continue;
    }
    for (const [mname, mv] of Object.entries(models as Record<string, unknown>)) {
      const m = `${p}.models.${mname}`;
      if (!mv || typeof mv !== 'object') {
        out.push(`${m}: must be a map of prices`);
        continue;
      }
      const e = mv as Record<string, unknown>;
      for (const k of Object.keys(e)) if (![...PRICE_KEYS, 'aliases', 'source', 'as_of'].includes(k)) out.push(`${m}.${k}: unknown key`);
      for (const k of PRICE_KEYS) {
        const v = e[k];
        const required = k === 'input' || k === 'output';
        if (v === undefined) {
          if (required) out.push(`${m}.${k}: required, USD per 1M tokens`);
        } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) out.push(`${m}.${k}: must be a number ≥ 0 (USD per 1M tokens)`);
      }
      if (e.aliases !== undefined && !stringList(e.aliases)) out.push(`${m}.aliases: must be a list of non-empty strings`);
      if (e.source !== undefined && typeof e.source !== 'string') out.push(`${m}.source: must be a string`);
      if (e.as_of !== undefined && !(typeof e.as_of === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(e.as_of))) out.push(`${m}.as_of: must be a date, YYYY-MM-DD`);
      if (strict && (typeof e.source !== 'string' || e.source.trim() === '')) out.push(`${m}.source: required in the shipped table`);
      if (strict && e.as_of === undefined) out.push(`${m}.as_of: required in the shipped table`);
    }
  }
  return out;
}

function stringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');
}

export function loadTokenPriceFile(path: string): TokenPriceTableSpec {
  const file = path === '' ? DEFAULT_TOKEN_PRICES_FILE : path;
  let doc: unknown;
  try {
    // YAML 1.2 core schema: a date stays a string.
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`token price table ${file}: ${(err as Error).message}`);
  }
  const problems = checkTokenPriceTable(doc, file);
  if (problems.length) throw new Error(`token price table ${problems.join('; ')}`);
  return doc as TokenPriceTableSpec;
}

/**
 * Entries of `over` are added to `base`; a model named in both takes the
 * user's prices, and a provider's aliases are the union.
 */
export function mergeTokenPriceTables(base: TokenPriceTableSpec, over: Partial<TokenPriceTableSpec> | undefined): TokenPriceTableSpec {
  if (!over?.providers) return base;
  const providers: Record<string, TokenProviderEntry> = { ...base.providers };
  for (const [name, p] of Object.entries(over.providers)) {
    const b = providers[name];
    providers[name] = b ? { aliases: [...new Set([...(b.aliases ?? []), ...(p.aliases ?? [])])], models: { ...b.models, ...p.models } } : p;
  }
  return { currency: 'USD', providers };
}

/** Lower case, trimmed. */
function norm(s: string): string {
  return s.trim().toLowerCase();
}

// Version and deployment decorations, removed one at a time from the end.
const SUFFIXES: readonly RegExp[] = [
  /@[\w.-]+$/, // Vertex AI: claude-sonnet-4@20250514
  /-v\d+:\d+$/, // Bedrock: ...-20241022-v2:0, amazon.nova-pro-v1:0
  /(?<=-\d{8})-v\d+$/, // Bedrock without the revision: ...-20241022-v2
  /-\d{4}-\d{2}-\d{2}$/, // OpenAI: gpt-4o-2024-08-06
  /-\d{8}$/, // Anthropic: claude-sonnet-4-20250514
  /-\d{3,4}$/, // gpt-4-0613, gemini-1.5-pro-002
  /-latest$/,
];
// Routing prefixes: OpenRouter "openai/gpt-4o", Gemini "models/...", Bedrock "us.anthropic.claude-...".
const PREFIXES: readonly RegExp[] = [
  /^[\w.-]+\//,
  /^(us|eu|apac|global|us-gov)\./,
  /^(anthropic|meta|amazon|cohere|mistral|ai21|deepseek|openai|qwen|writer)\./,
];

/** Names to try for a reported model, most specific first. */
export function candidates(reported: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (s !== '' && !out.includes(s)) out.push(s);
  };
  let s = norm(reported);
  add(s);
  for (const p of PREFIXES) {
    const t = s.replace(p, '');
    if (t !== s) add((s = t));
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of SUFFIXES) {
      const t = s.replace(re, '');
      if (t !== s && t !== '') {
        add((s = t));
        changed = true;
        break;
      }
    }
  }
  return out;
}

/**
 * Resolves (provider, reported model) to a table entry. The span's provider
 * is searched first (by its name or an alias); a provider that is absent or
 * not in the table falls back to every provider in table order. Results are
 * cached: a fleet reports few distinct names, so the hot path is one lookup.
 */
export class TokenPriceTable {
  private readonly byProvider = new Map<string, { provider: string; models: Map<string, { model: string; price: TokenPriceEntry }> }>();
  private readonly all: Array<{ provider: string; models: Map<string, { model: string; price: TokenPriceEntry }> }> = [];
  private readonly cache = new Map<string, TokenPriceLookup>();

  constructor(spec: TokenPriceTableSpec) {
    for (const [provider, p] of Object.entries(spec.providers)) {
      const models = new Map<string, { model: string; price: TokenPriceEntry }>();
      for (const [model, price] of Object.entries(p.models)) {
        for (const name of [model, ...(price.aliases ?? [])]) if (!models.has(norm(name))) models.set(norm(name), { model, price });
      }
      const entry = { provider, models };
      this.all.push(entry);
      for (const name of [provider, ...(p.aliases ?? [])]) this.byProvider.set(norm(name), entry);
    }
  }

  lookup(provider: string | undefined, model: string): TokenPriceLookup {
    const key = `${provider ?? ''}\u0000${model}`;
    let hit = this.cache.get(key);
    if (hit) return hit;
    hit = this.find(provider, model);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, hit);
    return hit;
  }

  private find(provider: string | undefined, model: string): TokenPriceLookup {
    const names = candidates(model);
    const own = provider !== undefined ? this.byProvider.get(norm(provider)) : undefined;
    const order = own ? [own, ...this.all.filter((p) => p !== own)] : this.all;
    // Each name against every provider before the next, shorter name: an exact
    // dated entry wins over the base model, whoever lists it.
    for (const n of names) {
      for (const p of order) {
        const m = p.models.get(n);
        if (m) return { ok: true, provider: p.provider, model: m.model, price: m.price };
      }
    }
    return { ok: false, reason: 'unknown_model_price' };
  }
}

/**
 * USD for one request. Input counts include the cached ones (the GenAI
 * conventions ask for that, and the emitters Tollgate reads do it); when
 * the cache counts exceed the input count, the emitter evidently reported
 * uncached input only, and it is priced as such.
 */
export function tokenCost(p: TokenPriceEntry, u: TokenUsage): number {
  const cacheRead = Math.max(0, u.cacheRead);
  const cacheCreation = Math.max(0, u.cacheCreation);
  const cached = cacheRead + cacheCreation;
  const uncached = cached <= u.input ? u.input - cached : u.input;
  const reasoning = p.reasoning !== undefined ? Math.min(Math.max(0, u.reasoning), u.output) : 0;
  const usd =
    uncached * p.input +
    cacheRead * (p.cached_input ?? p.input) +
    cacheCreation * (p.cache_creation ?? p.input) +
    (u.output - reasoning) * p.output +
    reasoning * (p.reasoning ?? p.output);
  return usd / 1e6;
}
