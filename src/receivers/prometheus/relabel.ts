// relabel_configs / metric_relabel_configs with Prometheus 2.42's semantics
// (model/relabel/relabel.go), checked against a real Prometheus by
// test/receivers/prometheus/relabel-peer.test.ts.
import { createHash } from 'node:crypto';
import { compileAnchored, expand } from './goregex.js';

export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'keepequal', 'dropequal', 'lowercase', 'uppercase'] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** A relabel rule as written in the config (Prometheus keys). */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: string;
}

export interface CompiledRule {
  readonly action: RelabelAction;
  readonly source: readonly string[];
  readonly separator: string;
  readonly regex: RegExp;
  readonly target: string;
  readonly replacement: string;
  readonly modulus: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks and compiles rules; throws with `where[i].key: problem` as Prometheus's config loading would refuse it. */
export function compileRules(rules: readonly RelabelConfig[] | undefined, where: string): CompiledRule[] {
  return (rules ?? []).map((r, i) => {
    const at = `${where}[${i}]`;
    const action = (r.action ?? 'replace').toLowerCase() as RelabelAction;
    if (!RELABEL_ACTIONS.includes(action)) throw new Error(`${at}.action: unknown relabel action "${r.action}"`);
    let regex: RegExp;
    try {
      regex = compileAnchored(r.regex ?? '(.*)');
    } catch (e) {
      throw new Error(`${at}.regex: ${(e as Error).message}`);
    }
    const target = r.target_label ?? '';
    const needsTarget = action === 'replace' || action === 'hashmod' || action === 'lowercase' || action === 'uppercase' || action === 'keepequal' || action === 'dropequal';
    if (needsTarget && target === '') throw new Error(`${at}.target_label: required for action ${action}`);
    if ((action === 'lowercase' || action === 'uppercase' || action === 'hashmod' || action === 'keepequal' || action === 'dropequal') && !LABEL_NAME.test(target)) {
      throw new Error(`${at}.target_label: "${target}" is not a valid label name`);
    }
    if (action === 'replace' && !/^[a-zA-Z_$][a-zA-Z0-9_${}]*$/.test(target)) throw new Error(`${at}.target_label: "${target}" is not a valid label name or template`);
    if (action === 'hashmod' && !(r.modulus && r.modulus > 0)) throw new Error(`${at}.modulus: required and above 0 for action hashmod`);
    if ((action === 'labeldrop' || action === 'labelkeep') && (r.source_labels?.length || r.target_label || (r.replacement !== undefined && r.replacement !== '$1') || (r.separator !== undefined && r.separator !== ';'))) {
      throw new Error(`${at}: ${action} takes only regex`);
    }
    return {
      action,
      source: r.source_labels ?? [],
      separator: r.separator ?? ';',
      regex,
      target,
      replacement: r.replacement ?? '$1',
      modulus: r.modulus ?? 0,
    };
  });
}

/**
 * Applies the rules to a label set (a Map, mutated in place). Returns false
 * when the set is dropped. Labels with an empty value count as absent, as in
 * Prometheus; `finish()` removes them.
 */
export function relabel(lset: Map<string, string>, rules: readonly CompiledRule[]): boolean {
  for (const r of rules) {
    if (!apply(lset, r)) return false;
  }
  return true;
}

function sourceValue(lset: Map<string, string>, r: CompiledRule): string {
  if (r.source.length === 1) return lset.get(r.source[0]!) ?? '';
  let v = '';
  for (let i = 0; i < r.source.length; i++) {
    if (i > 0) v += r.separator;
    v += lset.get(r.source[i]!) ?? '';
  }
  return v;
}

function set(lset: Map<string, string>, name: string, value: string): void {
  if (value === '') lset.delete(name);
  else lset.set(name, value);
}

function apply(lset: Map<string, string>, r: CompiledRule): boolean {
  switch (r.action) {
    case 'drop':
      r.regex.lastIndex = 0;
      return !r.regex.test(sourceValue(lset, r));
    case 'keep':
      return r.regex.test(sourceValue(lset, r));
    case 'dropequal':
      return sourceValue(lset, r) !== (lset.get(r.target) ?? '');
    case 'keepequal':
      return sourceValue(lset, r) === (lset.get(r.target) ?? '');
    case 'replace': {
      const val = sourceValue(lset, r);
      const m = r.regex.exec(val);
      if (!m) return true;
      const target = expand(r.target, m);
      if (!LABEL_NAME.test(target)) {
        lset.delete(r.target);
        return true;
      }
      const res = expand(r.replacement, m);
      if (res === '') {
        lset.delete(r.target);
        return true;
      }
      lset.set(target, res);
      return true;
    }
    case 'lowercase':
      set(lset, r.target, sourceValue(lset, r).toLowerCase());
      return true;
    case 'uppercase':
      set(lset, r.target, sourceValue(lset, r).toUpperCase());
      return true;
    case 'hashmod': {
      const d = createHash('md5').update(sourceValue(lset, r)).digest();
      // Prometheus's sum64 keeps the digest's last 8 bytes, big-endian.
      const mod = d.readBigUInt64BE(8) % BigInt(r.modulus);
      set(lset, r.target, mod.toString());
      return true;
    }
    case 'labelmap': {
      const add: Array<[string, string]> = [];
      for (const [name, value] of lset) {
        const m = r.regex.exec(name);
        if (m) add.push([expand(r.replacement, m), value]);
      }
      for (const [n, v] of add) set(lset, n, v);
      return true;
    }
    case 'labeldrop':
      for (const name of [...lset.keys()]) if (r.regex.test(name)) lset.delete(name);
      return true;
    case 'labelkeep':
      for (const name of [...lset.keys()]) if (!r.regex.test(name)) lset.delete(name);
      return true;
  }
}
