/**
 * The contract between the runner (or kernel host) and a language kernel. A kernel runs one cell
 * at a time per call; several calls may run concurrently (background cells), each with its own
 * sink, so their outputs never mix.
 */
import type { CellLanguage } from '../../common/languages.ts';
import type { CellErrorData } from '../../common/mime.ts';
import type { OutputItem, ReadyPort } from '../../common/notebook/model.ts';
import type { ExecutionStatus, DroppedText } from '../../common/protocol.ts';

/**
 * Where a running cell's outputs go. Calls arrive in the order the process produced them. Across
 * the kernel link each call is one `KernelMessage` of the same name (`stream` → `kernel_stream`…),
 * and the runner's sink turns each into an `OutputEdit` of the cell.
 */
export interface OutputSink {
  /** Live text; consecutive chunks of one stream belong together (the sink appends). */
  stream(name: 'stdout' | 'stderr', text: string): void;
  /** A rich output (every item set carries `text/plain` too); `displayId` names it for {@link update}. */
  display(items: OutputItem[], options?: { displayId?: string }): void;
  /** The display named `displayId` shows `items` now (it is added when there is none yet). */
  update(displayId: string, items: OutputItem[]): void;
  /** The cell's outputs so far are gone (Jupyter's `clear_output`). */
  clear(): void;
  /** An error output; the kernel also returns a failed status. */
  error(error: CellErrorData): void;
  /** Binary stdout (a capture): its bytes as read, in order; the caller parses them. */
  bytes?(name: 'stdout', data: Uint8Array): void;
  /** Stream text of this execution was counted instead of sent (the kernel host's limit). */
  dropped?(name: 'stdout' | 'stderr', count: DroppedText): void;
}

/** What a cell runs with. */
export interface ExecutionRequest {
  /** Notebook identity: kernels keep per-notebook state (shell cwd/env, TS context) under it. */
  notebookKey: string;
  cellId: string;
  language: CellLanguage;
  code: string;
  /** Working directory of the first cell (the notebook's folder); shell `cd` carries over. */
  cwd: string;
  /** Extra environment for the cell's processes (the notebook's parameters among them). */
  env: Record<string, string>;
  /** Positional arguments (bpftrace `$1`, `$2`, …), already resolved from parameters. */
  args: string[];
  /** bpftrace `--unsafe` opt-in. */
  unsafe?: boolean;
  /**
   * Stops the cell the way Ctrl-C would: SIGINT to its process group, then SIGTERM after
   * `graceMs`, then SIGKILL. `signal.reason` says why (a `StopReason` of the protocol).
   */
  signal: AbortSignal;
  /** Grace between the steps of the interrupt ladder (default 3000). */
  graceMs?: number;
  /** Bytes of each stream the caller keeps: an executor in another process sends no more (protocol `streamLimitBytes`). */
  streamLimitBytes?: number;
  /**
   * Called by a kernel whose cell's real work begins well after its process: bpftrace once its
   * probes are attached (compiling and attaching can take seconds). A timeout counts from then,
   * so `timeout: 10s` traces for 10 s.
   */
  onTracing?: () => void;
  /**
   * Aborted when the user stops a cell that is already stopping: the ladder goes on at once
   * (SIGTERM, then SIGKILL) instead of waiting out its grace. Pass it on as `runCellProcess(…, { hurry })`.
   */
  hurry?: AbortSignal;
  /**
   * Called by a kernel that, once stopped, gives its process a longer grace than `graceMs` (bpftrace
   * detaching hundreds of probes before it prints its maps): whoever kills a cell that outlives
   * its ladder waits for this one instead.
   */
  onStopGrace?: (graceMs: number) => void;
  sink: OutputSink;
  /**
   * Called with the pid of every process the kernel starts for this cell (pass it on as
   * `runCellProcess(…, { onSpawn })`): the kernel host moves the process into the cell's cgroup,
   * so a child that calls `setsid` is still stopped with the cell.
   */
  onSpawn?: (pid: number) => void;
  /** Other cells of the notebook, for TypeScript cells' `cell()` and `run()` (absent where unavailable). */
  notebook?: NotebookAccess;
  /**
   * What makes the cell ready that only the side running its processes can see: a socket one of
   * them bound, a file as its user sees it. Whoever runs the cell watches (ready-watch.ts) and
   * calls {@link onReady} once, when all of it holds.
   */
  ready?: ReadyWatch;
  onReady?: () => void;
}

/** The part of `metadata.probebook.ready` checked where the cell's processes run. */
export interface ReadyWatch {
  port?: ReadyPort;
  /** Absolute path; only whether it exists. */
  file?: string;
}

/** What a cell can read of, and do with, the other cells of its notebook. */
export interface NotebookAccess {
  /** The last outputs of the cell named `name`, parsed. */
  cellOutputs(name: string): Promise<CellSnapshot>;
  /** Runs the cell named `name` with parameters overriding the notebook's; resolves when it ends. */
  runCell(name: string, params: Record<string, string>): Promise<CellSnapshot>;
}

/** A cell's outputs as data: text, JSON stdout parsed, bpftrace maps, times. */
export interface CellSnapshot {
  name: string;
  status: 'idle' | ExecutionStatus;
  exitCode?: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON (e.g. `iperf3 -J`). */
  json?: unknown;
  /** bpftrace map prints by map name, in order. */
  maps: Record<string, unknown[]>;
  outputs: { kind: string; mime: string; data: unknown; time?: number }[];
  startedAt?: number;
  endedAt?: number;
}

/**
 * How a cell ended. `ok`: it succeeded (for bpftrace an interrupt that printed its maps is `ok`);
 * `failed`: non-zero exit, syntax error, missing tool…; `interrupted`: stopped before it finished
 * and that stop is not a success for this language.
 */
export interface ExecutionResult {
  status: ExecutionStatus;
  /** Whether the cell was stopped by the signal (interrupt, timeout or end of run). */
  stopped: boolean;
  exitCode?: number | null;
  /** Signal that ended the main process, if any. */
  exitSignal?: string | null;
  /** Set when status is 'failed'; the same error was already sent to the sink. */
  error?: CellErrorData;
  durationMs: number;
}

export interface Kernel {
  readonly language: CellLanguage;
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
  /** Forget the state of one notebook (shell cwd/env, TS context). */
  reset(notebookKey: string): Promise<void>;
  /** Stop everything the kernel runs and release its resources. */
  dispose(): Promise<void>;
}
