/**
 * Nothing of a cell outlives this process. execa's `cleanup` option does nothing for a `detached`
 * child (execa lib/terminate/cleanup.js returns early), and cells must be detached to lead their
 * own process group; so the sessions we start are tracked here and killed on exit, through
 * signal-exit (the library execa uses): normal exit, uncaught exception, SIGINT/SIGTERM/SIGHUP.
 * A SIGKILL of this process can run nothing: the kernel host's cgroup reaper covers that.
 */
import { onExit } from 'signal-exit';
import { signalSession } from './process-group.ts';

const liveSessions = new Set<number>();
const exitTasks = new Set<() => void>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  onExit(() => {
    for (const sid of liveSessions) signalSession(sid, 'SIGKILL');
    for (const task of exitTasks) {
      try {
        task();
      } catch {
        // Exiting: one failed clean-up must not stop the others.
      }
    }
  });
}

/** Kill session `sid` (SIGKILL) if this process exits while it runs. */
export function trackSession(sid: number): void {
  hook();
  liveSessions.add(sid);
}

export function untrackSession(sid: number): void {
  liveSessions.delete(sid);
}

/** Runs `task` (synchronous) when this process exits; returns a function that cancels it. */
export function atExit(task: () => void): () => void {
  hook();
  exitTasks.add(task);
  return () => exitTasks.delete(task);
}
