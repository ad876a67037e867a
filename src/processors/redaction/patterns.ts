// Patterns the redaction processor masks, each with an optional check on the
// match (card numbers must pass the Luhn checksum, phone numbers must have a
// plausible digit count), so ordinary numbers in a prompt ("I have 12 345 678
// rows") stay.
import { RE2JS } from 're2js';
import { nextEmail } from './email.js';

/**
 * A pattern: where its next match is, and an optional check on the matched
 * text. Every pattern runs in time linear in the text: e-mail by a
 * hand-written scanner, the other built-ins are regular expressions whose work
 * per start position is bounded (bounded repetitions, or a literal prefix),
 * and custom patterns run in RE2 (re2js), which never backtracks.
 */
export interface Pattern {
  name: string;
  /** The next match at or after `from`: [start, end), or undefined. */
  next(text: string, from: number): [number, number] | undefined;
  accept?: (match: string) => boolean;
}

/** A V8 regular expression as a Pattern (only for patterns with bounded work per position). */
function regexPattern(name: string, re: RegExp, accept?: (m: string) => boolean): Pattern {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  return {
    name,
    next(text, from) {
      g.lastIndex = from;
      const m = g.exec(text);
      return m ? [m.index, m.index + m[0].length] : undefined;
    },
    ...(accept ? { accept } : {}),
  };
}

/** A custom pattern compiled by RE2 (linear time); throws naming what RE2 does not support. */
export function re2Pattern(name: string, regex: string): Pattern {
  const re = RE2JS.compile(regex);
  let lastText: string | undefined;
  let matcher: ReturnType<typeof re.matcher> | undefined;
  return {
    name,
    next(text, from) {
      if (text !== lastText || !matcher) {
        matcher = re.matcher(text);
        lastText = text;
      }
      return matcher.find(from) ? [matcher.start(), matcher.end()] : undefined;
    },
  };
}

function digits(s: string): string {
  return s.replace(/\D/g, '');
}

export function luhn(num: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = num.length - 1; i >= 0; i--) {
    let d = num.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

const BUILTIN: Readonly<Record<string, Pattern>> = {
  // OpenAI/Anthropic (sk-...), AWS access key ids, GitHub, Slack, Google, Hugging Face tokens, and bearer tokens.
  api_key: regexPattern(
    'api_key',
    /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,})\b|\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/g,
  ),
  email: { name: 'email', next: nextEmail },
  // 13–19 digits, optionally grouped by spaces or dashes.
  card: regexPattern('card', /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, (m) => {
    const d = digits(m);
    return d.length >= 13 && d.length <= 19 && luhn(d);
  }),
  // +country or a parenthesized area code or separated digit groups; 9–15 digits in all.
  phone: regexPattern('phone', /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w])|\+\d{9,15}\b/g, (m) => {
    const n = digits(m).length;
    return n >= 9 && n <= 15 && (/[ .()-]/.test(m) || m.startsWith('+'));
  }),
};

/** Built-in patterns in the order they must run (keys and cards before the looser phone pattern). */
const ORDER = ['api_key', 'email', 'card', 'phone'];

export function compilePatterns(builtin: readonly string[], custom: ReadonlyArray<{ name: string; regex: string }>): Pattern[] {
  const out: Pattern[] = [];
  for (const n of ORDER) if (builtin.includes(n)) out.push(BUILTIN[n]!);
  for (const c of custom) out.push(re2Pattern(c.name, c.regex));
  return out;
}

/** The e-mail regular expression the scanner implements (for tests that compare them). */
export const EMAIL_REGEX = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;

/** Replaces what the patterns match; returns the text unchanged (same string) when nothing matched. */
export function maskText(text: string, patterns: readonly Pattern[], replacement: string): { text: string; masked: number } {
  let masked = 0;
  let out = text;
  for (const p of patterns) {
    let m = p.next(out, 0);
    if (m === undefined) continue;
    const rep = replacement.replaceAll('{name}', p.name);
    const parts: string[] = [];
    let last = 0;
    let changed = false;
    while (m !== undefined) {
      const s: number = m[0];
      const e: number = m[1];
      if (!p.accept || p.accept(out.slice(s, e))) {
        parts.push(out.slice(last, s), rep);
        last = e;
        changed = true;
        masked++;
      }
      // An empty match moves on by one, as String.replace does.
      const from: number = e > s ? e : e + 1;
      m = from <= out.length ? p.next(out, from) : undefined;
    }
    if (changed) {
      parts.push(out.slice(last));
      out = parts.join('');
    }
  }
  return { text: out, masked };
}
