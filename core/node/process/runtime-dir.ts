/**
 * Private folders for the files cells exchange with us (FIFOs, shell state, bpftrace scripts): on
 * a tmpfs where there is one (XDG_RUNTIME_DIR, /dev/shm), since every cell creates and removes a
 * few there. Each name carries its process's pid and start time, so that after a SIGKILL (when
 * no exit handler runs) the next process to make one removes the folders of processes that are
 * gone — only its own user's, never a live process's.
 */
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime } from './process-identity.ts';
import { privateDirProblem, sharedDirProblem } from './owned-dir.ts';

/** `probebook-<kind>-<pid>-<start time>-XXXXXX`, as {@link makePrivateDir} names them. */
const OWNED_NAME = /^probebook-[a-z]+-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

let base: string | undefined;

/**
 * XDG_RUNTIME_DIR when it is ours alone; else /dev/shm or the temp folder, if no one but root can
 * swap what is in them (root-owned, sticky when world-writable).
 */
function runtimeBase(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && !privateDirProblem(runtime)) return runtime;
  for (const candidate of ['/dev/shm', tmpdir()]) {
    if (!sharedDirProblem(candidate)) return candidate;
  }
  throw new Error(
    `no safe folder for private files: XDG_RUNTIME_DIR is unset or not yours alone, and /dev/shm and ${tmpdir()} are ${sharedDirProblem(tmpdir())}. Set TMPDIR to a folder of your own.`,
  );
}

/**
 * A new 0700 folder `<prefix><pid>-<start time>-XXXXXX` (mkdtemp), readable by this user only.
 * The first call in a process also removes the folders killed processes left.
 */
export function makePrivateDir(prefix: string): string {
  if (base === undefined) {
    base = runtimeBase();
    sweepDeadPrivateDirs(base);
  }
  return mkdtempSync(join(base, `${prefix}${process.pid}-${processStartTime(process.pid) ?? 0}-`));
}

/**
 * Removes the folders in `base` named by {@link makePrivateDir} whose process is gone (its pid
 * does not run, or runs a process that started at another time). Folders of other users, links
 * and live processes' folders stay. Returns the paths removed.
 */
export function sweepDeadPrivateDirs(base: string): string[] {
  const uid = process.geteuid?.() ?? 0;
  const removed: string[] = [];
  // Without /proc no process can be told alive or gone: sweep nothing.
  if (processStartTime(process.pid) === null) return removed;
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed; // nothing to sweep where nothing can be listed
  }
  for (const name of names) {
    const m = OWNED_NAME.exec(name);
    if (!m) continue;
    const path = join(base, name);
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats?.isDirectory() || stats.uid !== uid) continue;
    const startTime = processStartTime(Number(m[1]));
    if (startTime === m[2]) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
