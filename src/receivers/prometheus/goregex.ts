// RE2 (Go regexp) as Prometheus relabelling uses it, on JavaScript's RegExp:
// anchored as Prometheus anchors it (`^(?:re)$`), `(?P<name>` groups, and
// Regexp.Expand's template rules for `$1`, `${1}`, `$name` and `$$`.

/** Compiles a relabel regex the way Prometheus does: fully anchored. Throws with the bad pattern named. */
export function compileAnchored(re: string): RegExp {
  const js = re.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(`^(?:${js})$`, 'u');
  } catch (e) {
    try {
      return new RegExp(`^(?:${js})$`);
    } catch {
      throw new Error(`invalid regex "${re}": ${(e as Error).message}`);
    }
  }
}

/**
 * Go's Regexp.Expand: `$name` takes the longest run of letters, digits and
 * `_`; a number names a group by index; an unknown or unmatched group expands
 * to ''; `$$` is a literal `$`; a `$` not followed by a valid name stays as is.
 */
export function expand(template: string, m: RegExpExecArray): string {
  if (template.indexOf('$') < 0) return template;
  let out = '';
  let i = 0;
  const n = template.length;
  while (i < n) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (i < n && template.charCodeAt(i) === 36) {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (i < n && template.charCodeAt(i) === 123 /* { */) {
      const close = template.indexOf('}', i + 1);
      name = close < 0 ? '' : template.slice(i + 1, close);
      if (name === '' || !/^[A-Za-z0-9_]+$/.test(name)) {
        out += '$';
        continue;
      }
      i = close + 1;
    } else {
      let j = i;
      while (j < n && /[A-Za-z0-9_]/.test(template[j]!)) j++;
      if (j === i) {
        out += '$';
        continue;
      }
      name = template.slice(i, j);
      i = j;
    }
    out += group(m, name);
  }
  return out;
}

function group(m: RegExpExecArray, name: string): string {
  if (/^\d+$/.test(name)) {
    const k = Number(name);
    return k < m.length ? (m[k] ?? '') : '';
  }
  return m.groups?.[name] ?? '';
}
