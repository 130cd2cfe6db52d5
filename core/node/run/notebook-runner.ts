/**
 * Runs a notebook's cells: in order, background cells alongside, cleanup cells last, each through
 * a {@link CellExecutor}. The runner writes outputs into the notebook model as they arrive and
 * reports every change through {@link RunnerEvents}, so the CLI prints progress and the session
 * host broadcasts to UIs from the same code. Beside it: output transforms (`output-transform.ts`),
 * a cell's output sink (`cell-output-sink.ts`), TypeScript cells' notebook access
 * (`notebook-access.ts`) and parameters (`parameters.ts`).
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { CellLanguage } from '../../common/languages.ts';
import type { CellErrorData } from '../../common/mime.ts';
import type { Cell, JsonObject, Notebook } from '../../common/notebook/model.ts';
import type { CellReadiness, ExecutionStatus, OutputEdit, RunAs, RunSummary, StopReason } from '../../common/protocol.ts';
import { cellLabel, parseDuration, resolveCell } from '../../common/notebook/cell-options.ts';
import { applyOutputEdit } from '../../common/notebook/edits.ts';
import type { ExecutionResult, NotebookAccess, OutputSink } from '../kernels/kernel.ts';
import type { CellExecutor } from './executor.ts';
import { cellOutputSink } from './cell-output-sink.ts';
import { executionStatus } from './execution-status.ts';
import { notebookAccess, type FinishedCell } from './notebook-access.ts';
import type { OutputTransform } from './output-transform.ts';
import { cellParameters } from './parameters.ts';
import { ReadinessWait } from './readiness.ts';

export interface CellOutcome extends ExecutionResult {
  /** Whether the run counts the cell as done: `ok`, or stopped by its timeout or the run's end. */
  success: boolean;
  stopReason?: StopReason;
  /** The executor broke before the cell could end on its own (kernel host gone, elevation lost). */
  executorFailed?: boolean;
}

/** Everything a run reports. Callbacks must not throw; they run synchronously with the run. */
export interface RunnerEvents {
  queued(cellId: string): void;
  started(cellId: string, info: { executionCount: number; startedAt: number; runAs: RunAs }): void;
  output(cellId: string, edit: OutputEdit): void;
  ended(cellId: string, result: CellOutcome): void;
  /** A queued cell that will not run (an earlier cell failed, the run was interrupted, or it was stopped while queued). */
  skipped(cellId: string): void;
  /** The runner changed the cell's metadata (its timing, `metadata.execution`); `metadata` is the whole new object. */
  metadata(cellId: string, metadata: JsonObject): void;
  /** A running cell that says when it is ready waits for it (reported as it starts), or is ready now. */
  readiness(cellId: string, readiness: CellReadiness): void;
}

/**
 * How a cell ran in its last run, kept in `metadata.execution` (Jupyter's place for execution
 * timing; nbformat wants strings there). The run timeline reads it, live and from a saved file.
 */
export interface ExecutionTiming {
  /** ISO 8601 start, Jupyter's key. */
  'iopub.execute_input': string;
  /** ISO 8601 end, Jupyter's key; absent while the cell runs. */
  'shell.execute_reply'?: string;
  /** Shared by the cells of one run (a Run All, or one run of selected cells). */
  'probebook.run': string;
  'probebook.status': 'running' | ExecutionStatus;
  /** Why it was stopped, when it was. */
  'probebook.stop'?: StopReason;
  /** `"true"`: it ran alongside later cells (a background cell in a Run All). */
  'probebook.background'?: 'true';
  /** `"true"`: it ran at the end of a Run All as a cleanup cell. */
  'probebook.cleanup'?: 'true';
  /** `"true"`: the run was a Run All. */
  'probebook.runAll'?: 'true';
}

/** The run a cell executes in, and its part in it. */
interface RunContext {
  runId: string;
  runAll?: boolean;
  role?: 'background' | 'cleanup';
  /** The cell says when it is ready; in a Run All's background, it fails if it is not in time. */
  readiness?: ReadinessWait;
}

export interface RunOptions {
  /** Cells to run, in notebook order; all code cells when absent. */
  cellIds?: string[];
  /** A Run All: background cells run alongside, cleanup cells run at the end whatever happens. */
  runAll?: boolean;
  /** Go on after a failed cell. */
  allowErrors?: boolean;
}

/**
 * Whether a cell ran to its own end: it succeeded or failed by itself (or its timeout stopped it),
 * and was not stopped by the user nor cut off by a broken executor. A cleanup cell that did not
 * run to its end left its undo undone.
 */
function ranToEnd(outcome: CellOutcome): boolean {
  return !outcome.executorFailed && outcome.stopReason !== 'interrupt';
}

/** Whether every one of `cellIds` ran to its end in this run (see {@link ranToEnd}). */
export function allRan(summary: RunSummary, cellIds: string[]): boolean {
  return cellIds.every((id) => summary.cells.some((c) => c.cellId === id && c.ran));
}

export interface NotebookRunnerOptions {
  notebook: Notebook;
  notebookPath: string | null;
  /** Kernel state (shell cwd/env, TypeScript context) lives under this key. */
  notebookKey: string;
  executor: CellExecutor;
  events?: Partial<RunnerEvents>;
  /** Bytes of each stream kept in memory; the rest is counted and dropped (default 64 MiB). */
  memoryLimitBytes?: number;
  /** Overrides of the notebook's parameters (`--param NAME=VALUE`). */
  params?: Record<string, string>;
  /** Called in order after each cell ran, to add outputs made from its outputs (the iperf3 chart). */
  transforms?: readonly OutputTransform[];
  /** Grace between the steps of the interrupt ladder (default 3000 ms). */
  graceMs?: number;
  /**
   * Where runs with cleanup cells are recorded until those cells ran, so a crash leaves a note
   * that the next start offers (core/node/session/cleanup-ledger.ts).
   */
  ledger?: {
    beginRun(notebookPath: string, cleanupCellIds: string[]): string;
    endRun(runId: string): void;
    /** The run ended without its cleanup cells running to their end: offer them now, not only after a restart. */
    abandonRun?(runId: string): void;
  };
}

interface RunningCell {
  cellId: string;
  controller: AbortController;
  /** Aborted by a second stop while the cell is stopping: its ladder goes on at once. */
  hurry: AbortController;
  done: Promise<CellOutcome>;
}

/** Stops a running cell; stopping it again while it stops hurries its ladder (SIGTERM, then SIGKILL). */
function stopCell(running: RunningCell, reason: StopReason): void {
  if (running.controller.signal.aborted) running.hurry.abort(reason);
  else running.controller.abort(reason);
}

const DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024;

/** The cell's sink, with its stream text also shown to `readiness` (which matches `ready.output`). */
function readinessSink<S extends OutputSink>(sink: S, readiness: ReadinessWait): S {
  return Object.assign(Object.create(sink) as S, {
    stream(name: 'stdout' | 'stderr', text: string) {
      sink.stream(name, text);
      readiness.stream(name, text);
    },
  });
}

export class NotebookRunner {
  #opts: NotebookRunnerOptions;
  readonly #running = new Map<string, RunningCell>();
  #queue: Promise<unknown> = Promise.resolve();
  #pendingRuns = 0;
  #executionCount = 0;
  /** Set by interrupt() without a cell: the current run stops after its running cells. */
  #stopRequested = false;
  /** Set by {@link shutdown}: runs still queued start nothing. */
  #closed = false;
  /** Cells queued and not started yet (a cell may be queued by more than one run). */
  readonly #queued = new Map<string, number>();
  /** Queued cells stopped before they began: each run skips them when it gets there. */
  readonly #cancelled = new Set<string>();

  constructor(options: NotebookRunnerOptions) {
    this.#opts = options;
  }

  /** Runs later cells through another executor (the session's kernel host was started again). */
  useExecutor(executor: CellExecutor): void {
    this.#opts = { ...this.#opts, executor };
  }

  /** Whether a run is in progress or queued. */
  get busy(): boolean {
    return this.#pendingRuns > 0;
  }

  /**
   * Ends the runner: stops what runs, lets the current run's cleanup cells run (they undo what the
   * lab set up), starts no queued run, and resolves when all of that is over.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    this.interrupt();
    await this.#queue;
  }

  /** The ids of cells running now. */
  get runningCellIds(): string[] {
    return [...this.#running.keys()];
  }

  /**
   * Runs cells in notebook order. A second call waits for the first to finish (as a kernel's
   * queue does); its cells are reported as queued at once.
   */
  run(options: RunOptions = {}): Promise<RunSummary> {
    const cells = this.#select(options.cellIds);
    for (const cell of cells) {
      this.#queued.set(cell.id, (this.#queued.get(cell.id) ?? 0) + 1);
      this.#cancelled.delete(cell.id);
      this.#emit('queued', cell.id);
    }
    this.#pendingRuns++;
    const result = this.#queue.then(() => this.#runCells(cells, options));
    this.#queue = result.catch(() => undefined).finally(() => this.#pendingRuns--);
    return result;
  }

  /**
   * Interrupts one cell, or (without an id) everything of this notebook and its queue. A cell
   * still waiting in the queue is taken out of it: it is reported skipped at once and never runs.
   */
  interrupt(cellId?: string): void {
    if (cellId === undefined) {
      this.#stopRequested = true;
      for (const running of this.#running.values()) stopCell(running, 'interrupt');
      return;
    }
    const running = this.#running.get(cellId);
    if (running) {
      stopCell(running, 'interrupt');
    } else if (this.#queued.has(cellId) && !this.#cancelled.has(cellId)) {
      this.#cancelled.add(cellId);
      this.#emit('skipped', cellId);
    }
  }

  /** Takes a cell off the queue as its run gets to it; whether it was stopped while it waited. */
  #dequeue(cellId: string): boolean {
    const left = (this.#queued.get(cellId) ?? 1) - 1;
    if (left > 0) this.#queued.set(cellId, left);
    else this.#queued.delete(cellId);
    if (!this.#cancelled.has(cellId)) return false;
    if (left <= 0) this.#cancelled.delete(cellId);
    return true;
  }

  #select(cellIds: string[] | undefined): Cell[] {
    const code = this.#opts.notebook.cells.filter((c) => c.cellType === 'code');
    if (!cellIds) return code;
    const wanted = new Set(cellIds);
    const known = new Set(this.#opts.notebook.cells.map((c) => c.id));
    for (const id of wanted) if (!known.has(id)) throw new Error(`No cell with id "${id}" in this notebook.`);
    return code.filter((c) => wanted.has(c.id));
  }

  async #runCells(cells: Cell[], options: RunOptions): Promise<RunSummary> {
    this.#stopRequested = false;
    const summary: RunSummary = { ok: true, interrupted: false, cells: [] };
    const background: Promise<void>[] = [];
    const cleanup: Cell[] = [];
    let stop = false;
    const runId = randomUUID();
    const cleanupIds = options.runAll ? cells.filter((c) => this.#isCleanup(c)).map((c) => c.id) : [];
    const ledgerRun =
      cleanupIds.length && this.#opts.notebookPath && this.#opts.ledger ? this.#opts.ledger.beginRun(this.#opts.notebookPath, cleanupIds) : undefined;

    const record = (cell: Cell, outcome: CellOutcome) => {
      summary.cells.push({ cellId: cell.id, status: outcome.status, success: outcome.success, durationMs: outcome.durationMs, ran: ranToEnd(outcome) });
      if (!outcome.success) {
        summary.ok = false;
        summary.failedCellId ??= cell.id;
        if (outcome.stopReason === 'interrupt') summary.interrupted = true;
        if (!options.allowErrors || outcome.stopReason === 'interrupt') stop = true;
      }
    };

    for (const cell of cells) {
      if (options.runAll && this.#isCleanup(cell)) {
        cleanup.push(cell); // taken off the queue when it runs, at the end
        continue;
      }
      if (this.#dequeue(cell.id)) continue; // stopped while queued: reported then
      if (stop || this.#stopRequested || this.#closed) {
        this.#emit('skipped', cell.id);
        continue;
      }
      const started = this.#start(cell, { runId, runAll: options.runAll, role: options.runAll && this.#isBackground(cell) ? 'background' : undefined });
      if (options.runAll && started.background) {
        background.push(started.done.then((outcome) => record(cell, outcome)));
        // The next cell starts once this one is ready; if it ends or runs out of time first, it failed (#execute).
        if (started.readiness) await Promise.race([started.readiness.ready, started.done]);
        continue;
      }
      record(cell, await started.done);
    }

    // The run has ended: background cells are stopped the way Ctrl-C would (bpftrace prints maps).
    for (const running of this.#running.values()) running.controller.abort('run-ended' satisfies StopReason);
    await Promise.all(background);

    if (this.#stopRequested) summary.interrupted = true;
    // Cleanup cells undo what the lab set up, so they run after a failure or an interrupt too.
    this.#stopRequested = false;
    for (const cell of cleanup) {
      if (this.#dequeue(cell.id)) continue; // the user stopped this one while it waited
      record(cell, await this.#start(cell, { runId, runAll: true, role: 'cleanup' }).done);
    }
    // The ledger entry goes only once every cleanup cell ran to its end; otherwise it is offered
    // again (now, and after a restart), whatever cut the run short.
    if (ledgerRun) {
      if (allRan(summary, cleanupIds)) this.#opts.ledger!.endRun(ledgerRun);
      else this.#opts.ledger!.abandonRun?.(ledgerRun);
    }
    if (summary.interrupted) summary.ok = false;
    return summary;
  }

  #isCleanup(cell: Cell): boolean {
    try {
      return resolveCell(cell, this.#opts.notebook).options.cleanup === true;
    } catch {
      return false;
    }
  }

  #languageOf(cell: Cell): CellLanguage | undefined {
    try {
      return resolveCell(cell, this.#opts.notebook).language;
    } catch {
      return undefined; // the error is reported when the cell runs
    }
  }

  /** Who the cell runs as: `user: true` cells as the invoking user, the rest as the executor does. */
  #runAsOf(cell: Cell): RunAs {
    let asUser: boolean | undefined;
    try {
      asUser = resolveCell(cell, this.#opts.notebook).options.user;
    } catch {
      asUser = undefined; // the error is reported when the cell runs
    }
    return this.#opts.executor.runAsFor(asUser);
  }

  #isBackground(cell: Cell): boolean {
    try {
      return resolveCell(cell, this.#opts.notebook).options.background === true;
    } catch {
      return false; // the error is reported when the cell runs
    }
  }

  #start(cell: Cell, run: RunContext): { background: boolean; done: Promise<CellOutcome>; readiness?: ReadinessWait } {
    const controller = new AbortController();
    const hurry = new AbortController();
    const running: RunningCell = { cellId: cell.id, controller, hurry, done: Promise.resolve() as unknown as Promise<CellOutcome> };
    this.#running.set(cell.id, running);
    const readiness = this.#readinessOf(cell);
    running.done = this.#execute(cell, controller, { ...run, readiness }, undefined, hurry.signal).finally(() => this.#running.delete(cell.id));
    return { background: run.role === 'background', done: running.done, readiness };
  }

  /** What the cell waits for to be ready: its `ready`, and a background bpftrace cell's attached probes. */
  #readinessOf(cell: Cell): ReadinessWait | undefined {
    try {
      const { options, language } = resolveCell(cell, this.#opts.notebook);
      const attach = language === 'bpftrace' && (options.background === true || options.ready !== undefined);
      return options.ready || attach ? new ReadinessWait(options.ready, attach) : undefined;
    } catch {
      return undefined; // the error is reported when the cell runs
    }
  }

  async #execute(cell: Cell, controller: AbortController, run: RunContext, overrides?: Record<string, string>, hurry?: AbortSignal): Promise<CellOutcome> {
    const startedAt = Date.now();
    // What the cell showed before: transforms compare with it (a rule table's counters).
    const previous = cell.outputs.slice();
    this.#applyOutput(cell, { kind: 'clear' });
    const executionCount = ++this.#executionCount;
    cell.executionCount = executionCount;
    const timing: ExecutionTiming = { 'iopub.execute_input': new Date(startedAt).toISOString(), 'probebook.run': run.runId, 'probebook.status': 'running' };
    if (run.role) timing[`probebook.${run.role}`] = 'true';
    if (run.runAll) timing['probebook.runAll'] = 'true';
    this.#setTiming(cell, timing);
    this.#emit('started', cell.id, { executionCount, startedAt, runAs: this.#runAsOf(cell) });

    const sink = this.#sinkFor(cell);
    let timer: NodeJS.Timeout | undefined;
    const readiness = run.readiness;
    /** Set when Run All waited for this cell to be ready and it was not in time. */
    let notReady: 'timeout' | undefined;
    let readyTimer: NodeJS.Timeout | undefined;
    try {
      let resolved: ReturnType<typeof resolveCell>;
      let timeoutMs: number | undefined;
      let env: Record<string, string>;
      let args: string[];
      try {
        resolved = resolveCell(cell, this.#opts.notebook);
        timeoutMs = resolved.options.timeout !== undefined ? parseDuration(resolved.options.timeout) : undefined;
        ({ env, args } = cellParameters(this.#opts.notebook, resolved.options.args, this.#opts.params, overrides));
      } catch (error) {
        return this.#fail(cell, sink, startedAt, { ename: 'CellOptionsError', evalue: (error as Error).message, traceback: [] });
      }
      const startTimeout = () => {
        clearTimeout(timer);
        if (timeoutMs !== undefined && !controller.signal.aborted) timer = setTimeout(() => controller.abort('timeout' satisfies StopReason), timeoutMs);
      };
      startTimeout();
      if (readiness) {
        this.#emit('readiness', cell.id, { state: 'waiting', waitingFor: readiness.description });
        void readiness.ready.then(() => {
          clearTimeout(readyTimer);
          if (this.#running.get(cell.id)?.controller === controller) this.#emit('readiness', cell.id, { state: 'ready', afterMs: readiness.readyAfterMs! });
        });
        // Only Run All waits: a background cell run by hand just shows when it is ready.
        if (run.role === 'background')
          readyTimer = setTimeout(() => {
            if (readiness.isReady || controller.signal.aborted) return;
            notReady = 'timeout';
            controller.abort('run-ended' satisfies StopReason); // stopped as at the end of a run (bpftrace prints its maps)
          }, readiness.timeoutMs);
      }
      if (controller.signal.aborted) {
        // Interrupted before it began: it never runs.
        const outcome: CellOutcome = {
          status: 'interrupted',
          stopped: true,
          durationMs: 0,
          success: false,
          stopReason: controller.signal.reason as StopReason,
        };
        return this.#finish(cell, outcome, startedAt);
      }
      const result = await this.#opts.executor.execute({
        notebookKey: this.#opts.notebookKey,
        notebookPath: this.#opts.notebookPath,
        cellId: cell.id,
        language: resolved.language,
        code: resolved.code,
        cwd: this.#opts.notebookPath ? dirname(this.#opts.notebookPath) : process.cwd(),
        env,
        args,
        unsafe: resolved.options.unsafe,
        asUser: resolved.options.user,
        timeoutMs,
        signal: controller.signal,
        hurry,
        // bpftrace: the timeout counts again from when its probes are attached.
        onTracing: () => {
          startTimeout();
          readiness?.attached();
        },
        graceMs: this.#opts.graceMs,
        streamLimitBytes: this.#opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT,
        sink: readiness ? readinessSink(sink, readiness) : sink,
        notebook: this.#access(controller.signal, run),
        ...(readiness?.watch ? { ready: readiness.watch, onReady: () => readiness.watchHeld() } : {}),
      });
      sink.finish();
      if (readiness && run.role === 'background' && !readiness.isReady && (notReady || controller.signal.reason !== 'interrupt')) {
        // Run All waited for it: it ended, or ran out of time, before it was ready. The run fails here.
        const ended = { exitCode: result.exitCode, exitSignal: result.exitSignal, error: result.error?.evalue };
        const evalue = readiness.failure(cellLabel(cell, this.#opts.notebook), notReady ?? ended);
        return this.#fail(cell, sink, startedAt, { ename: 'NotReadyError', evalue, traceback: [] });
      }
      const stopReason = result.stopped ? (controller.signal.reason as StopReason) : undefined;
      // A timeout or the end of the run is how such a cell is meant to stop ("trace for 10 s").
      const success = result.status === 'ok' || (result.status === 'interrupted' && (stopReason === 'timeout' || stopReason === 'run-ended'));
      if (stopReason === 'timeout') sink.stream('stderr', `[probebook: stopped by its ${resolved.options.timeout} timeout]\n`);
      const cells = this.#opts.notebook.cells;
      // The cells above, nearest first: a journey traced in this cell is compared with one traced above.
      const above = () => cells.slice(0, Math.max(0, cells.indexOf(cell))).reverse();
      for (const transform of this.#opts.transforms ?? []) transform.afterCell(cell, { language: resolved.language, result, previous, above }, sink);
      return this.#finish(cell, { ...result, success, stopReason }, startedAt);
    } catch (error) {
      // The executor itself broke (kernel host gone…): the cell fails and says what happened.
      sink.finish();
      return this.#fail(cell, sink, startedAt, { ename: 'ExecutorError', evalue: (error as Error).message, traceback: [] }, true);
    } finally {
      if (timer) clearTimeout(timer);
      clearTimeout(readyTimer);
    }
  }

  #fail(cell: Cell, sink: OutputSink, startedAt: number, error: CellErrorData, executorFailed = false): CellOutcome {
    sink.error(error);
    return this.#finish(
      cell,
      { status: 'failed', stopped: false, error, durationMs: Date.now() - startedAt, success: false, ...(executorFailed ? { executorFailed } : {}) },
      startedAt,
    );
  }

  /** Every execution ends here: its outcome kept for cell(), its timing written, `ended` reported. */
  #finish(cell: Cell, outcome: CellOutcome, startedAt: number): CellOutcome {
    const endedAt = Date.now();
    this.#finished.set(cell.id, { outcome, startedAt, endedAt });
    const timing = { ...(cell.metadata.execution as unknown as ExecutionTiming) };
    timing['shell.execute_reply'] = new Date(endedAt).toISOString();
    timing['probebook.status'] = executionStatus(outcome);
    if (outcome.stopReason) timing['probebook.stop'] = outcome.stopReason;
    this.#setTiming(cell, timing);
    this.#emit('ended', cell.id, outcome);
    return outcome;
  }

  #setTiming(cell: Cell, timing: ExecutionTiming): void {
    cell.metadata = { ...cell.metadata, execution: { ...timing } };
    this.#emit('metadata', cell.id, cell.metadata);
  }

  readonly #finished = new Map<string, FinishedCell>();

  /** What TypeScript cells see of the notebook: other cells' outputs, and running them. */
  #access(signal: AbortSignal, run: RunContext): NotebookAccess {
    return notebookAccess({
      notebook: this.#opts.notebook,
      isRunning: (cellId) => this.#running.has(cellId),
      finished: (cellId) => this.#finished.get(cellId),
      languageOf: (cell) => this.#languageOf(cell),
      runCell: (cell, params) => this.#runInside(cell, signal, run, params),
    });
  }

  /** A cell run by `run()` of a running cell: part of the caller's run, stopped when the caller is. */
  async #runInside(cell: Cell, signal: AbortSignal, run: RunContext, params: Record<string, string> | undefined): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    const hurry = new AbortController();
    this.#running.set(cell.id, { cellId: cell.id, controller, hurry, done: Promise.resolve() as unknown as Promise<CellOutcome> });
    try {
      await this.#execute(cell, controller, { runId: run.runId }, params, hurry.signal);
    } finally {
      this.#running.delete(cell.id);
      signal.removeEventListener('abort', stop);
    }
  }

  /** The OutputSink of one execution: its calls become output edits of the cell (cell-output-sink.ts). */
  #sinkFor(cell: Cell): OutputSink & { finish(): void } {
    return cellOutputSink(cell, this.#opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT, (edit) => this.#applyOutput(cell, edit), {
      notebookPath: this.#opts.notebookPath ?? undefined,
    });
  }

  /** Every change of a cell's outputs: applied to the document, then reported. */
  #applyOutput(cell: Cell, edit: OutputEdit): void {
    applyOutputEdit(cell.outputs, edit);
    this.#emit('output', cell.id, edit);
  }

  #emit<K extends keyof RunnerEvents>(event: K, ...args: Parameters<RunnerEvents[K]>): void {
    const handler = this.#opts.events?.[event] as ((...a: Parameters<RunnerEvents[K]>) => void) | undefined;
    handler?.(...args);
  }
}
