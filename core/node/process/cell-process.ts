/**
 * How every cell's process runs: spawned with execa as the leader of a new process group, its
 * stdout and stderr decoded and passed on live, stopped by the interrupt ladder, and — whether it
 * ends on its own or is stopped — followed by the end of everything else in its group, so nothing
 * of a cell survives it (`sleep 100 &` included).
 *
 * execa signals only the one pid and waits for pipes that a background child may hold open; the
 * group handling on top is ours (process-group.ts, interrupt-ladder.ts).
 */
import { execa, type Options, type ResultPromise } from 'execa';
import type { Writable } from 'node:stream';
import { interruptLadder, type LadderStep } from './interrupt-ladder.ts';
import { delay, signalGroup, trackGroup, untrackGroup, waitGroupGone } from './process-group.ts';

export interface CellProcessOptions {
  cwd: string;
  /** Added to this process's environment. */
  env: Record<string, string>;
  /** Aborting it runs the interrupt ladder. */
  signal: AbortSignal;
  /** Grace between the ladder's steps (default 3000 ms). */
  graceMs?: number;
  onStdout(text: string): void;
  onStderr(text: string): void;
  /** The child's stdin: nothing (default), a fixed text, or a pipe the caller writes. */
  stdin?: 'ignore' | { text: string };
  /** Called with the pid right after spawn (e.g. to move it into the cell's cgroup). */
  onSpawn?(pid: number): void | Promise<void>;
}

export interface CellProcessResult {
  exitCode: number | null;
  exitSignal: string | null;
  /** The signal aborted it. */
  stopped: boolean;
  /** The last ladder step that was needed. */
  stoppedWith?: LadderStep;
  /** It could not start: `code` is e.g. ENOENT (the caller says what to install). */
  spawnError?: { code: string; message: string };
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  stdin?: 'ignore' | { text: string };
  /** Open a pipe on fd 3 the caller can write to (the warm shell reads its script there). */
  controlPipe?: boolean;
  /** Run as another user (the kernel host's `asUser` cells). */
  uid?: number;
  gid?: number;
}

/** Time a group gets after its leader exits before the rest is killed outright. */
const LEFTOVER_GRACE_MS = 200;

/**
 * A spawned process group whose outputs and stop are wired once {@link CellProcess.run} is called,
 * so a process can be started ahead of time (the warm shell) and given to a cell later.
 */
export class CellProcess {
  readonly pid: number | undefined;
  readonly #child: ResultPromise;
  readonly #exited: Promise<{ code: number | null; signal: string | null }>;
  #spawnError: { code: string; message: string } | undefined;
  #pending: { name: 'stdout' | 'stderr'; text: string }[] = [];
  #handlers: { onStdout(t: string): void; onStderr(t: string): void } | undefined;
  #ran = false;

  private constructor(file: string, args: string[], options: SpawnOptions) {
    const stdin = options.stdin === undefined || options.stdin === 'ignore' ? 'ignore' : 'pipe';
    this.#child = execa(file, args, {
      cwd: options.cwd,
      env: options.env,
      extendEnv: true,
      detached: true, // setsid: the child leads a new process group (and session)
      stdio: options.controlPipe ? [stdin, 'pipe', 'pipe', 'pipe'] : [stdin, 'pipe', 'pipe'],
      buffer: false,
      reject: false,
      cleanup: true,
      uid: options.uid,
      gid: options.gid,
    } as Options) as ResultPromise;
    this.pid = this.#child.pid;
    if (this.pid !== undefined) trackGroup(this.pid);
    if (typeof options.stdin === 'object') this.#child.stdin?.end(options.stdin.text);
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = this.#child[name];
      stream?.setEncoding('utf8'); // StringDecoder inside: multibyte characters split across reads stay whole
      stream?.on('data', (text: string) => this.#emit(name, text));
    }
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => resolve({ code, signal }));
      this.#child.once('error', (error: NodeJS.ErrnoException) => {
        if (this.pid === undefined || error.code === 'ENOENT' || error.code === 'EACCES') {
          this.#spawnError = { code: error.code ?? 'ESPAWN', message: error.message };
          resolve({ code: null, signal: null });
        }
      });
    });
    // execa's own promise settles after the streams end; its result is read through events above.
    this.#child.catch(() => undefined);
  }

  /** Starts `file` in a new process group; outputs wait for {@link run}. */
  static spawn(file: string, args: string[], options: SpawnOptions): CellProcess {
    return new CellProcess(file, args, options);
  }

  /** The pipe on fd 3, when spawned with `controlPipe`. */
  get control(): Writable | undefined {
    return (this.#child.stdio as unknown[])[3] as Writable | undefined;
  }

  /** Whether the process is still running (not exited, not failed to start). */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null && this.#spawnError === undefined && this.pid !== undefined;
  }

  #emit(name: 'stdout' | 'stderr', text: string): void {
    if (this.#handlers) (name === 'stdout' ? this.#handlers.onStdout : this.#handlers.onStderr)(text);
    else this.#pending.push({ name, text });
  }

  /**
   * Wires outputs and the stop signal, and resolves when the process and everything else in its
   * group are gone and every byte it wrote has been passed on.
   */
  async run(options: Omit<CellProcessOptions, 'cwd' | 'env' | 'stdin'>): Promise<CellProcessResult> {
    if (this.#ran) throw new Error('CellProcess.run called twice');
    this.#ran = true;
    this.#handlers = { onStdout: options.onStdout, onStderr: options.onStderr };
    for (const { name, text } of this.#pending.splice(0)) this.#emit(name, text);

    const pid = this.pid;
    if (pid === undefined) {
      await this.#exited;
      return { exitCode: null, exitSignal: null, stopped: false, spawnError: this.#spawnError ?? { code: 'ESPAWN', message: 'the process did not start' } };
    }
    if (options.onSpawn) await options.onSpawn(pid);

    const finished = new AbortController();
    let stopped = false;
    let ladder: Promise<LadderStep | undefined> | undefined;
    const onAbort = () => {
      stopped = true;
      ladder ??= interruptLadder(pid, options.graceMs ?? 3000, finished.signal);
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    const exit = await this.#exited;
    options.signal.removeEventListener('abort', onAbort);
    finished.abort();
    const stoppedWith = await ladder;

    // The leader is gone; whatever it left in its group (background jobs) goes too.
    if (signalGroup(pid, 'SIGTERM') && !(await waitGroupGone(pid, LEFTOVER_GRACE_MS))) {
      signalGroup(pid, 'SIGKILL');
      await waitGroupGone(pid, 1000);
    }
    untrackGroup(pid);
    await this.#drained();

    if (this.#spawnError) return { exitCode: null, exitSignal: null, stopped, spawnError: this.#spawnError };
    return { exitCode: exit.code, exitSignal: exit.signal, stopped, stoppedWith };
  }

  /** Waits until both output pipes reached their end (bounded: a pipe passed to a stray process elsewhere must not hang the cell). */
  async #drained(): Promise<void> {
    const ended = (stream: NodeJS.ReadableStream | null) =>
      !stream || (stream as unknown as { readableEnded: boolean; destroyed: boolean }).readableEnded || (stream as unknown as { destroyed: boolean }).destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            stream.once('end', resolve);
            stream.once('close', resolve);
          });
    const timeout = new AbortController();
    await Promise.race([Promise.all([ended(this.#child.stdout), ended(this.#child.stderr)]), delay(2000, timeout.signal)]);
    timeout.abort();
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
  }

  /** Kills the whole group at once (an unused warm process being discarded). */
  kill(): void {
    if (this.pid === undefined) return;
    signalGroup(this.pid, 'SIGKILL');
    untrackGroup(this.pid);
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
    ((this.#child.stdio as unknown[])[3] as Writable | undefined)?.destroy();
  }
}

/** Runs one process as a cell: spawn, stream, stop on abort, leave nothing behind. */
export function runCellProcess(file: string, args: string[], options: CellProcessOptions): Promise<CellProcessResult> {
  return CellProcess.spawn(file, args, { cwd: options.cwd, env: options.env, stdin: options.stdin }).run(options);
}
