// A real full disk for tests: a small tmpfs mounted on a fresh directory.
// Mounting needs root (CI and the developer machines run as root); a test
// that calls this elsewhere fails saying so.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireIntegrationTier } from './tier.js';

export interface SmallDisk {
  readonly dir: string;
  /** Unmounts and removes the directory. */
  remove(): void;
}

/** Mounts a tmpfs of `bytes` (rounded up to whole pages by the kernel). */
export function mountSmallDisk(bytes: number): SmallDisk {
  requireIntegrationTier('a tmpfs mounted as a small disk (root)');
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-smalldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a ${bytes}-byte tmpfs on ${dir} to make a full disk (run the tests as root, as CI does): ${(err as Error).message}`);
  }
  return {
    dir,
    remove() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
