/**
 * What this machine offers for containing cells. A cell's process group is not enough: a child
 * that calls `setsid` leaves it. Where a cgroup v2 hierarchy is writable (root; pure v2 or the
 * `unified` mount of a hybrid system) the kernel host gives each cell a cgroup
 * (session-containment.ts); elsewhere cells are contained by their process group plus a sweep
 * for the environment marker every cell process carries (cell-marker.ts).
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ContainmentMode = 'cgroup2' | 'process-group';

/** What this machine offers for containing cells, as the doctor reports it. */
export interface ContainmentInfo {
  mode: ContainmentMode;
  /** Mount point of the cgroup v2 hierarchy, if any. */
  v2Mount: string | null;
  /** cgroup v1 controllers mounted beside v2 (hybrid). */
  hybrid: boolean;
  /** `cgroup.kill` exists (Linux ≥ 5.14): a whole cgroup dies in one write. */
  killFile: boolean;
  /** systemd is PID 1 (cgroups are then created under its tree, which it tolerates). */
  systemd: boolean;
  /** Why the mode is what it is, in one sentence. */
  reason: string;
}

/** Finds the cgroup v2 mount in /proc/self/mounts. */
export function findCgroup2Mount(mounts: string = readProcMounts()): string | null {
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2' && mountPoint) return mountPoint.replace(/\\040/g, ' ');
  }
  return null;
}

function readProcMounts(): string {
  try {
    return readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

/** Detects how cells can be contained here (for the kernel host and the doctor). */
export function detectContainment(): ContainmentInfo {
  const mounts = readProcMounts();
  const v2Mount = findCgroup2Mount(mounts);
  const hybrid = /^\S+ \S+ cgroup /m.test(mounts);
  const systemd = existsSync('/run/systemd/system');
  const base = { v2Mount, hybrid, systemd };
  if (!v2Mount) {
    return { ...base, mode: 'process-group', killFile: false, reason: 'no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup/unified)' };
  }
  const killFile = cgroupKillSupported(v2Mount);
  if (process.geteuid?.() !== 0) {
    return { ...base, mode: 'process-group', killFile, reason: `cgroup v2 at ${v2Mount} is writable only by root; the kernel host (root) uses it` };
  }
  try {
    accessSync(v2Mount, constants.W_OK);
  } catch {
    return { ...base, mode: 'process-group', killFile, reason: `cgroup v2 at ${v2Mount} is not writable (read-only or in a container without delegation)` };
  }
  return { ...base, mode: 'cgroup2', killFile, reason: `cgroup v2 at ${v2Mount}${hybrid ? ' (hybrid: v1 controllers beside it)' : ''}, one cgroup per cell` };
}

/** `cgroup.kill` is a file of every non-root cgroup on kernels that have it; probe a child if one exists. */
function cgroupKillSupported(v2Mount: string): boolean {
  try {
    const child = readdirSync(v2Mount, { withFileTypes: true }).find((e) => e.isDirectory());
    if (child) return existsSync(join(v2Mount, child.name, 'cgroup.kill'));
    const [major = 0, minor = 0] = readFileSync('/proc/sys/kernel/osrelease', 'utf8').split('.').map(Number);
    return major > 5 || (major === 5 && minor >= 14);
  } catch {
    return false;
  }
}
