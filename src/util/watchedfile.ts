// A file whose content a component keeps current: read at start, read again
// whenever it changes on disk (polled with fs.watchFile, which follows a path
// through renames and symlink swaps such as a Kubernetes Secret update), so a
// rotated token or password file takes effect without a restart.
import { readFileSync, unwatchFile, watchFile, type StatsListener } from 'node:fs';

export class WatchedFile {
  private listener: StatsListener | undefined;

  constructor(
    readonly path: string,
    private readonly onContent: (text: string) => void,
    private readonly onError: (err: Error) => void,
    private readonly intervalMs = 500,
  ) {}

  /** Reads the file (throws when it cannot) and starts watching it. */
  start(): void {
    this.onContent(readFileSync(this.path, 'utf8'));
    this.listener = (cur, prev) => {
      if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
      try {
        this.onContent(readFileSync(this.path, 'utf8'));
      } catch (err) {
        // Keep what was read last; a file being replaced may be missing for a moment.
        this.onError(err as Error);
      }
    };
    watchFile(this.path, { interval: this.intervalMs, persistent: false }, this.listener);
  }

  stop(): void {
    if (this.listener) unwatchFile(this.path, this.listener);
    this.listener = undefined;
  }
}
