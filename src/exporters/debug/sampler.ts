/**
 * The collector's log sampling (zap's sampler with a one-second tick): in each
 * second the first `initial` events pass, then every `thereafter`-th.
 */
export function createSampler(initial: number, thereafter: number, now: () => number = Date.now): () => boolean {
  let second = -1;
  let n = 0;
  return () => {
    const s = Math.floor(now() / 1000);
    if (s !== second) {
      second = s;
      n = 0;
    }
    n++;
    return n <= initial || (n - initial) % thereafter === 0;
  };
}
