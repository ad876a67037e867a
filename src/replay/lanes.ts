// Ordered lanes: N workers, each sending its own queue strictly in order
// (one request at a time, retries included). A send with a lane key always
// goes to lane `key % N`, so everything sharing a key (a series, a resource)
// keeps its order; a send without one goes to the shortest queue.

export class Lanes<T> {
  private readonly queues: T[][];
  private readonly busy: boolean[];
  private spaceWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private queued = 0;
  private active = 0;

  constructor(
    readonly size: number,
    private readonly work: (item: T, lane: number) => Promise<void>,
    /** Items waiting (all lanes) before push() waits for room. */
    private readonly maxQueued = Math.max(64, size * 8),
  ) {
    this.queues = Array.from({ length: size }, () => []);
    this.busy = new Array<boolean>(size).fill(false);
  }

  /** Queues an item; waits while the lanes hold `maxQueued` items already (back-pressure on the reader). */
  async push(item: T, key: number | undefined): Promise<void> {
    while (this.queued >= this.maxQueued) await new Promise<void>((r) => this.spaceWaiters.push(r));
    let lane: number;
    if (key !== undefined) lane = key % this.size;
    else {
      lane = 0;
      for (let i = 1; i < this.size; i++) if (this.load(i) < this.load(lane)) lane = i;
    }
    this.queues[lane]!.push(item);
    this.queued++;
    if (!this.busy[lane]) void this.run(lane);
  }

  /** Resolves when every queued item has been worked. */
  async drain(): Promise<void> {
    while (this.queued > 0 || this.active > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
  }

  private load(i: number): number {
    return this.queues[i]!.length + (this.busy[i] ? 1 : 0);
  }

  private async run(lane: number): Promise<void> {
    this.busy[lane] = true;
    this.active++;
    const q = this.queues[lane]!;
    try {
      while (q.length > 0) {
        const item = q.shift()!;
        this.queued--;
        this.wake(this.spaceWaiters);
        try {
          await this.work(item, lane);
        } catch {
          // the worker accounts for its own failures; a throw must not stop the lane
        }
      }
    } finally {
      this.busy[lane] = false;
      this.active--;
      if (this.queued === 0 && this.active === 0) this.wake(this.drainWaiters);
    }
  }

  private wake(list: Array<() => void>): void {
    if (list.length === 0) return;
    const ws = list.splice(0);
    for (const w of ws) w();
  }
}
