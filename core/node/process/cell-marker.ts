/**
 * The environment marker every process of one execution carries (`PROBEBOOK_CELL_RUN=<token>`,
 * tokens `<session>.<n>`): a child that calls `setsid` leaves the cell's process group but
 * usually keeps its environment, so the marker finds it where no cgroup holds it.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable that marks every process of one execution. */
export const CELL_MARKER_ENV = 'PROBEBOOK_CELL_RUN';

/**
 * The processes whose environment carries `PROBEBOOK_CELL_RUN=<token>` (root reads every
 * environ); with `prefix`, every token that starts with it (all executions of a session).
 */
export function pidsWithMarker(token: string, candidates?: number[], prefix = false): number[] {
  const needle = Buffer.from(`\0${CELL_MARKER_ENV}=${token}${prefix ? '' : '\0'}`);
  const pids =
    candidates ??
    readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  const found: number[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${pid}/environ`)]);
      if (environ.includes(needle)) found.push(pid);
    } catch {
      // Gone, or not ours to read: not a process of this cell.
    }
  }
  return found;
}
