/**
 * Shell cells: bash, each cell the leader of its own session and process group, with `cd`,
 * exported variables and exported functions carried from one cell to the next of the same
 * notebook, as in one terminal.
 *
 * Speed: two bashes are started ahead of time; each runs the builtins a cell's prelude uses once
 * (so their code is paged in), closes its fd 4 to say it is ready, and waits for its script on
 * fd 3. A cell takes a ready one, so its first output pays for no spawn (~2–10 ms of blocked event
 * loop), no bash start-up and no first-use page faults: only a pipe write and an eval. The next
 * one is started once the cell printed, ended, or ran 20 ms, so its spawn does not delay the
 * cell's first output either; with two, one is ready even when cells follow each other at once.
 * State: the cell's EXIT trap (and its last line) writes `export -p`, `declare -fx` and the folder
 * to a private file; the kernel keeps the text and hands it to the notebook's next cell.
 */
import { readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { CellErrorData } from '../../common/mime.ts';
import { CellProcess, type CellProcessResult } from '../process/cell-process.ts';
import { atExit } from '../process/exit-cleanup.ts';
import { ladderNote } from '../process/interrupt-ladder.ts';
import { preparePipes } from '../process/child-stdio.ts';
import { makePrivateDir } from '../process/runtime-dir.ts';
import { cellEnvironment } from '../process/base-env.ts';
import { Zygote } from '../process/zygote.ts';
import { commandNotFoundHint, missingToolMessage } from '../tools/missing-tool.ts';
import type { ExecutionRequest, ExecutionResult, Kernel } from './kernel.ts';
import { BOOTSTRAP, STATE_END, VARIABLE_NAME, buildPrelude } from './shell-prelude.ts';

export interface ShellKernelOptions {
  /** The bash to run (default `bash` on the cells' PATH). */
  bash?: string;
  /** Keep a shell started ahead of time (default true). */
  warm?: boolean;
}

/** Shells kept started ahead of time. */
const POOL_SIZE = 2;
/** A cell that neither printed nor ended by then gets its warm successor started anyway. */
const REFILL_AFTER_MS = 20;
/** How much of a cell's stderr is searched for the first `cell: line N:` error. */
const LOCATION_SCAN_CHARS = 8192;

export class ShellKernel implements Kernel {
  readonly language = 'shell' as const;
  readonly #bash: string;
  readonly #warmEnabled: boolean;
  /** Private (0700) folder for the state files cells write; root's variables stay unreadable to others. */
  readonly #dir: string;
  readonly #cancelExitTask: () => void;
  /** Cells that have not printed, ended or run 20 ms yet: no spawn may delay them. */
  #waiting = 0;
  /** Shells started ahead of time, oldest first. */
  #pool: Promise<CellProcess>[] = [];
  /** Settled shells of the pool, to pick a ready one without awaiting. */
  readonly #settled = new Map<Promise<CellProcess>, CellProcess>();
  /** Each notebook's saved state, and a generation that `reset` bumps so a cell still running cannot restore what was forgotten. */
  readonly #states = new Map<string, string>();
  readonly #generations = new Map<string, number>();
  /** Cells running now, and when each is done. */
  readonly #running = new Map<CellProcess, Promise<unknown>>();
  #disposed = false;
  /** Forks the warm shells, so this process does not (zygote.ts); none where Perl is missing. */
  readonly #zygote: Zygote | undefined;

  constructor(options: ShellKernelOptions = {}) {
    this.#bash = options.bash ?? 'bash';
    this.#warmEnabled = options.warm ?? true;
    const dir = makePrivateDir('probebook-shell-');
    this.#dir = dir;
    this.#cancelExitTask = atExit(() => rmSync(dir, { recursive: true, force: true }));
    preparePipes();
    this.#zygote = this.#warmEnabled ? Zygote.start([this.#bash, ...SHELL_ARGS], { cwd: dir, env: cellEnvironment({}) }) : undefined;
    this.#refill();
  }

  async execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (this.#disposed) throw new Error('the shell kernel was disposed');
    if (request.signal.aborted) return { status: 'interrupted', stopped: true, exitCode: null, exitSignal: null, durationMs: 0 };

    const key = request.notebookKey;
    const state = this.#states.get(key);
    if (state === undefined) {
      const problem = folderProblem(request.cwd);
      if (problem) return this.#fail(request, { ename: 'WorkingDirectoryError', evalue: `Cell ${request.cellId}: ${problem}`, traceback: [] }, elapsed());
    }
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...request.env, PROBEBOOK_CELL_ID: request.cellId })) {
      if (VARIABLE_NAME.test(name)) env[name] = value;
      else request.sink.stream('stderr', `[probebook: variable ${JSON.stringify(name)} not set: not a valid shell variable name]\n`);
    }

    const generation = this.#generations.get(key) ?? 0;
    const shell = await this.#takeShell();
    const stateFile = join(this.#dir, `${shell.pid}.state`);
    // The next warm shell starts after this cell's first output (its spawn blocks the event loop).
    let refillTimer: NodeJS.Timeout | undefined;
    let refilled = false;
    this.#waiting++;
    const refill = () => {
      if (refilled) return;
      refilled = true;
      this.#waiting--;
      clearTimeout(refillTimer);
      // Now, after the output went to the sink: on a later tick the next cell may already be
      // waiting for its own first output, and the spawn would block exactly that.
      this.#refill(POOL_SIZE);
    };
    refillTimer = setTimeout(refill, REFILL_AFTER_MS);
    let stderrHead = '';

    let result: CellProcessResult;
    try {
      const running = shell.run(
        {
          signal: request.signal,
          graceMs: request.graceMs,
          hurry: request.hurry,
          onStdout: (text) => {
            request.sink.stream('stdout', text);
            refill();
          },
          // `tcpdump -w -`, `cat x.pcap`: bytes, parsed outside the root process (the sink's owner).
          onStdoutBytes: (bytes) => {
            if (request.sink.bytes) request.sink.bytes('stdout', bytes);
            else request.sink.stream('stdout', bytes.toString('utf8'));
            refill();
          },
          onStderr: (text) => {
            if (stderrHead.length < LOCATION_SCAN_CHARS) stderrHead += text;
            request.sink.stream('stderr', text);
            refill();
          },
          onSpawn: request.onSpawn,
        },
        () => shell.control?.end(buildPrelude({ code: request.code, cwd: request.cwd, state, env, stateFile })),
      );
      this.#running.set(
        shell,
        running.catch(() => undefined),
      );
      result = await running;
    } finally {
      this.#running.delete(shell);
      clearTimeout(refillTimer);
      // Started now (not on setImmediate): a next cell that follows at once finds it.
      if (!refilled) {
        refilled = true;
        this.#waiting--;
        this.#refill();
      }
    }
    if (shell.pid !== undefined) this.#collectState(key, generation, stateFile);

    const base = { stopped: result.stopped, exitCode: result.exitCode, exitSignal: result.exitSignal };
    if (result.spawnError) {
      const error: CellErrorData =
        result.spawnError.code === 'ENOENT'
          ? { ename: 'MissingTool', evalue: missingToolMessage('bash'), traceback: [] }
          : { ename: 'SpawnError', evalue: `bash could not start: ${result.spawnError.message}`, traceback: [] };
      return this.#fail(request, error, elapsed());
    }
    if (this.#disposed && !result.stopped && result.exitSignal === 'SIGKILL') {
      request.sink.stream('stderr', '[probebook: the shell kernel was shut down while this cell ran]\n');
      return { ...base, stopped: true, status: 'interrupted', durationMs: elapsed() };
    }
    if (result.stopped) {
      const note = ladderNote(result.stoppedWith, request.graceMs ?? 3000, request.hurry?.aborted === true);
      if (note) request.sink.stream('stderr', note);
      return { ...base, status: 'interrupted', durationMs: elapsed() };
    }
    if (result.exitCode === 0) return { ...base, status: 'ok', durationMs: elapsed() };
    const error: CellErrorData =
      result.exitSignal !== null
        ? { ename: 'Signal', evalue: `Cell was killed by ${result.exitSignal}`, traceback: [] }
        : {
            ename: 'ExitCode',
            evalue: exitMessage(result.exitCode, result.exitCode === 127 ? commandNotFoundHint(stderrHead) : null),
            traceback: [],
            location: errorLocation(stderrHead),
          };
    if (error.location === undefined) delete error.location;
    return this.#fail(request, error, elapsed(), base);
  }

  #fail(request: ExecutionRequest, error: CellErrorData, durationMs: number, base?: Partial<ExecutionResult>): ExecutionResult {
    request.sink.error(error);
    return { stopped: false, exitCode: null, exitSignal: null, ...base, status: 'failed', error, durationMs };
  }

  /** A ready shell of the pool if there is one, else the oldest (waiting for it), else a new one. */
  async #takeShell(): Promise<CellProcess> {
    while (this.#pool.length > 0) {
      const ready = this.#pool.find((p) => this.#settled.get(p)?.isReady);
      const taken = ready ?? this.#pool[0]!;
      this.#pool = this.#pool.filter((p) => p !== taken);
      this.#settled.delete(taken);
      const shell = await taken.catch(() => undefined);
      // Ready first: the zygote's child makes itself a session leader (setsid) after its pid is
      // known, and a stop sent before that finds no session to signal: the interrupt was lost.
      await shell?.ready;
      if (shell?.alive) return shell;
      shell?.kill();
    }
    const shell = await this.#spawnShell();
    await shell.ready;
    return shell;
  }

  /** Starts shells until the pool holds `upTo` (each spawn blocks the event loop: callers choose when). */
  #refill(upTo = 1): void {
    while (this.#warmEnabled && !this.#disposed && this.#pool.length < Math.min(upTo, POOL_SIZE)) this.#spawnOne();
  }

  #spawnOne(): void {
    const shell = this.#spawnShell();
    this.#pool.push(shell);
    shell.then(
      async (s) => {
        this.#settled.set(shell, s);
        await s.ready;
        // Taken or not, the pool grows back one spawn at a time, never while a cell waits for its
        // first output (a spawn blocks the event loop): that cell's output refills it then.
        if (this.#waiting === 0) this.#refill(POOL_SIZE);
      },
      () => {
        this.#pool = this.#pool.filter((p) => p !== shell);
      },
    );
  }

  #spawnShell(): Promise<CellProcess> {
    const spawned = () => CellProcess.spawn(this.#bash, SHELL_ARGS, { cwd: this.#dir, env: {}, control: true, readySignal: true, sniffBinary: true });
    // Forked by the zygote where it runs and the pipes' stock has four; spawned here otherwise.
    const forked = this.#zygote?.alive ? CellProcess.fork(this.#zygote, { sniffBinary: true }) : undefined;
    const shell = forked ? forked.catch(spawned) : spawned();
    // The bootstrap's first read (shell-prelude.ts): wakes the new bash once before it says it is ready.
    return shell.then((s) => {
      s.control?.write('\n');
      return s;
    });
  }

  /** Keeps the state a finished cell saved, if it saved one whole and its notebook was not reset meanwhile. */
  #collectState(key: string, generation: number, file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      unlinkSync(file);
    } catch {
      return; // none saved (SIGKILL, `exec`): the previous state stays
    }
    if (!text.endsWith(STATE_END) || this.#disposed || (this.#generations.get(key) ?? 0) !== generation) return;
    this.#states.set(key, text.slice(0, -STATE_END.length));
  }

  async reset(notebookKey: string): Promise<void> {
    this.#states.delete(notebookKey);
    this.#generations.set(notebookKey, (this.#generations.get(notebookKey) ?? 0) + 1);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    const pool = this.#pool;
    this.#pool = [];
    this.#settled.clear();
    for (const shell of await Promise.all(pool.map((p) => p.catch(() => undefined)))) shell?.kill();
    for (const shell of this.#running.keys()) shell.kill(); // their execute() calls end with the kill
    await Promise.all(this.#running.values());
    this.#zygote?.dispose(); // after the cells: it reports their ends
    this.#states.clear();
    rmSync(this.#dir, { recursive: true, force: true });
    this.#cancelExitTask();
  }
}

/** A warm shell's arguments; `cell` is $0: bash's own errors read "cell: line 3: …". */
const SHELL_ARGS = ['--noprofile', '--norc', '-c', BOOTSTRAP, 'cell'];

/** Why `cwd` cannot be a cell's folder, or undefined when it can. */
function folderProblem(cwd: string): string | undefined {
  try {
    if (!statSync(cwd).isDirectory()) return `the notebook folder ${cwd} is not a folder`;
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `the notebook folder ${cwd} does not exist (was it moved or deleted?)`;
    return `cannot enter the notebook folder ${cwd}: ${(error as Error).message}`;
  }
}

/**
 * "Cell exited with code 137 (a command in it was killed by SIGKILL)"; "Cell exited with code 127:
 * nc is not installed: sudo apt install netcat-openbsd" when bash did not find a command.
 */
function exitMessage(code: number | null, missing?: string | null): string {
  const signal = code !== null && code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined;
  return `Cell exited with code ${code}${signal ? ` (a command in it was killed by ${signal})` : ''}${missing ? `: ${missing}` : ''}`;
}

/** The first `cell: line 3: …` in bash's stderr, so the editor can mark the line. */
function errorLocation(stderr: string): CellErrorData['location'] {
  const m = /^cell: (?:eval: )?line (\d+): /m.exec(stderr);
  return m ? { line: Number(m[1]) } : undefined;
}
