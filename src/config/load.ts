import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expandEnv } from './env.js';

export type RawConfig = Record<string, unknown>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads, parses and merges config files in order (later files win; maps merge, lists are replaced). */
export function loadConfigFiles(paths: readonly string[], env: NodeJS.ProcessEnv = process.env): RawConfig {
  let merged: RawConfig = {};
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      throw new ConfigError([`${p}: cannot read: ${(err as Error).message}`]);
    }
    merged = mergeConfig(merged, parseConfigText(text, p, env));
  }
  return merged;
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = process.env): RawConfig {
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError([`${source}: invalid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError([`${source}: top level must be a map`]);
  const reserved = reservedKeys(doc, '');
  if (reserved.length > 0)
    throw new ConfigError(reserved.map((p) => `${p}: reserved key name, not allowed in a config (it could change how every object behaves)`));
  return expandEnv(doc, env) as RawConfig;
}

/**
 * Keys that name JavaScript's object machinery. The YAML parser makes them
 * ordinary own keys, but copying such a key into another object (merging
 * files, filling defaults) would replace that object's prototype, so they are
 * refused before anything else reads the config.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Paths of every reserved key in `v` (`receivers.otlp.__proto__`). */
export function reservedKeys(v: unknown, path: string): string[] {
  if (v === null || typeof v !== 'object') return [];
  const out: string[] = [];
  if (Array.isArray(v)) {
    v.forEach((x, i) => out.push(...reservedKeys(x, `${path}[${i}]`)));
    return out;
  }
  for (const k of Object.keys(v)) {
    const at = path ? `${path}.${k}` : k;
    if (RESERVED_KEYS.has(k)) out.push(at);
    else out.push(...reservedKeys((v as Record<string, unknown>)[k], at));
  }
  return out;
}

export function mergeConfig(a: RawConfig, b: RawConfig): RawConfig {
  const out: RawConfig = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isMap(prev) && isMap(v) ? mergeConfig(prev, v) : v;
  }
  return out;
}

function isMap(v: unknown): v is RawConfig {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
