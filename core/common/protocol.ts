/**
 * The protocols of Probebook, in one file: every message one of its processes sends another.
 * Messages are JSON objects with a snake_case `type`. Requests carry a `requestId`; every
 * message a request causes carries it back.
 *
 * **The page's protocol.** {@link ClientMessage} (page → session host) and {@link HostMessage}
 * (session host → page), over a WebSocket in browser mode (core/node/server/) or a MessagePort in
 * Electron (electron/main/host-link.ts). The session host (core/node/session/session-host.ts)
 * handles every `ClientMessage`; the page's one `HostConnection`
 * (renderer/connection/host-connection.ts) receives every `HostMessage`.
 *
 * **The kernel link.** {@link KernelRequest} (session host → kernel host) and
 * {@link KernelMessage} (kernel host → session host), NDJSON over the kernel host's stdio. The
 * kernel host (core/node/kernel-host/kernel-host.ts) handles every `KernelRequest`; its client
 * (core/node/kernel-host/kernel-host-client.ts) receives every `KernelMessage`. Its output
 * messages mirror a kernel's `OutputSink` calls one to one (core/node/kernels/kernel.ts).
 *
 * Whatever arrives from a socket, a port or a pipe is validated at the edge before anything acts on
 * it: `protocol-validate.ts` (page → session host), `kernel-request-validate.ts` (session host →
 * kernel host) and `parseKernelMessage` in `kernel-host-connection.ts` (kernel host → session host).
 *
 * @example An execution, as the page sees it. The reply comes last (Jupyter's reply-and-idle rule):
 * nothing for `r1` follows `execute_reply`.
 * ```text
 * page → execute_request  { requestId: 'r1', notebookId: 'n1', cellIds: ['a', 'b'] }
 * host → execution_state  { requestId: 'r1', cellId: 'a', state: 'queued' }   (and b)
 * host → execution_state  { requestId: 'r1', cellId: 'a', state: 'running', executionCount: 1, runAs: 'root' }
 * host → output           { requestId: 'r1', cellId: 'a', edit: { kind: 'add', output } }
 * host → output           { requestId: 'r1', cellId: 'a', edit: { kind: 'append', outputId, text: 'hi\n' } }
 * host → execution_ended  { requestId: 'r1', cellId: 'a', status: 'ok', success: true, durationMs: 12 }
 * host → …                                                                    (b runs and ends)
 * host → execute_reply    { requestId: 'r1', summary: { ok: false, failedCellId: 'b', cells: [a, b] } }
 * ```
 *
 * @example The same cell `a` on the kernel link. The session host's runner turns the calls back
 * into `output` edits of the page's protocol.
 * ```text
 * host   → kernel_execute_request { requestId: 'k7', cellId: 'a', language: 'shell', code: 'echo hi', … }
 * kernel → kernel_state           { requestId: 'k7', state: 'running', at, runAs: 'root' }
 * kernel → kernel_stream          { requestId: 'k7', name: 'stdout', text: 'hi\n' }   ← sink.stream('stdout', 'hi\n')
 * kernel → kernel_audit           { record }
 * kernel → kernel_ended           { requestId: 'k7', status: 'ok', stopped: false, durationMs: 12, exitCode: 0 }
 * ```
 */
import type { MenuCommandId } from './bridge.ts';
import type { PageFigure } from './export/figure-fallbacks.ts';
import type { CellLanguage } from './languages.ts';
import type { CellErrorData } from './mime.ts';
import type { CellType, JsonObject, Notebook, Output, OutputItem } from './notebook/model.ts';

/**
 * Bumped on every incompatible change of either protocol; the session host refuses a page, and
 * the kernel host a session host, that speaks another.
 */
export const PROTOCOL_VERSION = 2;

/** Largest message a peer accepts, in bytes of JSON (outputs are streamed in smaller appends). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Shared words

/**
 * Who a cell runs as: `root`, or the invoking user (a cell with `metadata.probebook.user: true`,
 * or every cell of a session that has no root).
 */
export type RunAs = 'root' | 'user';

/**
 * Why a cell was stopped; it becomes the cell's `AbortSignal.reason`. `interrupt`: the user
 * stopped it; `timeout`: its `timeout` option ran out; `run-ended`: it ran in the background of a
 * Run All that ended.
 */
export type StopReason = 'interrupt' | 'timeout' | 'run-ended';

const STOP_REASONS: Record<StopReason, true> = { interrupt: true, timeout: true, 'run-ended': true };

/** Whether `value` is a {@link StopReason}: for a reason that arrives from outside (a line, a file, an `AbortSignal`). */
export function isStopReason(value: unknown): value is StopReason {
  return typeof value === 'string' && Object.hasOwn(STOP_REASONS, value);
}

/**
 * How a cell's execution ended. `ok`: it succeeded (for bpftrace, an interrupt that printed its
 * maps); `failed`: non-zero exit, syntax error, missing tool…; `interrupted`: stopped before it
 * finished, and that stop is no success for its language.
 */
export type ExecutionStatus = 'ok' | 'failed' | 'interrupted';

/** Where a cell is in its life, as the UI shows it. */
export type CellStatus = 'idle' | 'queued' | 'running' | ExecutionStatus;

export interface CellRunState {
  status: CellStatus;
  executionCount: number | null;
  /** Epoch ms. */
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  /** Who ran it. */
  runAs?: RunAs;
  /** What stopped it, when something did (a cell stopped by its timeout or the run's end is `ok`). */
  stopReason?: StopReason;
  /** A running cell that says when it is ready: waiting for it, or ready. */
  readiness?: CellReadiness;
}

/**
 * Whether a running cell is ready (`metadata.probebook.ready`, or a background bpftrace cell's
 * probes attached): `waiting` for what `waitingFor` says ("port tcp/5201"), or `ready` `afterMs`
 * after it started. Run All starts the next cell once a background cell is ready.
 */
export type CellReadiness = { state: 'waiting'; waitingFor: string } | { state: 'ready'; afterMs: number };

/** Stream text that was counted instead of kept. */
export interface DroppedText {
  bytes: number;
  lines: number;
}

/**
 * What a run did, cell by cell: the runner's result (core/node/run/notebook-runner.ts), printed by
 * `probebook run` and sent to the page in `execute_reply`.
 */
export interface RunSummary {
  /** Every cell that ran succeeded and none was skipped. */
  ok: boolean;
  /** The user stopped the run (or one of its cells). */
  interrupted: boolean;
  /** Every cell the run started, in the order they ended (cells it skipped are not listed). */
  cells: {
    cellId: string;
    status: ExecutionStatus;
    /** `ok`, or stopped by its timeout or the run's end. */
    success: boolean;
    durationMs: number;
    /** It ran to its own end: neither stopped by the user nor cut off by a broken kernel host. */
    ran: boolean;
  }[];
  /** The first cell that failed, if any. */
  failedCellId?: string;
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
  /** The file is nbformat `from` (`"3.0"`), upgraded when read: its first save writes 4.5 and keeps the original beside it. */
  converted?: { from: string };
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
  runAs: RunAs;
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

/**
 * An edit of the document, sent by UIs and broadcast by the host as a change; applied by
 * `applyEdit` (core/common/notebook/edits.ts) on both sides.
 */
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
 * A change to one cell's outputs, made by the runner from its kernel's output calls and applied by
 * `applyOutputEdit` (core/common/notebook/edits.ts): by the runner to the session host's document,
 * by the page to its own.
 *
 * @example `sink.stream('stdout', 'a')` then `sink.stream('stdout', 'b')` become
 * `{ kind: 'add', output: <stdout "a"> }` then `{ kind: 'append', outputId: <its id>, text: 'b' }`.
 */
export type OutputEdit =
  /** A new output at the end. */
  | { kind: 'add'; output: Output }
  /** More text for the stream output `outputId`. */
  | { kind: 'append'; outputId: string; text: string }
  /** The output with `output.outputId` is replaced (an updated display). */
  | { kind: 'replace'; output: Output }
  /** The cell's outputs are gone (a new execution begins, or its kernel cleared them). */
  | { kind: 'clear' };

export interface DirectoryEntry {
  name: string;
  kind: 'file' | 'directory';
  size?: number;
  mtimeMs?: number;
}

// ---------------------------------------------------------------------------------------------
// The page's protocol: page → session host

/**
 * What a page sends the session host. The first message of a link is `hello`; the host answers
 * each request as {@link REPLY_TYPES} says, or with an `error` of the same `requestId`.
 *
 * @example
 * ```ts
 * const run: ClientMessage = { type: 'execute_request', requestId: 'r1', notebookId: 'n1', cellIds: ['c1'] };
 * ```
 */
export type ClientMessage =
  /** Opens the link; answered by `welcome`, or `error` `version_mismatch`. */
  | { type: 'hello'; protocolVersion: number; client: 'browser' | 'electron' }
  | { type: 'open_notebook'; requestId: string; path: string }
  | { type: 'create_notebook'; requestId: string; path?: string; language?: CellLanguage }
  | { type: 'close_notebook'; requestId: string; notebookId: string }
  /** Edits made against `baseVersion`; answered by the `notebook_changed` whose `origin` is this `requestId`. */
  | { type: 'edit'; requestId: string; notebookId: string; baseVersion: number; edits: NotebookEdit[] }
  /**
   * Runs the cells in order; `runAll` marks a Run All (background and cleanup rules apply). Its
   * cells' `execution_state`, `output` and `execution_ended` carry this `requestId`; it ends with
   * one `execute_reply`.
   */
  | { type: 'execute_request'; requestId: string; notebookId: string; cellIds: string[]; runAll?: boolean }
  /** Interrupts one cell, or everything the notebook runs when `cellId` is absent. No reply: the cells end. */
  | { type: 'interrupt_request'; requestId: string; notebookId: string; cellId?: string }
  /** Stops what runs and forgets the notebook's kernel state (shell cwd and variables, TypeScript context). */
  | { type: 'restart_request'; requestId: string; notebookId: string }
  /**
   * Saves to `path` (save as) or the notebook's own; `force` overwrites a file changed on disk.
   * `figures`: PNG fallbacks the page drew of figures that need one (docs/export.md); the host
   * takes one only where its own hash of the output's figure is `figure`, and draws the rest.
   */
  | { type: 'save_request'; requestId: string; notebookId: string; path?: string; force?: boolean; figures?: PageFigure[] }
  | { type: 'list_directory'; requestId: string; path: string }
  /** The user trusted the notebook after reviewing what it runs (`NotebookSnapshot.review`). */
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
  /**
   * tshark's full dissection (`-V`) of packet `packet` of a capture saved beside the notebook
   * (`file` relative to its folder, as a packet view's payload names it). Answered by `packet_dissection`.
   */
  | { type: 'dissect_packet'; requestId: string; notebookId: string; file: string; packet: number }
  /**
   * Bytes of a capture saved beside the notebook from `offset` (at most 4 MiB): the packet view reads
   * past what the notebook embeds. Answered by `capture_bytes`.
   */
  | { type: 'read_capture'; requestId: string; notebookId: string; file: string; offset: number; length: number }
  /**
   * The notebook as it is now (unsaved edits too) as a report file, drawn with its trust (docs/export.md):
   * `html` (self-contained) or `pdf` (needs Chromium on the host), sent back; or `md`, which the host
   * writes beside the saved notebook (NAME.md and NAME_files/, never over existing ones) and names
   * in `written`. Answered by `notebook_export`.
   */
  | {
      type: 'export_notebook';
      requestId: string;
      notebookId: string;
      format: 'html' | 'pdf' | 'md';
      paper?: 'a4' | 'letter';
      showCode?: boolean;
      showOutputs?: boolean;
      author?: string;
    }
  | { type: 'ping'; requestId: string };

// ---------------------------------------------------------------------------------------------
// The page's protocol: session host → page

/**
 * What the session host sends a page: answers to its requests, and the changes of the notebooks it
 * views (sent to every page on the notebook, whoever caused them).
 *
 * @example
 * ```ts
 * const reply: HostMessage = { type: 'execute_reply', requestId: 'r1', notebookId: 'n1', summary: { ok: true, interrupted: false, cells: [] } };
 * ```
 */
export type HostMessage =
  /** Answers `hello`: the host's session, who cells will run as (`unknown` until the first run elevates), the served folder. */
  | { type: 'welcome'; protocolVersion: number; sessionId: string; runAs: RunAs | 'unknown'; root: string }
  /** Answers `open_notebook`, `create_notebook` and `restore_backup`; without `requestId`, a fresh snapshot after a conflict. */
  | { type: 'notebook_opened'; requestId?: string; snapshot: NotebookSnapshot }
  | { type: 'notebook_closed'; requestId?: string; notebookId: string }
  /** Edits applied by the host; `origin` is the requestId of the edit that caused them. */
  | { type: 'notebook_changed'; notebookId: string; version: number; edits: NotebookEdit[]; origin?: string }
  | { type: 'notebook_state'; notebookId: string; dirty: boolean; path: string | null; title: string; readOnly: boolean; trusted: boolean }
  /**
   * A cell of the request is queued, or began running (with its execution count and who runs it).
   * A running cell that says when it is ready is sent again with `readiness` as that changes.
   */
  | {
      type: 'execution_state';
      requestId: string;
      notebookId: string;
      cellId: string;
      state: 'queued' | 'running';
      executionCount?: number;
      startedAt?: number;
      runAs?: RunAs;
      readiness?: CellReadiness;
    }
  /** A change of a running cell's outputs. */
  | { type: 'output'; requestId: string; notebookId: string; cellId: string; edit: OutputEdit }
  /**
   * A cell of the request ended; nothing for that cell and request follows. A queued cell that
   * never started (an earlier one failed, or it was stopped while queued) ends `interrupted`,
   * with `durationMs` 0 and `stopped` false.
   */
  | {
      type: 'execution_ended';
      requestId: string;
      notebookId: string;
      cellId: string;
      status: ExecutionStatus;
      /** `ok`, or stopped by its timeout or the end of its run (what such a cell is meant to do). */
      success: boolean;
      durationMs: number;
      /** Whether an interrupt, timeout or end of run stopped it. */
      stopped: boolean;
      /** Which of them. */
      stopReason?: StopReason;
      error?: CellErrorData;
      /** Exit code / signal of the cell's main process. */
      exitCode?: number | null;
      exitSignal?: string | null;
    }
  /**
   * Ends an `execute_request`, after the `execution_ended` of its last cell: the page's future is
   * done on it, and nothing for `requestId` follows. Sent to the page that asked.
   */
  | { type: 'execute_reply'; requestId: string; notebookId: string; summary: RunSummary }
  | { type: 'saved'; requestId: string; notebookId: string; path: string; version: number; originalKept?: string }
  /**
   * The notebook's pending cleanups changed (one ran or was dismissed): sent to every UI on it,
   * with the list as it is now. `requestId` and `resolved` answer the request that caused it.
   */
  | { type: 'pending_cleanup'; notebookId: string; requestId?: string; pendingCleanup: PendingCleanupRun[]; resolved?: PendingCleanupResolution }
  | { type: 'directory_listing'; requestId: string; path: string; entries: DirectoryEntry[] }
  | { type: 'probe_list'; requestId: string; probes: string[]; error?: string }
  /** Answers `dissect_packet`: tshark's text, or why there is none. */
  | { type: 'packet_dissection'; requestId: string; text: string; error?: string }
  /** Answers `read_capture`: the bytes (base64), `eof` when none follow, or why there are none. */
  | { type: 'capture_bytes'; requestId: string; base64: string; eof: boolean; error?: string }
  /**
   * Answers `export_notebook`: the report file (base64) and the name to save it as, or why there is none.
   * For `md` nothing is sent back (`base64` empty): `fileName` is the Markdown file written beside the
   * notebook and `written` every file written, relative to the notebook's folder (the .md first).
   */
  | { type: 'notebook_export'; requestId: string; fileName: string; base64: string; written?: string[]; error?: string }
  /** Answers `ping`, `restart_request` and `trust_request`: done. */
  | { type: 'pong'; requestId: string }
  /** A request failed, or (without requestId) something the user must know. */
  | { type: 'error'; requestId?: string; code: ErrorCode; message: string }
  /** Electron only: the app menu asks the page to run a command of its command registry. */
  | { type: 'app_command'; command: MenuCommandId };

/**
 * What the session host answers to each request, by request type: the page's
 * `HostConnection.request` resolves on it (same `requestId`; for `edit`, the `notebook_changed`
 * whose `origin` is it) and its `execute` future ends on `execute_reply`. A request may always be
 * answered with an `error` instead. `interrupt_request` has no reply of its own.
 *
 * @example
 * ```ts
 * const reply: HostMessageType = REPLY_TYPES.run_pending_cleanup; // 'pending_cleanup'
 * ```
 */
export const REPLY_TYPES = {
  open_notebook: 'notebook_opened',
  create_notebook: 'notebook_opened',
  close_notebook: 'notebook_closed',
  restore_backup: 'notebook_opened',
  edit: 'notebook_changed',
  execute_request: 'execute_reply',
  save_request: 'saved',
  list_directory: 'directory_listing',
  list_probes: 'probe_list',
  dissect_packet: 'packet_dissection',
  read_capture: 'capture_bytes',
  export_notebook: 'notebook_export',
  restart_request: 'pong',
  trust_request: 'pong',
  // Answered once the cleanup cells ran (their outputs come as any run's) or the run was dismissed.
  run_pending_cleanup: 'pending_cleanup',
  dismiss_pending_cleanup: 'pending_cleanup',
  ping: 'pong',
} as const satisfies Partial<Record<ClientMessageType, HostMessageType>>;

// ---------------------------------------------------------------------------------------------
// The kernel link: session host → kernel host (NDJSON on its stdin)

/**
 * What the session host asks of the kernel host. Every line is validated by
 * `parseKernelRequestLine` (core/node/kernel-host/kernel-request-validate.ts) before it acts.
 *
 * @example
 * ```ts
 * const hello: KernelRequest = { type: 'kernel_hello', protocolVersion: PROTOCOL_VERSION, heartbeatMs: 1000 };
 * ```
 */
export type KernelRequest =
  /** The first line; answered by `kernel_welcome`. The host then expects a `heartbeat` every `heartbeatMs`. */
  | { type: 'kernel_hello'; protocolVersion: number; heartbeatMs: number }
  /**
   * Runs one cell. Answered by `kernel_state` (running), the cell's output calls, `kernel_audit`,
   * then `kernel_ended`; or by an `error` of the same `requestId` when refused.
   */
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
      /**
       * Bytes of each stream the session keeps of this execution: the host sends no more than that
       * (cut at a line end) and counts the rest, reported in `kernel_ended.dropped`. A flood then
       * crosses the link once, not whole.
       */
      streamLimitBytes?: number;
      /**
       * What makes the cell ready that the kernel host checks, as the cell's processes and user
       * see it (`metadata.probebook.ready`'s port and file); answered by `kernel_state` `ready`
       * once it all holds.
       */
      ready?: { port?: { protocol: 'tcp' | 'udp'; port: number }; file?: string };
    }
  /**
   * Stops the execution started by `targetRequestId`. `force`: a second stop of a cell already
   * stopping; its ladder goes on at once (SIGTERM, SIGKILL). Answered by `kernel_ack`.
   */
  | { type: 'kernel_interrupt_request'; requestId: string; targetRequestId: string; reason?: StopReason; force?: boolean }
  /** Forgets one notebook's kernel state. Answered by `kernel_ack`. */
  | { type: 'kernel_reset_request'; requestId: string; notebookKey: string }
  /** Answers a `kernel_notebook_call`: the other cell's snapshot (`value`), or why there is none. */
  | { type: 'kernel_notebook_result'; callId: string; value?: JsonObject; error?: string }
  /** Keeps the host alive; answered by `heartbeat_ack`. */
  | { type: 'heartbeat'; seq: number }
  /** Ends the session: the host acks, stops every cell and exits. */
  | { type: 'shutdown_request'; requestId: string };

// ---------------------------------------------------------------------------------------------
// The kernel link: kernel host → session host (NDJSON on its stdout)

/**
 * What the kernel host tells the session host. An execution's output messages mirror its kernel's
 * `OutputSink` calls one to one (`kernel_stream`, `kernel_display`, `kernel_update`,
 * `kernel_clear`, `kernel_error`), `kernel_state` mirrors its state, and `kernel_ended` the
 * result of `execute()`: the client replays each into the runner's sink, dropping nothing.
 * Parsed at the edge by `parseKernelMessage` (core/node/kernel-host/kernel-host-connection.ts).
 *
 * @example `sink.display([{ mime: 'text/plain', data: '42' }], { displayId: 'p' })` in execution `k7`:
 * ```ts
 * const m: KernelMessage = { type: 'kernel_display', requestId: 'k7', items: [{ mime: 'text/plain', data: '42' }], displayId: 'p' };
 * ```
 */
export type KernelMessage =
  /** Answers `kernel_hello`: who runs cells and how they are contained. */
  | {
      type: 'kernel_welcome';
      protocolVersion: number;
      sessionId: string;
      pid: number;
      runAs: RunAs;
      /** The invoking user that `asUser` cells run as. */
      userUid: number;
      /** How each cell is contained: its own cgroup v2 (killed whole), or only its process group. */
      containment: 'cgroup2' | 'process-group';
    }
  | { type: 'heartbeat_ack'; seq: number }
  /** A `kernel_reset_request`, `kernel_interrupt_request` or `shutdown_request` was carried out. */
  | { type: 'kernel_ack'; requestId: string }
  /**
   * The execution's state: `running` once the host began it (`at`: its start), `tracing` once a
   * bpftrace cell's probes are attached (`at`: then; its timeout counts from then, not from the
   * start of its compile), `ready` once the execution's `ready` holds (`at`: then; sent at most
   * once). `runAs`: who it runs as.
   */
  | { type: 'kernel_state'; requestId: string; state: 'running' | 'tracing' | 'ready'; at: number; runAs: RunAs }
  /** `sink.stream(name, text)`: live text of one of the cell's streams. */
  | { type: 'kernel_stream'; requestId: string; name: 'stdout' | 'stderr'; text: string }
  /**
   * `sink.bytes('stdout', data)`: stdout that started as binary (a pcap/pcapng capture), base64,
   * passed on undecoded for the session host to parse; the kernel host never reads it.
   */
  | { type: 'kernel_bytes'; requestId: string; name: 'stdout'; base64: string }
  /** `sink.display(items, { displayId })`: a rich output. */
  | { type: 'kernel_display'; requestId: string; items: OutputItem[]; displayId?: string }
  /** `sink.update(displayId, items)`: the display named `displayId` shows `items` now. */
  | { type: 'kernel_update'; requestId: string; displayId: string; items: OutputItem[] }
  /** `sink.clear()`: the cell's outputs so far are gone. */
  | { type: 'kernel_clear'; requestId: string }
  /** `sink.error(error)`: an error output (the cell's failure, or a notice of the kernel host). */
  | { type: 'kernel_error'; requestId: string; error: CellErrorData }
  /** The execution ended (its kernel's `ExecutionResult`); nothing for `requestId` follows. */
  | {
      type: 'kernel_ended';
      requestId: string;
      status: ExecutionStatus;
      /** Whether an interrupt, timeout or end of run stopped it. */
      stopped: boolean;
      durationMs: number;
      /** Set when status is `failed`; the same error came as a `kernel_error` before. */
      error?: CellErrorData;
      /** Exit code / signal of the cell's main process. */
      exitCode: number | null;
      exitSignal: string | null;
      /** Stream text not sent (past `streamLimitBytes`, or while the session could not keep up). */
      dropped?: Partial<Record<'stdout' | 'stderr', DroppedText>>;
    }
  /**
   * One elevated execution for the audit log, sent before its `kernel_ended`. The unprivileged
   * side writes it, so root creates no file in the user's home.
   */
  | { type: 'kernel_audit'; record: AuditRecord }
  /**
   * A TypeScript cell (execution `requestId`) calls `cell(name)` or `run(name, params)`; the
   * notebook lives on the unprivileged side, which answers with a `kernel_notebook_result` of the
   * same `callId`.
   */
  | { type: 'kernel_notebook_call'; requestId: string; callId: string; method: 'cell' | 'run'; name: string; params?: Record<string, string> }
  /** A request was refused or failed (an execution refused this way never started), or (without requestId) a line was. */
  | { type: 'error'; requestId?: string; code: ErrorCode; message: string };

/** One line of the audit log (`$XDG_STATE_HOME/probebook/audit.jsonl`). */
export interface AuditRecord {
  /** ISO 8601 time the execution started. */
  time: string;
  notebookPath: string | null;
  cellId: string;
  language: CellLanguage;
  /** Hex SHA-256 of the exact code that ran. */
  codeSha256: string;
  runAs: RunAs;
  /** Numeric uid the cell ran as. */
  uid: number;
  /** The user the session runs for (SUDO_UID/PKEXEC_UID under sudo or pkexec), whoever started it. */
  invokedByUid: number;
  status: ExecutionStatus;
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
export type KernelMessageType = KernelMessage['type'];
