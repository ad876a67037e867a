// A hand-written scanner for the built-in e-mail pattern. It finds exactly
// what /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g
// finds, in one pass: the regular expression tries every start position and
// scans ahead from each, which is quadratic (6.6 s on a 100 KB prompt of
// "a." repeated). Here each character is looked at a bounded number of
// times: local parts and domains of different '@' never overlap, because '@'
// belongs to neither.

const enum C {
  LOCAL = 1, // [A-Za-z0-9._%+-]
  LABEL = 2, // [A-Za-z0-9-]
  WORD = 4, // [A-Za-z0-9_], what \b tests
  LETTER = 8, // [A-Za-z]
}

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let k = 0;
  if (/[A-Za-z0-9._%+-]/.test(ch)) k |= C.LOCAL;
  if (/[A-Za-z0-9-]/.test(ch)) k |= C.LABEL;
  if (/\w/.test(ch)) k |= C.WORD;
  if (/[A-Za-z]/.test(ch)) k |= C.LETTER;
  CLASS[c] = k;
}

function cls(text: string, i: number): number {
  if (i < 0 || i >= text.length) return 0;
  const c = text.charCodeAt(i);
  return c < 128 ? CLASS[c]! : 0;
}

const isWord = (text: string, i: number) => (cls(text, i) & C.WORD) !== 0;

/**
 * End (exclusive) of the longest domain starting at `d` that ends in a
 * letters-only top-level label of two or more letters followed by a word
 * boundary, or -1. Labels are maximal runs of [A-Za-z0-9-] joined by single
 * dots; the regular expression backtracks to the last label that can end the
 * match, and so does this.
 */
function domainEnd(text: string, d: number): number {
  const starts: number[] = [];
  const ends: number[] = [];
  let i = d;
  for (;;) {
    const s = i;
    while (cls(text, i) & C.LABEL) i++;
    if (i === s) break;
    starts.push(s);
    ends.push(i);
    if (text.charCodeAt(i) !== 0x2e /* . */ || !(cls(text, i + 1) & C.LABEL)) break;
    i++;
  }
  for (let k = starts.length - 1; k >= 1; k--) {
    const s = starts[k] ?? 0;
    const e = ends[k] ?? 0;
    let r = s;
    while (r < e && cls(text, r) & C.LETTER) r++;
    if (r - s >= 2 && !isWord(text, r)) return r;
  }
  return -1;
}

/** The next e-mail address at or after `from`: [start, end), or undefined. */
export function nextEmail(text: string, from: number): [number, number] | undefined {
  for (let at = text.indexOf('@', from); at >= 0; at = text.indexOf('@', at + 1)) {
    let l = at;
    while (l > from && cls(text, l - 1) & C.LOCAL) l--;
    if (l === at) continue;
    const end = domainEnd(text, at + 1);
    if (end < 0) continue;
    // Leftmost start with a word boundary before it (\b).
    for (let p = l; p < at; p++) if (isWord(text, p - 1) !== isWord(text, p)) return [p, end];
  }
  return undefined;
}
