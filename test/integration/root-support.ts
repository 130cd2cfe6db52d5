/**
 * Shared by the root-*.test.ts files: how to start the kernel host under test, how to wait for
 * processes to vanish, and cgroup/bpftrace counts to compare before and after.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

export const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * The kernel host as shipped (dist/node/kernel-host.js, built by `npm test`), or from source with
 * PROBEBOOK_KERNEL_HOST_FROM_SOURCE=1 while developing.
 */
export function kernelHostUnderTest(): { entry: string; nodeArgs: string[] } {
  if (process.env.PROBEBOOK_KERNEL_HOST_FROM_SOURCE === '1') {
    return { entry: join(repoRoot, 'core/node/host/kernel-host-main.ts'), nodeArgs: ['--import', 'tsx'] };
  }
  const entry = join(repoRoot, 'dist/node/kernel-host.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" (npm test builds first).`);
  return { entry, nodeArgs: [] };
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !zombie(pid);
  } catch {
    return false;
  }
}

function zombie(pid: number): boolean {
  try {
    const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` runs; rejects naming the survivors after `timeoutMs`. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const alive = pids.filter(isRunning);
    if (alive.length === 0) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`still running after ${timeoutMs} ms: ${alive.map((p) => `${p} (${comm(p)})`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function comm(pid: number): string {
  try {
    return execFileSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' }).replace(/\0/g, ' ').trim();
  } catch {
    return '?';
  }
}

/** Session cgroups under <v2>/probebook (empty when none or no cgroup v2). */
export function probebookCgroups(v2Mount: string | null): string[] {
  if (!v2Mount) return [];
  const dir = join(v2Mount, 'probebook');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Number of BPF programs loaded (bpftool), or null without bpftool. */
export function bpfProgCount(): number | null {
  try {
    const out = execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' });
    return (JSON.parse(out) as unknown[]).length;
  } catch {
    return null;
  }
}
