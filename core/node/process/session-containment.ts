/**
 * Cell containment of one kernel host session. Where cgroup v2 is writable (detect-containment.ts)
 *
 *   <v2>/probebook/<session>/host      the kernel host itself (so every fork lands in the session)
 *   <v2>/probebook/<session>/cell-<n>  one per execution, killed whole when the cell is stopped
 *
 * and a reaper outside the session (reaper.ts) kills the whole tree when the kernel host dies,
 * even by SIGKILL. Elsewhere cells are contained by their process group plus a sweep for the
 * environment marker (cell-marker.ts), which also catches `setsid` children that keep their
 * environment.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CELL_MARKER_ENV, pidsWithMarker } from './cell-marker.ts';
import { Cgroup } from './cgroup.ts';
import { type ContainmentInfo, type ContainmentMode, detectContainment } from './detect-containment.ts';
import { signalProcess } from './process-group.ts';
import { type Reaper, startReaper } from './reaper.ts';

/** Removes empty session cgroups left by kernel hosts whose reaper died too (never populated ones). */
function removeStaleSessions(base: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return;
  }
  for (const name of entries) {
    const session = new Cgroup(join(base, name));
    try {
      // A minute old at least: a session being set up right now is empty for a moment too.
      if (Date.now() - statSync(session.path).mtimeMs < 60_000) continue;
    } catch {
      continue;
    }
    if (!session.populated()) session.remove();
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Everything one kernel host runs: its session cgroup (when available), one cgroup per execution,
 * the marker sweep, and the reaper that cleans up after the host's death.
 */
export class SessionContainment {
  readonly info: ContainmentInfo;
  readonly session: Cgroup | null;
  #host: Cgroup | null = null;
  #reaper: Reaper | null = null;
  #cells = new Map<string, Cgroup>();
  /** Process-group mode: the group leaders of each execution, as told to the reaper. */
  #groups = new Map<string, number[]>();
  #next = 0;

  constructor(
    readonly sessionId: string,
    info: ContainmentInfo = detectContainment(),
  ) {
    this.info = info;
    this.session = info.mode === 'cgroup2' && info.v2Mount ? new Cgroup(join(info.v2Mount, 'probebook', sessionId)) : null;
  }

  get mode(): ContainmentMode {
    return this.session ? 'cgroup2' : 'process-group';
  }

  /**
   * Starts the reaper, then moves this process into `<session>/host` so every fork is inside the
   * session. Call once, before running any cell. Falls back to process groups if cgroups fail.
   */
  start(): void {
    if (this.session) {
      removeStaleSessions(dirname(this.session.path));
      try {
        mkdirSync(join(this.session.path, 'host'), { recursive: true });
      } catch (error) {
        process.stderr.write(
          `probebook kernel host: cannot create ${this.session.path} (${(error as Error).message}); cells are contained by process group only.\n`,
        );
        (this as { session: Cgroup | null }).session = null;
      }
    }
    this.#reaper = startReaper(this.session?.path ?? null, `${CELL_MARKER_ENV}=${this.sessionId}.`);
    if (this.session) {
      this.#host = new Cgroup(join(this.session.path, 'host'));
      this.#host.adopt(process.pid);
    }
  }

  /** The cgroup of a new execution (null in process-group mode). */
  createCell(token: string): Cgroup | null {
    if (!this.session) return null;
    const cell = new Cgroup(join(this.session.path, `cell-${++this.#next}`));
    mkdirSync(cell.path);
    this.#cells.set(token, cell);
    return cell;
  }

  /** A cell process started (the process layer's `onSpawn`): into its cgroup, and known to the reaper. */
  adopt(token: string, pid: number): void {
    const cell = this.#cells.get(token);
    try {
      cell?.adopt(pid);
    } catch (error) {
      // It may already have exited; anything it forked carries the marker and is swept.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    if (!cell) {
      this.#groups.set(token, [...(this.#groups.get(token) ?? []), pid]);
      this.#reaper?.watch(pid);
    }
  }

  /**
   * Gathers the execution's processes that were forked before they could be adopted (they still
   * sit in the host's cgroup, or anywhere in process-group mode) by their marker.
   */
  sweep(token: string): number[] {
    const candidates = this.#host ? this.#host.pids() : undefined;
    const stray = pidsWithMarker(token, candidates);
    const cell = this.#cells.get(token);
    for (const pid of stray) {
      try {
        if (cell) cell.adopt(pid);
      } catch {
        // exited meanwhile
      }
    }
    return stray;
  }

  /** The processes of one execution now: its cgroup's, or (process-group mode) those carrying its marker. */
  cellPids(token: string): number[] {
    const cell = this.#cells.get(token);
    return cell ? cell.pids() : pidsWithMarker(token);
  }

  /** Kills everything of one execution: its cgroup whole, or every process carrying its marker. */
  async killCell(token: string): Promise<void> {
    const stray = this.sweep(token);
    const cell = this.#cells.get(token);
    if (cell) {
      cell.kill();
      await cell.waitEmpty();
    } else {
      for (const pid of stray) signalProcess(pid, 'SIGKILL');
    }
  }

  /** An execution ended: forget it; its cgroup goes once empty (survivors stay until the session ends). */
  release(token: string): void {
    const cell = this.#cells.get(token);
    if (cell && !cell.populated()) {
      cell.remove();
      this.#cells.delete(token);
    }
    // A group with no member left is forgotten, so the reaper never signals a reused id.
    const alive: number[] = [];
    for (const pgid of this.#groups.get(token) ?? []) {
      if (groupAlive(pgid)) alive.push(pgid);
      else this.#reaper?.forget(pgid);
    }
    if (alive.length) this.#groups.set(token, alive);
    else this.#groups.delete(token);
  }

  /** Kills every cell of the session (the host itself stays) and removes their cgroups. */
  async killAll(): Promise<void> {
    const cells = [...this.#cells.values()];
    if (this.session) {
      for (const entry of readdirSync(this.session.path, { withFileTypes: true })) {
        if (entry.isDirectory() && entry.name !== 'host') cells.push(new Cgroup(join(this.session.path, entry.name)));
      }
    }
    for (const cell of new Set(cells)) cell.kill();
    // Forks that escaped adoption are still in the host cgroup: everything there but us.
    if (this.#host) for (const pid of this.#host.pids()) if (pid !== process.pid) signalProcess(pid, 'SIGKILL');
    for (const pgid of [...this.#groups.values()].flat()) if (groupAlive(pgid)) signalProcess(-pgid, 'SIGKILL');
    // Without cgroups, `setsid` escapees are found by the marker every execution of this session carries.
    if (!this.session) for (const pid of pidsWithMarker(`${this.sessionId}.`, undefined, true)) signalProcess(pid, 'SIGKILL');
    this.#groups.clear();
    for (const cell of new Set(cells)) {
      await cell.waitEmpty();
      cell.remove();
    }
    this.#cells.clear();
  }

  /** The reaper's pid (tests check it is gone after cleanup). */
  get reaperPid(): number | undefined {
    return this.#reaper?.pid;
  }
}
