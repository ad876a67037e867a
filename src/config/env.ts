/**
 * `${env:VAR}` and `${env:VAR:-default}` expansion in string values, as the
 * collector does it: a value that is exactly one reference takes the type its
 * text reads as (a number, a boolean); `$$` is a literal `$`.
 */
const REF = /\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export function expandEnv(value: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (typeof value === 'string') return expandString(value, env);
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env);
    return out;
  }
  return value;
}

function expandString(s: string, env: NodeJS.ProcessEnv): unknown {
  if (!s.includes('$')) return s;
  const whole = WHOLE.exec(s);
  if (whole) {
    const v = env[whole[1]!] ?? whole[2] ?? '';
    return typed(v);
  }
  return s.replace(REF, (m, name: string | undefined, def: string | undefined) => {
    if (m === '$$') return '$';
    return env[name!] ?? def ?? '';
  });
}

function typed(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}
