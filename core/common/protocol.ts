/**
 * The one protocol of Probebook. UIs (browser page over WebSocket, Electron page over a
 * MessagePort) talk to the session host with it; the session host talks to the kernel host with
 * its `kernel_*` requests over stdio. Messages are JSON objects with a snake_case `type`.
 *
 * Requests carry a `requestId`; every message they cause carries it back. An execution is
 * `execute_request` → `execution_state` (queued, running) → `output` edits → `execution_ended`,
 * and nothing for that cell and request follows the end.
 *
 * Messages that arrive from a socket or a pipe are validated at the edge (`protocol-validate.ts`).
 *
 * @example
 * ```ts
 * const run: ClientMessage = { type: 'execute_request', requestId: 'r1', notebookId: 'n1', cellIds: ['c1'] };
 * ```
 */
import type { MenuCommandId } from './bridge.ts';
import type { CellLanguage } from './languages.ts';
import type { CellErrorData } from './mime.ts';
import type { CellType, JsonObject, Notebook, Output } from './notebook/model.ts';

/** Bumped on every incompatible change; peers refuse a different major. */
export const PROTOCOL_VERSION = 1;

/** Largest message a peer accepts, in bytes of JSON (outputs are streamed in smaller appends). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Shared shapes

/** Where a cell is in its life, as the UI shows it. */
export type CellStatus = 'idle' | 'queued' | 'running' | 'ok' | 'failed' | 'interrupted';

export interface CellRunState {
  status: CellStatus;
  executionCount: number | null;
  /** Epoch ms. */
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  /** Who ran it. */
  runAs?: 'root' | 'user';
  /** What stopped it, when something did (a cell stopped by its timeout or the run's end is `ok`). */
  stopReason?: 'interrupt' | 'timeout' | 'run-ended';
}

/** A notebook as the session host holds it, sent whole when a UI opens or reconnects. */
export interface NotebookSnapshot {
  notebookId: string;
  /** Absolute path, or null for a notebook never saved. */
  path: string | null;
  title: string;
  /** Increments with every applied edit; edits name the version they were made against. */
  version: number;
  dirty: boolean;
  /** The file could not be parsed, or may not be written: never saved over. */
  readOnly: boolean;
  /** Trusted notebooks may use unsafe renderers and run without the first-run question. */
  trusted: boolean;
  notebook: Notebook;
  cellStates: Record<string, CellRunState>;
  /** Unsaved edits from an earlier session (a crash) that differ from the file: offered to restore. */
  backup?: { savedAt: number; cells: number };
  /** Runs of this notebook that crashed before their cleanup cells ran: offer to run those cells. */
  pendingCleanup?: PendingCleanupRun[];
  /** Why the notebook is read-only, for the banner (e.g. "not a notebook: cells[0]…"). */
  readOnlyReason?: string;
  /** What an untrusted notebook would run, shown before its first run (absent when trusted). */
  review?: TrustReview;
}

/**
 * Everything that decides what a notebook runs, as the trust question shows it: every code cell
 * with its exact code, who it runs as and its language as it will run, and the parameters that
 * become root cells' environment. Built by `trustReview` (core/common/notebook/trust-review.ts).
 */
export interface TrustReview {
  /** Code cells in notebook order, root cells and user cells (which may prepare files root uses). */
  cells: ReviewCell[];
  /** The notebook's parameters with the values cells get. */
  parameters: ReviewParameter[];
}

export interface ReviewCell {
  cellId: string;
  /** 0-based position among all cells, so the dialog can say "cell 3". */
  index: number;
  /** `user`: `metadata.probebook.user: true`, runs as the invoking user. */
  runAs: 'root' | 'user';
  /** The language it will run as (null: its options are malformed and it will not run). */
  language: CellLanguage | null;
  /** What decided the language: cell metadata, a `%%magic`, the notebook's default, the kernelspec. */
  languageSource: 'metadata' | 'magic' | 'notebook' | 'kernelspec' | 'default' | null;
  /** The cell's exact source. */
  source: string;
  /** Why it will not run, when it will not. */
  problem?: string;
}

export interface ReviewParameter {
  name: string;
  /** The value cells get (environment variable, bpftrace positional argument). */
  value: string;
  /** Why the parameter is refused (a name such as PATH or LD_PRELOAD): the notebook cannot run. */
  refused?: string;
}

/**
 * A run of a notebook that ended without running its cleanup cells (Probebook crashed or was
 * killed mid-run), from the cleanup ledger: the page offers to run those cells, or to dismiss it.
 */
export interface PendingCleanupRun {
  runId: string;
  /** Epoch ms the crashed run started. */
  startedAt: number;
  /** Its cleanup cells, in notebook order as they were then; some may be gone since. */
  cellIds: string[];
}

/** What became of a pending cleanup that a UI asked to run or dismiss. */
export interface PendingCleanupResolution {
  runId: string;
  /**
   * `ran`: its cleanup cells ran (failed ones included) and the run was cleared; `stopped`: the
   * user interrupted them, so it is still pending; `dismissed`: cleared without running anything.
   */
  outcome: 'ran' | 'stopped' | 'dismissed';
  /** Cells that ran, in notebook order. */
  ranCellIds: string[];
  /** Every cell that ran succeeded. */
  ok: boolean;
  /** Cleanup cells of that run that were not run: deleted since, or no longer code cells. */
  skippedCells: { cellId: string; reason: 'deleted' | 'not_code' }[];
}

/** An edit of the document, sent by UIs and broadcast by the host as a change. */
export type NotebookEdit =
  | { kind: 'insert_cell'; index: number; cell: { id: string; cellType: CellType; source: string; metadata: JsonObject } }
  | { kind: 'delete_cell'; cellId: string }
  | { kind: 'move_cell'; cellId: string; toIndex: number }
  | { kind: 'set_source'; cellId: string; source: string }
  | { kind: 'set_cell_type'; cellId: string; cellType: CellType }
  /** Replaces the cell's whole `metadata` (options live in `metadata.probebook`). */
  | { kind: 'set_cell_metadata'; cellId: string; metadata: JsonObject }
  | { kind: 'clear_outputs'; cellId: string }
  | { kind: 'set_notebook_metadata'; metadata: JsonObject };

/**
 * A change to one cell's outputs. `append` adds text to a stream output. From the kernel host,
 * a stream chunk is an `append` to outputId `stdout` or `stderr` (the runner owns the outputs).
 */
export type OutputEdit =
  | { kind: 'add'; output: Output }
  | { kind: 'append'; outputId: string; text: string }
  | { kind: 'replace'; output: Output }
  | { kind: 'clear' };

export interface DirectoryEntry {
  name: string;
  kind: 'file' | 'directory';
  size?: number;
  mtimeMs?: number;
}

// ---------------------------------------------------------------------------------------------
// UI → session host

export type ClientMessage =
  | { type: 'hello'; protocolVersion: number; client: 'browser' | 'electron' }
  | { type: 'open_notebook'; requestId: string; path: string }
  | { type: 'create_notebook'; requestId: string; path?: string; language?: CellLanguage }
  | { type: 'close_notebook'; requestId: string; notebookId: string }
  | { type: 'edit'; requestId: string; notebookId: string; baseVersion: number; edits: NotebookEdit[] }
  /** Runs the cells in order; `runAll` marks a Run All (background and cleanup rules apply). */
  | { type: 'execute_request'; requestId: string; notebookId: string; cellIds: string[]; runAll?: boolean }
  /** Interrupts one cell, or everything the notebook runs when `cellId` is absent. */
  | { type: 'interrupt_request'; requestId: string; notebookId: string; cellId?: string }
  | { type: 'restart_request'; requestId: string; notebookId: string }
  /** Saves to `path` (save as) or the notebook's own; `force` overwrites a file changed on disk. */
  | { type: 'save_request'; requestId: string; notebookId: string; path?: string; force?: boolean }
  | { type: 'list_directory'; requestId: string; path: string }
  | { type: 'trust_request'; requestId: string; notebookId: string }
  /** Replaces the notebook's cells with the backup of unsaved edits found when it was opened. */
  | { type: 'restore_backup'; requestId: string; notebookId: string }
  /**
   * Runs the cleanup cells a crashed run of this notebook never reached (a `pendingCleanup` entry
   * of its snapshot), as an execution: the trust check, elevation and outputs of any run apply.
   * Answered by `pending_cleanup` once they ran.
   */
  | { type: 'run_pending_cleanup'; requestId: string; notebookId: string; runId: string }
  /** Forgets a crashed run's pending cleanup without running it. Answered by `pending_cleanup`. */
  | { type: 'dismiss_pending_cleanup'; requestId: string; notebookId: string; runId: string }
  /** Probe names for completion (`bpftrace -l`), cached per machine; `filter` as `bpftrace -l` takes it. */
  | { type: 'list_probes'; requestId: string; filter?: string }
  | { type: 'ping'; requestId: string };

// ---------------------------------------------------------------------------------------------
// Session host → kernel host (over the kernel host's stdio)

export type KernelRequest =
  | { type: 'kernel_hello'; protocolVersion: number; heartbeatMs: number }
  | {
      type: 'kernel_execute_request';
      requestId: string;
      notebookKey: string;
      /** For the audit log. */
      notebookPath: string | null;
      cellId: string;
      language: CellLanguage;
      code: string;
      cwd: string;
      env: Record<string, string>;
      args: string[];
      timeoutMs?: number;
      unsafe?: boolean;
      /** Run as the invoking user instead of root. */
      asUser?: boolean;
      /** Grace between the steps of the interrupt ladder (default 3000). */
      graceMs?: number;
    }
  /** Interrupts the execution started by `targetRequestId`. */
  /** `force`: a second stop of a cell already stopping; its ladder goes on at once (SIGTERM, SIGKILL). */
  | { type: 'kernel_interrupt_request'; requestId: string; targetRequestId: string; reason?: 'interrupt' | 'timeout' | 'run-ended'; force?: boolean }
  | { type: 'kernel_reset_request'; requestId: string; notebookKey: string }
  /** Answers a `kernel_notebook_call`: the other cell's snapshot (`value`), or why there is none. */
  | { type: 'kernel_notebook_result'; callId: string; value?: JsonObject; error?: string }
  | { type: 'heartbeat'; seq: number }
  | { type: 'shutdown_request'; requestId: string };

// ---------------------------------------------------------------------------------------------
// Host → UI (session host) and kernel host → session host

export type HostMessage =
  | { type: 'welcome'; protocolVersion: number; sessionId: string; runAs: 'root' | 'user' | 'unknown'; root: string }
  | { type: 'notebook_opened'; requestId?: string; snapshot: NotebookSnapshot }
  | { type: 'notebook_closed'; requestId?: string; notebookId: string }
  /** Edits applied by the host; `origin` is the requestId of the edit that caused them. */
  | { type: 'notebook_changed'; notebookId: string; version: number; edits: NotebookEdit[]; origin?: string }
  | { type: 'notebook_state'; notebookId: string; dirty: boolean; path: string | null; title: string; readOnly: boolean; trusted: boolean }
  /**
   * `tracingSince` (kernel host → session host): when a bpftrace cell's probes were attached; its
   * timeout counts from then, not from the start of its compile.
   */
  | {
      type: 'execution_state';
      requestId: string;
      notebookId: string;
      cellId: string;
      state: 'queued' | 'running';
      executionCount?: number;
      startedAt?: number;
      runAs?: 'root' | 'user';
      tracingSince?: number;
    }
  | { type: 'output'; requestId: string; notebookId: string; cellId: string; edit: OutputEdit }
  | {
      type: 'execution_ended';
      requestId: string;
      notebookId: string;
      cellId: string;
      status: 'ok' | 'failed' | 'interrupted';
      success: boolean;
      durationMs: number;
      /** Whether an interrupt, timeout or end of run stopped it. */
      stopped: boolean;
      /** Which of them (session host → UI). */
      stopReason?: 'interrupt' | 'timeout' | 'run-ended';
      error?: CellErrorData;
      /** Exit code / signal of the cell's main process (from the kernel host). */
      exitCode?: number | null;
      exitSignal?: string | null;
    }
  | { type: 'saved'; requestId: string; notebookId: string; path: string; version: number }
  /**
   * The notebook's pending cleanups changed (one ran or was dismissed): sent to every UI on it,
   * with the list as it is now. `requestId` and `resolved` answer the request that caused it.
   */
  | { type: 'pending_cleanup'; notebookId: string; requestId?: string; pendingCleanup: PendingCleanupRun[]; resolved?: PendingCleanupResolution }
  | { type: 'directory_listing'; requestId: string; path: string; entries: DirectoryEntry[] }
  | { type: 'probe_list'; requestId: string; probes: string[]; error?: string }
  | { type: 'heartbeat_ack'; seq: number }
  /** Kernel host → session host: a `kernel_reset_request`, `kernel_interrupt_request` or `shutdown_request` was carried out. */
  | { type: 'kernel_ack'; requestId: string }
  /** Kernel host → session host, answering `kernel_hello`: who runs cells and how they are contained. */
  | {
      type: 'kernel_welcome';
      protocolVersion: number;
      sessionId: string;
      pid: number;
      runAs: 'root' | 'user';
      /** The invoking user that `asUser` cells run as. */
      userUid: number;
      /** How each cell is contained: its own cgroup v2 (killed whole), or only its process group. */
      containment: 'cgroup2' | 'process-group';
    }
  /**
   * Kernel host → session host: one elevated execution for the audit log. The unprivileged side
   * writes it, so root creates no file in the user's home.
   */
  | { type: 'kernel_audit'; record: AuditRecord }
  /**
   * Kernel host → session host: a TypeScript cell (execution `requestId`) calls `cell(name)` or
   * `run(name, params)`; the notebook lives on the unprivileged side, which answers with a
   * `kernel_notebook_result` of the same `callId`.
   */
  | { type: 'kernel_notebook_call'; requestId: string; callId: string; method: 'cell' | 'run'; name: string; params?: Record<string, string> }
  | { type: 'pong'; requestId: string }
  /** A request failed, or (without requestId) something the user must know. */
  | { type: 'error'; requestId?: string; code: ErrorCode; message: string }
  /** Electron only: the app menu asks the page to run a command of its command registry. */
  | { type: 'app_command'; command: MenuCommandId };

/** One line of the audit log (`$XDG_STATE_HOME/probebook/audit.jsonl`). */
export interface AuditRecord {
  /** ISO 8601 time the execution started. */
  time: string;
  notebookPath: string | null;
  cellId: string;
  language: CellLanguage;
  /** Hex SHA-256 of the exact code that ran. */
  codeSha256: string;
  runAs: 'root' | 'user';
  /** Numeric uid the cell ran as. */
  uid: number;
  /** The user the session runs for (SUDO_UID/PKEXEC_UID under sudo or pkexec), whoever started it. */
  invokedByUid: number;
  status: 'ok' | 'failed' | 'interrupted';
  exitCode: number | null;
  exitSignal: string | null;
  durationMs: number;
}

export type ErrorCode =
  | 'bad_message'
  | 'version_mismatch'
  | 'not_found'
  | 'parse_error'
  | 'read_only'
  | 'conflict'
  | 'changed_on_disk'
  | 'untrusted'
  | 'forbidden'
  | 'elevation_failed'
  | 'internal';

export type ClientMessageType = ClientMessage['type'];
export type HostMessageType = HostMessage['type'];
export type KernelRequestType = KernelRequest['type'];
