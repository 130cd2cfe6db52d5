/**
 * Signals to everything of a cell. execa signals one pid; a cell's leader is spawned `detached`
 * (setsid), so it leads a new session and process group, and its children stay in that session
 * even when they change group (`set -m` jobs, GNU `timeout`). Only `setsid` leaves it; the kernel
 * host's cgroup catches those.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { delay } from './delay.ts';

/** Sends `signal` to process group `pgid`; false when the group does not exist. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return true; // exists, not ours to signal (a setuid program in the group)
    throw error;
  }
}

/** Sends `signal` to one process (or, with a negative pid, its group); false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * The live (not zombie) processes of session `sid`, as pid → process group, from /proc. A killed
 * child is reparented to pid 1, which may be slow to reap it (container inits are), so zombies
 * do not count.
 */
function sessionMembers(sid: number): Map<number, number> {
  const members = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    if (signalGroup(sid, 0)) members.set(sid, sid); // no /proc: the leader's group is all we can see
    return members;
  }
  // Members were forked after the leader, so their pids are above its pid unless pids wrapped.
  const last = lastPid();
  const floor = last !== undefined && last >= sid ? sid : 0;
  for (const entry of entries) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue; // not a pid
    const pid = Number(entry);
    if (pid < floor) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session …": comm may hold spaces and ')', so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 4);
    if (Number(fields[3]) === sid && fields[0] !== 'Z' && fields[0] !== 'X') members.set(pid, Number(fields[2]));
  }
  return members;
}

/** The pid the kernel handed out last (undefined where /proc does not say). */
function lastPid(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'));
  } catch {
    return undefined;
  }
}

/** Whether anything of session `sid` is still alive. */
export function sessionAlive(sid: number): boolean {
  return sessionMembers(sid).size > 0;
}

/**
 * Sends `signal` to every process group of session `sid` (its leader's group and any its jobs
 * made). Returns false when nothing of it was alive.
 */
export function signalSession(sid: number, signal: NodeJS.Signals): boolean {
  const members = sessionMembers(sid);
  if (members.size === 0) return false;
  signalGroup(sid, signal);
  for (const pgid of new Set(members.values())) if (pgid !== sid) signalGroup(pgid, signal);
  return true;
}

/** Polls until session `sid` has no live process or `ms` pass; true when it is gone. */
async function waitSessionGone(sid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (let pause = 1; sessionAlive(sid); pause = Math.min(pause * 2, 20)) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await delay(Math.min(pause, left));
  }
  return true;
}

/**
 * Ends whatever is left of session `sid` (background jobs of a cell whose main process exited):
 * SIGTERM, `graceMs` to exit, then SIGKILL.
 */
export async function terminateSession(sid: number, graceMs: number): Promise<void> {
  if (!signalSession(sid, 'SIGTERM')) return;
  if (await waitSessionGone(sid, graceMs)) return;
  signalSession(sid, 'SIGKILL');
  await waitSessionGone(sid, 1000);
}
