/** A cumulative Prometheus histogram, rendered in the text format. */
export class Hist {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }
  observe(v: number, times = 1): void {
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]! += times;
    this.sum += v * times;
    this.count += times;
  }
  render(name: string, labels: string): string {
    const sep = labels ? `${labels},` : '';
    let out = '';
    for (let i = 0; i < this.bounds.length; i++) out += `${name}_bucket{${sep}le="${fmt(this.bounds[i]!)}"} ${this.counts[i]}\n`;
    out += `${name}_bucket{${sep}le="+Inf"} ${this.count}\n`;
    out += `${name}_sum${labels ? `{${labels}}` : ''} ${fmt(this.sum)}\n`;
    out += `${name}_count${labels ? `{${labels}}` : ''} ${this.count}\n`;
    return out;
  }
}

/** Go's %g-like float text Prometheus clients print (integers without a decimal point). */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(15)));
}
