// A real small filesystem for disk-full tests: a tmpfs of `size` mounted on a fresh directory (needs root).
// Returns null, with the reason, when it cannot be mounted, so the test can skip saying why.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  unmount(): void;
}

export function mountSmallDisk(size: string): SmallDisk | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'disk-full test skipped: mounting a small tmpfs needs root' };
  const dir = mkdtempSync(join(tmpdir(), 'accrete-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `disk-full test skipped: cannot mount a tmpfs (${(e as Error).message.split('\n')[0]})` };
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
