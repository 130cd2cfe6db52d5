/**
 * One cgroup v2 directory, as the kernel host uses it for a session and for each cell: adopt a
 * process (and with it every later fork, `setsid` ones too), list, kill all, remove.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signalProcess } from './process-group.ts';

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
      for (const pid of pids) signalProcess(pid, 'SIGKILL');
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
