/**
 * Shared by the root-*.test.ts files: how to start the kernel host under test, how to wait for
 * processes to vanish, and cgroup/bpftrace counts to compare before and after.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export const repoRoot = resolve(import.meta.dirname, '../..');

/**
 * The kernel host as shipped (dist/node/kernel-host.js, built by `npm test`), or from source with
 * PROBEBOOK_KERNEL_HOST_FROM_SOURCE=1 (or =PATH of another entry .ts) while developing.
 */
export function kernelHostUnderTest(): { entry: string; nodeArgs: string[] } {
  const fromSource = process.env.PROBEBOOK_KERNEL_HOST_FROM_SOURCE;
  if (fromSource) {
    return { entry: fromSource === '1' ? join(repoRoot, 'core/node/kernel-host/kernel-host-main.ts') : resolve(fromSource), nodeArgs: ['--import', 'tsx'] };
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

/**
 * Resolves once none of `pids` runs; rejects naming the survivors after `timeoutMs`. Polled: a
 * process that is not our child tells nobody when it ends.
 */
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
    return execFileSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' })
      .replace(/\0/g, ' ')
      .trim();
  } catch {
    return '?';
  }
}

/** Processes whose command line contains `text` (e.g. a session id), this one excepted. */
export function pidsMentioning(text: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text) && isRunning(Number(name))) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** Number of BPF programs loaded (bpftool), or null without bpftool. */
/**
 * BPF programs loaded on the machine, or only those named `name` (the kernel keeps 15 characters
 * of a name: bpftrace's program for `tracepoint:syscalls:sys_enter_getppid` is `sys_enter_getpp`).
 * Tests run two files at a time, and other files load bpftrace programs too: a test counts the
 * programs only it loads.
 */
export function bpfProgCount(name?: string): number | null {
  try {
    const out = execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' });
    const progs = JSON.parse(out) as { name?: string }[];
    return name === undefined ? progs.length : progs.filter((p) => p.name === name.slice(0, 15)).length;
  } catch {
    return null;
  }
}

export interface AppLine {
  welcome?: { pid: number; sessionId: string; runAs: string; userUid: number; containment: string };
  method?: string;
  cellId?: string;
  stream?: string;
  text?: string;
  ended?: { status: string; stopped: boolean; exitCode?: number | null };
  error?: string;
  done?: boolean;
}

export interface RunningApp {
  child: ChildProcess;
  lines: AppLine[];
  /** Resolves with the first line (seen or coming) that matches; rejects after `timeoutMs` or when the app exits first. */
  waitFor(match: (line: AppLine) => boolean, timeoutMs?: number): Promise<AppLine>;
  exited: Promise<number | null>;
}

/**
 * Starts test/support/root-app.ts (optionally as another user: `spawn` options uid/gid/env),
 * which starts the kernel host and runs `cells`.
 */
export function startApp(cells: unknown[], options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): RunningApp {
  const host = kernelHostUnderTest();
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/root-app.ts'), JSON.stringify(cells)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
    env: { ...(options.env ?? process.env), PROBEBOOK_TEST_HOST_ENTRY: host.entry, PROBEBOOK_TEST_HOST_NODE_ARGS: JSON.stringify(host.nodeArgs) },
  });
  const lines: AppLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as AppLine);
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of [...waiters]) w();
  });
  const waitFor = (match: (line: AppLine) => boolean, timeoutMs = 20_000) =>
    new Promise<AppLine>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`)), timeoutMs);
      const finish = (error?: Error, line?: AppLine) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve(line!);
      };
      const check = () => {
        const line = lines.find(match);
        if (line) finish(undefined, line);
        else if (gone) finish(new Error(`the app exited; lines: ${JSON.stringify(lines)}; stderr: ${stderr}`));
      };
      waiters.add(check);
      check();
    });
  return { child, lines, waitFor, exited };
}

/** Polls `probe` until it returns true; rejects with `what` after `timeoutMs`. For states with no event (a pid gone, a cgroup removed). */
export async function eventually(probe: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} (after ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}
