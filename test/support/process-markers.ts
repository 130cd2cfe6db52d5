/**
 * Helpers for the process-layer and shell-kernel tests: processes are found by a marker this
 * test put in their command line, and only those are ever killed.
 */
import { textArrival } from './within.ts';
import { readdirSync, readFileSync } from 'node:fs';

/** A marker unique to this test run, for `exec -a MARKER sleep 100`. */
export function uniqueMarker(name: string): string {
  return `pb-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Live (non-zombie) pids whose command line contains `marker`. */
export function pidsWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // exited meanwhile
      }
    });
}

/** Kills (SIGKILL) the processes this test marked, if any are left: clean-up on every path. */
export function killMarked(marker: string): void {
  for (const pid of pidsWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Resolves once `condition()` holds, checking on every turn of the event loop (fails after `ms`):
 * for states no event reports, such as processes found by their marker appearing or vanishing.
 */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Output collected from onStdout/onStderr with the time each chunk arrived. */
export function collector() {
  const chunks: { name: 'stdout' | 'stderr'; text: string; at: number }[] = [];
  const stdout = textArrival();
  return {
    chunks,
    onStdout: (text: string) => (chunks.push({ name: 'stdout', text, at: performance.now() }), stdout.feed(text)),
    onStderr: (text: string) => chunks.push({ name: 'stderr', text, at: performance.now() }),
    text: (name: 'stdout' | 'stderr' = 'stdout') =>
      chunks
        .filter((c) => c.name === name)
        .map((c) => c.text)
        .join(''),
    /** When the first chunk containing `needle` arrived. */
    arrival: (needle: string) => chunks.find((c) => c.text.includes(needle))?.at,
    /** Resolves once stdout holds `needle`. */
    printed: stdout.printed,
  };
}
