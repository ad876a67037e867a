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
  return expandEnv(doc, env) as RawConfig;
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
