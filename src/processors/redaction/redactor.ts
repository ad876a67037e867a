// Redacts content values: drop, hash or mask, keeping the original length.
import { createHash, createHmac } from 'node:crypto';
import type { IAnyValue, IKeyValue } from '../../pdata/proto.js';
import { anyToJs, type Attrs } from '../../genai/attrs.js';
import type { RedactionConfig } from './config.js';
import { compilePatterns, maskText, type Pattern } from './patterns.js';

export const LENGTH_SUFFIX = '.length';

export interface RedactStats {
  values: number;
  matches: number;
}

/** Length and text of a value: strings as they are, structured values as their JSON. */
function textOf(v: IAnyValue): string | undefined {
  if (v.stringValue != null) return v.stringValue;
  if (v.arrayValue || v.kvlistValue || v.bytesValue) return JSON.stringify(anyToJs(v));
  return undefined;
}

function globToRegExp(globs: readonly string[]): RegExp | undefined {
  if (globs.length === 0) return undefined;
  const alts = globs.map((g) => g.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
  return new RegExp(`^(?:${alts.join('|')})$`);
}

export class Redactor {
  private readonly exact: ReadonlySet<string>;
  private readonly glob: RegExp | undefined;
  private readonly events: ReadonlySet<string>;
  private readonly keep: ReadonlySet<string>;
  private readonly patterns: Pattern[];
  readonly stats: RedactStats = { values: 0, matches: 0 };

  constructor(private readonly cfg: RedactionConfig) {
    this.exact = new Set(cfg.content_attributes.filter((n) => !n.includes('*')));
    this.glob = globToRegExp(cfg.content_attributes.filter((n) => n.includes('*')));
    this.events = new Set(cfg.content_events);
    this.keep = new Set(cfg.event_keep_attributes);
    this.patterns = compilePatterns(cfg.patterns, cfg.custom_patterns);
  }

  isContentEvent(name: string | null | undefined): boolean {
    return !!name && this.events.has(name);
  }

  private isContentKey(key: string, v: IAnyValue | null | undefined): boolean {
    // Never our own length records (gen_ai.prompt.* would match gen_ai.prompt.length).
    if (key.endsWith(LENGTH_SUFFIX) && v?.intValue != null) return false;
    return this.exact.has(key) || (this.glob !== undefined && this.glob.test(key));
  }

  /**
   * Redacts the content attributes of `attrs` in place (an own, writable
   * array). With `allContent` (attributes of a content event) every attribute
   * not in event_keep_attributes counts as content.
   */
  redactAttrs(attrs: Attrs, allContent: boolean): void {
    const n = attrs.length;
    const lengths: IKeyValue[] = [];
    let removed = false;
    for (let i = 0; i < n; i++) {
      const kv = attrs[i]!;
      const key = kv.key ?? '';
      const content = allContent ? !this.keep.has(key) && !(key.endsWith(LENGTH_SUFFIX) && kv.value?.intValue != null) : this.isContentKey(key, kv.value);
      if (!content || !kv.value) continue;
      const r = this.redactValue(kv.value);
      if (r === undefined) continue;
      if (this.cfg.keep_length) lengths.push({ key: key + LENGTH_SUFFIX, value: { intValue: r.length } });
      if (r.value === null) {
        attrs[i] = undefined as unknown as IKeyValue;
        removed = true;
      } else attrs[i] = { key, value: r.value };
    }
    if (removed) {
      let w = 0;
      for (let i = 0; i < attrs.length; i++) if (attrs[i] !== undefined) attrs[w++] = attrs[i]!;
      attrs.length = w;
    }
    for (const l of lengths) {
      const j = attrs.findIndex((a) => a.key === l.key);
      if (j >= 0) attrs[j] = l;
      else attrs.push(l);
    }
  }

  /**
   * The redacted form of one value (null: drop it) and the original length;
   * undefined when the value is not text (numbers and booleans are kept).
   */
  redactValue(v: IAnyValue): { value: IAnyValue | null; length: number } | undefined {
    const text = textOf(v);
    if (text === undefined) return undefined;
    this.stats.values++;
    switch (this.cfg.action) {
      case 'drop':
        return { value: null, length: text.length };
      case 'hash':
        return { value: { stringValue: this.hash(text) }, length: text.length };
      case 'mask':
        return { value: this.mask(v), length: text.length };
    }
  }

  private hash(text: string): string {
    if (this.cfg.hash_key !== '') return `hmac-sha256:${createHmac('sha256', this.cfg.hash_key).update(text).digest('hex')}`;
    return `sha256:${createHash('sha256').update(text).digest('hex')}`;
  }

  /** Masks string leaves of a value, keeping its structure. */
  private mask(v: IAnyValue): IAnyValue {
    if (v.stringValue != null) {
      const r = maskText(v.stringValue, this.patterns, this.cfg.replacement);
      this.stats.matches += r.masked;
      return { stringValue: r.text };
    }
    if (v.arrayValue) return { arrayValue: { values: (v.arrayValue.values ?? []).map((x) => this.mask(x)) } };
    if (v.kvlistValue) return { kvlistValue: { values: (v.kvlistValue.values ?? []).map((kv) => ({ key: kv.key, value: kv.value ? this.mask(kv.value) : kv.value })) } };
    if (v.bytesValue) return { stringValue: '[REDACTED:bytes]' };
    return v;
  }
}
