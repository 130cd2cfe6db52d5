/**
 * The kill-on-death guard of a kernel host session: probebook-reaper.sh, run by `/bin/sh` outside
 * the session and reading the kernel host's pipe. When that pipe closes (the host exited or was
 * SIGKILLed) it kills the session cgroup and every process group it was told about (and, without
 * cgroups, every process carrying the session's marker), then removes the cgroups.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

/**
 * The script: beside this module when run from source, beside the kernel host bundle once built
 * (build/targets/kernel-host.mjs copies it to dist/node, which a packaged app keeps unpacked).
 */
const SCRIPT_PATH = join(import.meta.dirname, 'probebook-reaper.sh');

/** A running reaper: tell it the process groups it must kill if the kernel host dies. */
export interface Reaper {
  readonly pid: number | undefined;
  /** A cell's process group started. */
  watch(pgid: number): void;
  /** A process group has no member left: forget it, so a reused id is never signalled. */
  forget(pgid: number): void;
}

/**
 * Starts the reaper of one session: `cgroupPath` is killed whole (null in process-group mode, where
 * processes whose environment starts with `marker` are killed instead).
 */
export function startReaper(cgroupPath: string | null, marker: string): Reaper {
  let script: string;
  try {
    script = readFileSync(SCRIPT_PATH, 'utf8');
  } catch (error) {
    throw new Error(`The cell reaper script is missing (${(error as Error).message}): run "npm run build".`);
  }
  // Read once and passed to `sh -c`: a rebuild that rewrites the file cannot change a running reaper.
  // detached: the terminal's Ctrl-C must not reach the guard, only the closing pipe does.
  const child: ResultPromise = execa('/bin/sh', ['-c', script, 'probebook-reaper', cgroupPath ?? '', marker], {
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'inherit',
    detached: true,
    cleanup: false,
    reject: false,
  });
  child.unref();
  const tell = (line: string) => child.stdin?.write(`${line}\n`);
  return { pid: child.pid, watch: (pgid) => tell(`+${pgid}`), forget: (pgid) => tell(`-${pgid}`) };
}
