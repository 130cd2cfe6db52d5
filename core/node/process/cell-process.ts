/**
 * How every cell's process runs: spawned as the leader of a new session and process
 * group, its stdout and stderr passed on live as text, stopped by the interrupt ladder, and —
 * whether it ends on its own or is stopped — followed by the end of everything else of its
 * session, so nothing of a cell survives it (`sleep 100 &` included).
 *
 * Spawned with node:child_process directly (execa's promise, stream wrappers and result
 * bookkeeping cost CPU on every cell and nothing here uses them). The code here adds (each file
 * says why): group and session signals
 * (process-group.ts, interrupt-ladder.ts), a kill-on-exit that works for detached children
 * (exit-cleanup.ts), real pipes instead of socketpairs (child-stdio.ts), and a wait for the output
 * that a background child holding the pipe cannot hang (here).
 */
import { constants as fsConstants, openSync, readFileSync, unlink } from 'node:fs';
import { join } from 'node:path';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { spawn, type StdioOptions } from 'node:child_process';
import { cellEnvironment } from './base-env.ts';
import { forwardText, type TextForward } from './decode-stream.ts';
import { delay } from './delay.ts';
import { trackSession, untrackSession } from './exit-cleanup.ts';
import { interruptLadder, type LadderStep } from './interrupt-ladder.ts';
import { signalSession, terminateSession } from './process-group.ts';
import { closeFds, inputFile, takeFifoNamesNow, takePipes, takePipesNow, type PipeEnds } from './child-stdio.ts';
import { findCgroup2Mount } from './detect-containment.ts';
import type { Zygote } from './zygote.ts';

export type { LadderStep } from './interrupt-ladder.ts';

export interface CellProcessOptions {
  cwd: string;
  /** Added to a clean base environment (base-env.ts), not to this process's environment. */
  env: Record<string, string>;
  /** Aborting it runs the interrupt ladder: SIGINT, SIGTERM after `graceMs`, SIGKILL after another. */
  signal: AbortSignal;
  /**
   * Grace between the ladder's steps (default 3000 ms). A function is asked when the ladder
   * starts, for a process whose needs are known only by then (bpftrace: how many probes it detaches).
   */
  graceMs?: number | (() => number);
  /** Aborting it while the ladder waits out a grace ends the wait at once (a second stop). */
  hurry?: AbortSignal;
  /** Send SIGINT again at this interval during its grace, for a program that can miss one (see bpftrace-kernel.ts). */
  repeatSigintMs?: number;
  /** Once aborted, SIGINT is not sent again: the program showed that it got one (a second may kill it). */
  repeatSigintUntil?: AbortSignal;
  /** Decoded UTF-8 text, passed on as soon as it is read; a character split across reads arrives whole. */
  onStdout(text: string): void;
  onStderr(text: string): void;
  /** Stdout that started as binary (spawned with `sniffBinary`): its bytes, undecoded. */
  onStdoutBytes?(bytes: Buffer): void;
  /**
   * The child's stdin: /dev/null (default), a fixed text (a file, so `cat /dev/stdin` works), or a
   * pipe handed to `onStdin` (a socket: `/dev/stdin` cannot be reopened by path then).
   */
  stdin?: 'ignore' | { text: string } | 'pipe';
  /** With `stdin: 'pipe'`: the writable end, once the process runs. */
  onStdin?(stdin: Writable): void;
  /** Called with the pid right after spawn (e.g. to move it into a cgroup); awaited before anything else. */
  onSpawn?(pid: number): void | Promise<void>;
  /** Run as another user (the kernel host's cells for the invoking user). */
  uid?: number;
  gid?: number;
}

export interface CellProcessResult {
  exitCode: number | null;
  exitSignal: string | null;
  /** The signal aborted it (at least one ladder step was sent to a live process). */
  stopped: boolean;
  /** The last ladder step that was needed. */
  stoppedWith?: LadderStep;
  /** It could not start: `code` is e.g. ENOENT (the caller says what to install) or EACCES. */
  spawnError?: { code: string; message: string };
}

/** How to start a {@link CellProcess}. */
export type SpawnOptions = Pick<CellProcessOptions, 'cwd' | 'env' | 'stdin' | 'uid' | 'gid'> & {
  /** A pipe on fd 3 that the caller writes (the warm shell reads its script there). */
  control?: boolean;
  /**
   * With `control`: a pipe on the child's fd 4 that it closes when it is ready for its script
   * (the warm shell, once it waits on fd 3); {@link CellProcess.ready} resolves then.
   */
  readySignal?: boolean;
  /** Stdout that starts as binary (a capture, a NUL byte) goes to `onStdoutBytes` undecoded. */
  sniffBinary?: boolean;
};

/** What a started process needs to run as a cell. */
export type RunOptions = Pick<
  CellProcessOptions,
  'signal' | 'graceMs' | 'hurry' | 'repeatSigintMs' | 'repeatSigintUntil' | 'onStdout' | 'onStderr' | 'onStdoutBytes' | 'onStdin' | 'onSpawn'
>;

/** Time the rest of a session gets after its leader exits before it is killed outright. */
const LEFTOVER_GRACE_MS = 200;
/** After the session is gone, output is awaited while it keeps coming, up to this long (a pipe held by a process that left the session). */
const DRAIN_IDLE_MS = 250;
const DRAIN_MAX_MS = 2000;

type Stream = 'stdout' | 'stderr';

/**
 * A process started as the leader of a new session, whose output and stop are wired once
 * {@link run} is called: a process can be started ahead of time (the warm shell) and given to a
 * cell later.
 */
export class CellProcess {
  readonly pid: number | undefined;
  readonly #launch: Launch;
  readonly #exited: Promise<LaunchExit>;
  readonly #forwards: TextForward[] = [];
  readonly #stdin: Writable | undefined;
  #stdinText: string | undefined;
  readonly #control: Writable | undefined;
  /** Resolves when the child closed its ready pipe (or exited, or never had one). */
  readonly ready: Promise<void>;
  #isReady = false;
  #spawnError: { code: string; message: string } | undefined;
  #pending: ({ name: Stream; text: string } | { name: 'stdout'; bytes: Buffer })[] = [];
  #handlers: Pick<RunOptions, 'onStdout' | 'onStderr' | 'onStdoutBytes'> | undefined;
  #lastOutput = 0;
  #ran = false;
  #exitCode: number | null | undefined;
  /** Spawned to wait for its script on fd 3 (a warm shell): it forks nothing before {@link run}. */
  readonly #waitsForScript: boolean;

  private constructor(launch: Launch, options: SpawnOptions) {
    this.#waitsForScript = options.control === true && options.readySignal === true;
    this.#launch = launch;
    this.pid = launch.pid;
    this.#stdin = launch.stdin;
    this.#stdinText = launch.stdinText;
    this.#control = launch.control;
    for (const w of [this.#stdin, this.#control]) w?.on('error', () => undefined); // EPIPE: the child stopped reading; its exit says the rest
    const readyPipe = launch.ready;
    this.ready = readyPipe
      ? new Promise<void>((resolve) => {
          const done = () => {
            this.#isReady = true;
            resolve();
          };
          readyPipe.on('error', done).on('close', done).resume();
        })
      : Promise.resolve();
    if (!readyPipe) this.#isReady = true;
    const { stdout, stderr } = launch;
    if (stdout)
      this.#forwards.push(forwardText(stdout, (text) => this.#emit('stdout', text), options.sniffBinary ? (bytes) => this.#emitBytes(bytes) : undefined));
    if (stderr) this.#forwards.push(forwardText(stderr, (text) => this.#emit('stderr', text)));

    if (this.pid !== undefined) trackSession(this.pid);
    this.#exited = launch.exited.then((exit) => {
      if (exit.spawnError) {
        this.#spawnError = exit.spawnError;
        this.#closeAll();
      } else this.#exitCode = exit.code;
      return exit;
    });
  }

  /** Starts `file` as the leader of a new session; its output waits for {@link run}. */
  static async spawn(file: string, args: string[], options: SpawnOptions): Promise<CellProcess> {
    // Synchronously when the stock has pipes: the spawn then happens when the caller chose to
    // spawn (a warm shell after a cell's first output), not a tick later in another cell's way.
    return new CellProcess(nodeLaunch(file, args, options, takePipesNow(2) ?? (await takePipes(2))), options);
  }

  /**
   * The same for a warm shell, forked by `zygote` (zygote.ts) rather than by this process: the
   * zygote's program and arguments, control and ready pipes. Undefined when the pipes' stock is
   * empty right now (the caller spawns it instead).
   */
  static fork(zygote: Zygote, options: Pick<SpawnOptions, 'sniffBinary'>): Promise<CellProcess> | undefined {
    const names = takeFifoNamesNow(4);
    if (!names) return undefined;
    const [out, err, ctl, rdy] = names as [string, string, string, string];
    const opened: number[] = [];
    const openEnd = (path: string, flags: number) => {
      const fd = openSync(path, flags);
      opened.push(fd);
      return fd;
    };
    let ends: { out: number; err: number; rdy: number; ctl: number; theirs: number[] };
    try {
      // Each read end first (non-blocking: no writer yet), then the other end, so neither open waits.
      const read = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;
      const ours = { out: openEnd(out, read), err: openEnd(err, read), rdy: openEnd(rdy, read) };
      const ctlRead = openEnd(ctl, read);
      ends = {
        ...ours,
        ctl: openEnd(ctl, fsConstants.O_WRONLY),
        // Held until the child holds its own ends: an end of file before that would be no child's.
        theirs: [openEnd(out, fsConstants.O_WRONLY), openEnd(err, fsConstants.O_WRONLY), openEnd(rdy, fsConstants.O_WRONLY), ctlRead],
      };
    } catch (error) {
      closeFds(...opened);
      for (const name of names) unlink(name, () => undefined);
      return Promise.reject(error);
    }
    const forked = zygote.fork({ stdout: out, stderr: err, control: ctl, ready: rdy });
    const release = () => {
      closeFds(...ends.theirs);
      for (const name of names) unlink(name, () => undefined);
    };
    return forked.then(
      (pid) => {
        release();
        const socket = (fd: number, readable: boolean) => new Socket({ fd, readable, writable: !readable });
        const launch: Launch = {
          pid,
          stdout: socket(ends.out, true),
          stderr: socket(ends.err, true),
          control: socket(ends.ctl, false),
          ready: socket(ends.rdy, true),
          exited: zygote.exited(pid),
          ended: () => !zygote.running(pid),
        };
        return new CellProcess(launch, { control: true, readySignal: true, sniffBinary: options.sniffBinary, cwd: '', env: {} });
      },
      (error: Error) => {
        release();
        closeFds(ends.out, ends.err, ends.rdy, ends.ctl);
        throw error;
      },
    );
  }

  /** Whether {@link ready} has resolved. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /** The pipe on the child's fd 3, when spawned with `control`. */
  get control(): Writable | undefined {
    return this.#control;
  }

  /** Whether the process is still running (not exited, not failed to start). */
  get alive(): boolean {
    return this.pid !== undefined && this.#exitCode === undefined && this.#spawnError === undefined && !this.#launch.ended();
  }

  #emitBytes(bytes: Buffer): void {
    this.#lastOutput = performance.now();
    if (!this.#handlers) this.#pending.push({ name: 'stdout', bytes });
    else if (this.#handlers.onStdoutBytes) this.#handlers.onStdoutBytes(bytes);
    else this.#handlers.onStdout(bytes.toString('utf8'));
  }

  #emit(name: Stream, text: string): void {
    this.#lastOutput = performance.now();
    if (!this.#handlers) this.#pending.push({ name, text });
    else if (name === 'stdout') this.#handlers.onStdout(text);
    else this.#handlers.onStderr(text);
  }

  /**
   * Wires output and the stop signal, calls `begin` (e.g. to send the warm shell its script) once
   * `onSpawn` is done, and resolves when the process and everything else of its session are gone
   * and its output has been passed on.
   */
  async run(options: RunOptions, begin?: () => void): Promise<CellProcessResult> {
    if (this.#ran) throw new Error('CellProcess.run called twice');
    this.#ran = true;
    this.#handlers = { onStdout: options.onStdout, onStderr: options.onStderr, onStdoutBytes: options.onStdoutBytes };
    for (const chunk of this.#pending.splice(0)) {
      if ('bytes' in chunk) this.#emitBytes(chunk.bytes);
      else this.#emit(chunk.name, chunk.text);
    }

    const pid = this.pid;
    if (pid === undefined) {
      await this.#exited;
      return { exitCode: null, exitSignal: null, stopped: false, spawnError: this.#spawnError ?? { code: 'ESPAWN', message: 'the process did not start' } };
    }
    try {
      await options.onSpawn?.(pid);
    } catch (error) {
      this.kill(); // not contained as asked: it must not run at all
      throw error;
    }
    // A warm shell forked nothing before its script: everything of its session is born in the
    // cgroup it is in now (the kernel host's cell cgroup), so that cgroup empty means the session is gone.
    const events = this.#waitsForScript ? cgroupEventsOf(pid) : undefined;
    begin?.();
    if (this.#stdinText !== undefined) this.#stdin?.end(this.#stdinText);
    if (this.#stdin && options.onStdin) options.onStdin(this.#stdin);

    const finished = new AbortController();
    let ladder: Promise<LadderStep | undefined> | undefined;
    const onAbort = () => {
      const graceMs = typeof options.graceMs === 'function' ? options.graceMs() : (options.graceMs ?? 3000);
      ladder ??= interruptLadder(pid, graceMs, finished.signal, options.hurry, {
        repeatSigintMs: options.repeatSigintMs,
        repeatSigintUntil: options.repeatSigintUntil,
      });
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    const exit = await this.#exited;
    options.signal.removeEventListener('abort', onAbort);
    finished.abort('exited'); // a reason given: no DOMException (and its stack) per cell
    const stoppedWith = await ladder;

    // The leader is gone; whatever it left in its session (background jobs) goes too. An empty
    // cell cgroup says nothing is left without a scan of /proc (~0.3–1.3 ms a cell).
    if (!(events && cgroupEmpty(events))) await terminateSession(pid, LEFTOVER_GRACE_MS);
    untrackSession(pid);
    await this.#drain();
    return { exitCode: exit.code, exitSignal: exit.signal, stopped: stoppedWith !== undefined, stoppedWith };
  }

  /**
   * Waits until the output pipes reach their end. Only a process that left the session (setsid)
   * can still hold them open: then output is passed on while it keeps coming, and the cell ends
   * after a quiet pause (or at most {@link DRAIN_MAX_MS}), saying so.
   */
  async #drain(): Promise<void> {
    const ended = Promise.all(this.#forwards.map((f) => f.ended)).then(() => true);
    const start = performance.now();
    this.#lastOutput = start;
    for (;;) {
      const wait = Math.min(this.#lastOutput + DRAIN_IDLE_MS, start + DRAIN_MAX_MS) - performance.now();
      if (wait <= 0) break;
      const timer = new AbortController();
      const done = await Promise.race([ended, delay(wait, timer.signal).then(() => false)]);
      timer.abort('done');
      if (done) return;
    }
    for (const f of this.#forwards) f.stop();
    this.#handlers?.onStderr('[probebook: a process that left the cell (setsid) still holds its output open; its further output is not shown]\n');
  }

  /** Kills the whole session at once (a warm shell being discarded, a kernel being disposed). */
  kill(): void {
    if (this.pid !== undefined && this.alive) signalSession(this.pid, 'SIGKILL');
    if (!this.#ran) {
      if (this.pid !== undefined) untrackSession(this.pid);
      this.#closeAll();
    }
  }

  #closeAll(): void {
    for (const f of this.#forwards) f.stop();
    this.#stdin?.destroy();
    this.#control?.destroy();
  }
}

/** The cgroup v2 mount, looked up once (null: none). */
let cgroup2Mount: string | null | undefined;

/** The `cgroup.events` file of the cgroup v2 that `pid` is in, or undefined where that is unknown. */
function cgroupEventsOf(pid: number): string | undefined {
  try {
    cgroup2Mount ??= findCgroup2Mount();
    if (!cgroup2Mount) return undefined;
    const path = /^0::(\/.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
    // The root cgroup has no cgroup.events and holds everything else anyway.
    return path && path !== '/' ? join(cgroup2Mount, path, 'cgroup.events') : undefined;
  } catch {
    return undefined; // exited already, or no /proc: the session scan decides
  }
}

/** Whether the cgroup whose `cgroup.events` this is has no process left in it or below it. */
function cgroupEmpty(events: string): boolean {
  try {
    return /^populated 0$/m.test(readFileSync(events, 'utf8'));
  } catch {
    return false;
  }
}

interface LaunchExit {
  code: number | null;
  signal: string | null;
  spawnError?: { code: string; message: string };
}

/** A started process's ends and end, however it was started. */
interface Launch {
  pid: number | undefined;
  stdout: Readable | null;
  stderr: Readable | null;
  stdin?: Writable;
  /** A fixed input to write to `stdin` (no private folder for an input file). */
  stdinText?: string;
  control?: Writable;
  ready?: Readable;
  exited: Promise<LaunchExit>;
  /** Whether it has ended, known before `exited` settles (default: never known earlier). */
  ended(): boolean;
}

/** Spawns `file` with node:child_process as the leader of a new session. */
function nodeLaunch(file: string, args: string[], options: SpawnOptions, pipes: PipeEnds[] | undefined): Launch {
  // Real pipes for the output where the pool has them, else Node's socketpairs.
  const [out, err] = pipes ?? [];
  // A fixed input is a file a program can reopen; a live one is Node's pipe (it cannot be reopened by path).
  let input: number | undefined;
  let stdinText: string | undefined;
  if (typeof options.stdin === 'object') {
    try {
      input = inputFile(options.stdin.text);
    } catch {
      stdinText = options.stdin.text; // no private folder: written to a pipe instead
    }
  }
  const stdio = [
    options.stdin === undefined || options.stdin === 'ignore' ? 'ignore' : (input ?? 'pipe'), // cells read /dev/null unless given input
    out?.write ?? 'pipe',
    err?.write ?? 'pipe',
    ...(options.control ? ['pipe'] : []), // read with `read -N` from its descriptor, never reopened
    ...(options.control && options.readySignal ? ['pipe'] : []), // closed by the child when it waits for its script
  ];
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: cellEnvironment(options.env),
    detached: true, // setsid: the child leads a new session and process group
    stdio: stdio as StdioOptions,
    // exit-cleanup.ts kills it if this process exits; the interrupt ladder stops it (interrupt-ladder.ts).
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  // The child has its ends now; ours stay open only on this side.
  closeFds(out?.write, err?.write, input);
  const reader = (pipe: PipeEnds | undefined, fallback: Readable | null) => (pipe ? new Socket({ fd: pipe.read, readable: true, writable: false }) : fallback);
  const exited = new Promise<LaunchExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: { code: error.code ?? 'ESPAWN', message: error.message } });
    });
  });
  return {
    pid: child.pid,
    stdout: reader(out, child.stdout),
    stderr: reader(err, child.stderr),
    stdin: child.stdin ?? undefined,
    stdinText,
    control: options.control ? ((child.stdio as unknown[])[3] as Writable | undefined) : undefined,
    ready: options.control && options.readySignal ? ((child.stdio as unknown[])[4] as Readable | undefined) : undefined,
    exited,
    ended: () => child.exitCode !== null || child.signalCode !== null,
  };
}

/** Runs one process as a cell: spawn, stream, stop on abort, leave nothing of it behind. */
export async function runCellProcess(file: string, args: string[], options: CellProcessOptions): Promise<CellProcessResult> {
  const process = await CellProcess.spawn(file, args, options);
  return process.run(options);
}
