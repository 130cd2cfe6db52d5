/**
 * Shell cells: bash, each cell its own process group, with `cd` and exported variables carried
 * from one cell to the next of the same notebook, as in one terminal.
 *
 * Speed: a bash is started ahead of time and waits for its script on fd 3, so a cell's first
 * output does not pay for a spawn (~8 ms); the next one starts as soon as a cell takes it.
 * State: an EXIT trap (and the end of the script) writes `export -p` and `cd -- $PWD` to a private
 * per-notebook file; the next cell sources it before its code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellErrorData } from '../../common/mime.ts';
import { CellProcess } from '../process/cell-process.ts';
import { missingToolMessage } from '../tools/missing-tool.ts';
import type { ExecutionRequest, ExecutionResult, Kernel } from './kernel.ts';

/** Reads the NUL-terminated prelude and cell code from fd 3, closes it, and runs the prelude. */
const BOOTSTRAP = 'IFS= read -r -d "" __pb_script <&3; IFS= read -r -d "" __pb_code <&3; exec 3<&-; eval "$__pb_script"';

/** Paths where root's tools live, added when a minimal PATH lacks them. */
const SYSTEM_PATHS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface ShellKernelOptions {
  /** The bash to run (default `bash` on PATH). */
  bash?: string;
  /** Keep a shell started ahead of time (default true). */
  warm?: boolean;
}

export class ShellKernel implements Kernel {
  readonly language = 'shell' as const;
  readonly #bash: string;
  readonly #warmEnabled: boolean;
  #warm: CellProcess | undefined;
  #stateDir: Promise<string> | undefined;
  readonly #notebooks = new Map<string, string>();
  #disposed = false;

  constructor(options: ShellKernelOptions = {}) {
    this.#bash = options.bash ?? 'bash';
    this.#warmEnabled = options.warm ?? true;
  }

  async execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const started = Date.now();
    const stateFile = await this.#stateFile(request.notebookKey);
    const process = this.#takeShell();
    const script = buildScript(request, stateFile);
    let location: CellErrorData['location'];
    process.control?.end(`${script}\0${request.code}\0`);
    const result = await process.run({
      signal: request.signal,
      graceMs: request.graceMs,
      onStdout: (text) => request.sink.stream('stdout', text),
      onStderr: (text) => {
        location ??= errorLocation(text);
        request.sink.stream('stderr', text);
      },
      onSpawn: request.onSpawn,
    });
    const durationMs = Date.now() - started;

    if (result.spawnError) {
      const error: CellErrorData =
        result.spawnError.code === 'ENOENT'
          ? { ename: 'MissingTool', evalue: missingToolMessage('bash'), traceback: [] }
          : { ename: 'SpawnError', evalue: `bash could not start: ${result.spawnError.message}`, traceback: [] };
      request.sink.error(error);
      return { status: 'failed', stopped: false, error, durationMs, exitCode: null, exitSignal: null };
    }
    const base = { stopped: result.stopped, exitCode: result.exitCode, exitSignal: result.exitSignal, durationMs };
    if (result.stopped) return { ...base, status: result.exitCode === 0 ? 'ok' : 'interrupted' };
    if (result.exitCode === 0) return { ...base, status: 'ok' };
    const error: CellErrorData =
      result.exitSignal !== null
        ? { ename: 'Signal', evalue: `The cell was killed by ${result.exitSignal}.`, traceback: [] }
        : { ename: 'ExitCode', evalue: `The cell exited with code ${result.exitCode}.`, traceback: [], location };
    request.sink.error(error);
    return { ...base, status: 'failed', error };
  }

  /** The warm shell if there is one, else a new one; then another is started for the next cell. */
  #takeShell(): CellProcess {
    const warm = this.#warm?.alive ? this.#warm : undefined;
    if (this.#warm && !warm) this.#warm.kill();
    this.#warm = undefined;
    const shell = warm ?? this.#spawnShell();
    if (this.#warmEnabled && !this.#disposed) {
      // Started after this tick so the cell's own start is not slowed by it.
      setImmediate(() => {
        if (!this.#disposed && !this.#warm) this.#warm = this.#spawnShell();
      });
    }
    return shell;
  }

  #spawnShell(): CellProcess {
    return CellProcess.spawn(this.#bash, ['--noprofile', '--norc', '-c', BOOTSTRAP, 'cell'], {
      cwd: tmpdir(),
      env: { PATH: withSystemPaths(process.env.PATH), PROBEBOOK: '1' },
      controlPipe: true,
    });
  }

  async #stateFile(notebookKey: string): Promise<string> {
    this.#stateDir ??= mkdtemp(join(tmpdir(), 'probebook-shell-')); // 0700: the state holds the user's variables
    const dir = await this.#stateDir;
    let file = this.#notebooks.get(notebookKey);
    if (!file) {
      file = join(dir, `state-${this.#notebooks.size}.sh`);
      this.#notebooks.set(notebookKey, file);
    }
    return file;
  }

  async reset(notebookKey: string): Promise<void> {
    const file = this.#notebooks.get(notebookKey);
    this.#notebooks.delete(notebookKey);
    if (file) await rm(file, { force: true });
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#warm?.kill();
    this.#warm = undefined;
    this.#notebooks.clear();
    if (this.#stateDir) await rm(await this.#stateDir, { recursive: true, force: true });
    this.#stateDir = undefined;
  }
}

/**
 * The prelude a warm shell runs for one cell: restore the notebook's cwd and exports, apply the
 * cell's environment, save the state on any exit, then eval the cell's code (sent separately, so
 * bash numbers its lines as the cell's: errors read `cell: line 3: …`).
 */
export function buildScript(request: ExecutionRequest, stateFile: string): string {
  const state = quote(stateFile);
  const env = Object.entries({ ...request.env, PROBEBOOK_CELL_ID: request.cellId })
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, value]) => `export ${name}=${quote(value)}`)
    .join('; ');
  return [
    `builtin cd -- ${quote(request.cwd)} 2>/dev/null || echo "probebook: cannot cd to ${request.cwd.replace(/["\\$`]/g, '\\$&')}" >&2`,
    `if [ -f ${state} ]; then builtin source ${state}; fi`,
    env,
    `__pb_save() { { builtin export -p; builtin printf 'builtin cd -- %q 2>/dev/null\\n' "$PWD"; } > ${state}.tmp 2>/dev/null && command mv -f ${state}.tmp ${state} 2>/dev/null; }`,
    `trap '__pb_rc=$?; __pb_save; exit $__pb_rc' EXIT`,
    'unset __pb_script',
    'eval "$__pb_code"',
  ]
    .filter(Boolean)
    // One line: bash numbers eval'd lines from the line of the eval, so the cell's line 3 reads "line 3".
    .join('; ');
}

/** The first `cell: line 3: …` in bash's stderr, so the editor can mark the line. */
function errorLocation(text: string): CellErrorData['location'] {
  const m = /^cell: (?:eval: )?line (\d+): /m.exec(text);
  return m ? { line: Number(m[1]) } : undefined;
}

/** Single-quotes a string for bash. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function withSystemPaths(path: string | undefined): string {
  const parts = (path ?? '').split(':').filter(Boolean);
  for (const p of SYSTEM_PATHS) if (!parts.includes(p)) parts.push(p);
  return parts.join(':');
}
