/** `v`, which a test expects to be there: fails the test (naming `what`) when it is null or undefined. */
export function must<T>(v: T | null | undefined, what = 'value'): T {
  if (v === null || v === undefined) throw new Error(`expected a ${what}, got ${v}`);
  return v;
}
