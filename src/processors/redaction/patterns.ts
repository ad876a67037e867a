// Patterns the redaction processor masks. Each is a global regular
// expression plus an optional check on the match (card numbers must pass the
// Luhn checksum, phone numbers must have a plausible digit count), so ordinary
// numbers in a prompt ("I have 12 345 678 rows") stay.

export interface Pattern {
  name: string;
  re: RegExp;
  accept?: (match: string) => boolean;
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
  api_key: {
    name: 'api_key',
    // OpenAI/Anthropic (sk-...), AWS access key ids, GitHub, Slack, Google, Hugging Face tokens, and bearer tokens.
    re: /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,})\b|\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/g,
  },
  email: { name: 'email', re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  card: {
    name: 'card',
    // 13–19 digits, optionally grouped by spaces or dashes.
    re: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    accept: (m) => {
      const d = digits(m);
      return d.length >= 13 && d.length <= 19 && luhn(d);
    },
  },
  phone: {
    name: 'phone',
    // +country or a parenthesized area code or separated digit groups; 9–15 digits in all.
    re: /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w])|\+\d{9,15}\b/g,
    accept: (m) => {
      const n = digits(m).length;
      return n >= 9 && n <= 15 && (/[ .()-]/.test(m) || m.startsWith('+'));
    },
  },
};

/** Built-in patterns in the order they must run (keys and cards before the looser phone pattern). */
const ORDER = ['api_key', 'email', 'card', 'phone'];

export function compilePatterns(builtin: readonly string[], custom: ReadonlyArray<{ name: string; regex: string }>): Pattern[] {
  const out: Pattern[] = [];
  for (const n of ORDER) if (builtin.includes(n)) out.push(BUILTIN[n]!);
  for (const c of custom) out.push({ name: c.name, re: new RegExp(c.regex, 'g') });
  return out;
}

/** Replaces what the patterns match; returns the text unchanged (same string) when nothing matched. */
export function maskText(text: string, patterns: readonly Pattern[], replacement: string): { text: string; masked: number } {
  let masked = 0;
  let out = text;
  for (const p of patterns) {
    p.re.lastIndex = 0;
    if (!p.re.test(out)) continue;
    p.re.lastIndex = 0;
    const rep = replacement.replaceAll('{name}', p.name);
    out = out.replace(p.re, (m) => {
      if (p.accept && !p.accept(m)) return m;
      masked++;
      return rep;
    });
  }
  return { text: out, masked };
}
