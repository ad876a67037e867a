// htpasswd files as Apache's htpasswd writes them and the collector's
// basicauth reads them: bcrypt ($2a$, $2b$, $2y$), Apache MD5 ($apr1$), SHA-1
// ({SHA}), salted SHA-1 ({SSHA}) and plain text.
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function to64(v: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += ITOA64[v & 0x3f];
    v >>>= 6;
  }
  return s;
}

/** Apache's MD5 crypt (`$apr1$<salt>$<hash>`), the md5crypt algorithm with Apache's magic. */
export function apr1(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const magic = Buffer.from('$apr1$');
  let fin = createHash('md5').update(pw).update(s).update(pw).digest();
  const ctx = createHash('md5').update(pw).update(magic).update(s);
  for (let pl = pw.length; pl > 0; pl -= 16) ctx.update(fin.subarray(0, Math.min(16, pl)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  fin = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update(i & 1 ? pw : fin);
    if (i % 3) c.update(s);
    if (i % 7) c.update(pw);
    c.update(i & 1 ? fin : pw);
    fin = c.digest();
  }
  const b = (i: number) => fin[i] ?? 0;
  const out =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2);
  return `$apr1$${salt.slice(0, 8)}$${out}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `password` matches an htpasswd hash. */
export async function verify(password: string, hash: string): Promise<boolean> {
  if (/^\$2[aby]\$/.test(hash)) return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
  if (hash.startsWith('$apr1$')) {
    const salt = hash.slice(6, hash.indexOf('$', 6));
    return same(apr1(password, salt), hash);
  }
  if (hash.startsWith('{SHA}')) return same(createHash('sha1').update(password).digest('base64'), hash.slice(5));
  if (hash.startsWith('{SSHA}')) {
    const raw = Buffer.from(hash.slice(6), 'base64');
    const salt = raw.subarray(20);
    const d = createHash('sha1').update(password).update(salt).digest();
    return d.length === 20 && raw.length > 20 && timingSafeEqual(d, raw.subarray(0, 20));
  }
  return same(password, hash);
}

/** `user:hash` lines; later lines win (inline after the file, as the collector reads them). */
export function parseHtpasswd(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}
