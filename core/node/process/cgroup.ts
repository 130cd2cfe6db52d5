/**
 * Cell containment beyond process groups. A cell's process group is not enough: a child that
 * calls `setsid` leaves it. Where a cgroup v2 hierarchy is writable (root; pure v2 or the
 * `unified` mount of a hybrid system) the kernel host makes
 *
 *   <v2>/probebook/<session>/host      the kernel host itself (so every fork lands in the session)
 *   <v2>/probebook/<session>/cell-<n>  one per execution, killed whole when the cell is stopped
 *
 * and a reaper outside the session kills the whole tree when the kernel host dies, even by
 * SIGKILL. Elsewhere cells are contained by their process group plus an environment marker sweep
 * (`PROBEBOOK_CELL_RUN`), which also catches `setsid` children that keep their environment.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

/** The environment variable that marks every process of one execution. */
export const CELL_MARKER_ENV = 'PROBEBOOK_CELL_RUN';

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

/** One cgroup directory: adopt processes, list them, kill them all, remove it. */
export class Cgroup {
  constructor(readonly path: string) {}

  /** Moves a process (and with it every later fork) into this cgroup. */
  adopt(pid: number): void {
    writeFileSync(join(this.path, 'cgroup.procs'), `${pid}\n`);
  }

  /** Pids in this cgroup and every cgroup below it. */
  pids(): number[] {
    const pids: number[] = [];
    const walk = (dir: string) => {
      try {
        for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.push(Number(line));
        for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(join(dir, entry.name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    };
    walk(this.path);
    return pids;
  }

  /** Whether any process is in it or below it. */
  populated(): boolean {
    try {
      return /^populated 1$/m.test(readFileSync(join(this.path, 'cgroup.events'), 'utf8'));
    } catch {
      return false;
    }
  }

  /**
   * SIGKILLs everything in it and below: one write to `cgroup.kill`, or (older kernels) freeze,
   * kill each pid, thaw — freezing first so nothing forks between listing and killing.
   */
  kill(): void {
    if (!existsSync(this.path)) return;
    const killFile = join(this.path, 'cgroup.kill');
    if (existsSync(killFile)) {
      writeFileSync(killFile, '1');
      return;
    }
    const freeze = join(this.path, 'cgroup.freeze');
    const canFreeze = existsSync(freeze);
    if (canFreeze) writeFileSync(freeze, '1');
    for (let round = 0; round < 50; round++) {
      const pids = this.pids();
      if (pids.length === 0) break;
      for (const pid of pids) signal(pid, 'SIGKILL');
    }
    if (canFreeze) writeFileSync(freeze, '0');
  }

  /** Resolves once nothing runs in it (true), or after `timeoutMs` (false). */
  async waitEmpty(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.populated()) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  /** Removes it and its children, deepest first; a populated one stays (rmdir fails: EBUSY). */
  remove(): boolean {
    if (!existsSync(this.path)) return true;
    let removed = true;
    for (const entry of readdirSync(this.path, { withFileTypes: true })) {
      if (entry.isDirectory()) removed = new Cgroup(join(this.path, entry.name)).remove() && removed;
    }
    try {
      rmdirSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    return removed;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

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

/**
 * The kill-on-death guard: a tiny shell outside the session, reading the kernel host's pipe.
 * When that pipe closes (the host exited or was SIGKILLed) it kills the session cgroup and every
 * process group it was told about (and, without cgroups, every process carrying the session's
 * marker), then removes the cgroups. Lines: `+PGID` / `-PGID`.
 */
const REAPER_SCRIPT = `
trap '' INT TERM HUP QUIT PIPE
cg="$1"; groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} ";;
    -*) groups=$(printf '%s' "$groups" | sed "s/ \${line#-} / /");;
  esac
done
for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
if [ -z "$cg" ] && [ -n "$2" ]; then
  for f in /proc/[0-9]*/environ; do grep -qz "^$2" "$f" 2>/dev/null && { p=\${f#/proc/}; kill -KILL "\${p%/environ}" 2>/dev/null; }; done
fi
[ -n "$cg" ] && [ -d "$cg" ] || exit 0
if [ -e "$cg/cgroup.kill" ]; then echo 1 > "$cg/cgroup.kill"
else
  for i in 1 2 3 4 5; do for p in $(cat $(find "$cg" -name cgroup.procs) 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done; done
fi
i=0; while grep -q '^populated 1' "$cg/cgroup.events" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
exit 0
`;

/**
 * Everything one kernel host runs: its session cgroup (when available), one cgroup per execution,
 * the marker sweep, and the reaper that cleans up after the host's death.
 */
export class SessionContainment {
  readonly info: ContainmentInfo;
  readonly session: Cgroup | null;
  #host: Cgroup | null = null;
  #reaper: ResultPromise | null = null;
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
    // detached: the terminal's Ctrl-C must not reach the guard, only the closing pipe does.
    const marker = `${CELL_MARKER_ENV}=${this.sessionId}.`;
    this.#reaper = execa('/bin/sh', ['-c', REAPER_SCRIPT, 'probebook-reaper', this.session?.path ?? '', marker], {
      stdin: 'pipe',
      stdout: 'ignore',
      stderr: 'inherit',
      detached: true,
      cleanup: false,
      reject: false,
    });
    this.#reaper.unref();
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
      this.#tellReaper(`+${pid}`);
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

  /** Kills everything of one execution: its cgroup whole, or every process carrying its marker. */
  async killCell(token: string): Promise<void> {
    const stray = this.sweep(token);
    const cell = this.#cells.get(token);
    if (cell) {
      cell.kill();
      await cell.waitEmpty();
    } else {
      for (const pid of stray) signal(pid, 'SIGKILL');
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
      else this.#tellReaper(`-${pgid}`);
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
    if (this.#host) for (const pid of this.#host.pids()) if (pid !== process.pid) signal(pid, 'SIGKILL');
    for (const pgid of [...this.#groups.values()].flat()) if (groupAlive(pgid)) signal(-pgid, 'SIGKILL');
    // Without cgroups, `setsid` escapees are found by the marker every execution of this session carries.
    if (!this.session) for (const pid of pidsWithMarker(`${this.sessionId}.`, undefined, true)) signal(pid, 'SIGKILL');
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

  #tellReaper(line: string): void {
    this.#reaper?.stdin?.write(`${line}\n`);
  }
}
