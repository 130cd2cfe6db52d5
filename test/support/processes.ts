/**
 * Finding the processes a page test started, to prove they are gone afterwards: by parent pid,
 * by a unique string in their command line, and their cgroup. Read from /proc only; tests stop
 * processes by the pids they started, never by name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export { eventually, pidsMentioning, waitGone } from './root.ts';

/** The live children of `pid` (field 4 of /proc/PID/stat). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The cgroup v2 folder a process is in (`/sys/fs/cgroup/…`), or null without cgroup v2. */
export function cgroupOf(pid: number): string | null {
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (!line) return null;
    const dir = join('/sys/fs/cgroup', line.slice(3));
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}
